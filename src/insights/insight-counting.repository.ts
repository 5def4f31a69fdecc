import type { PoolClient } from 'pg';
import type { InsightSelector } from '../trails/trail.entity';

/**
 * SQL of the counting step (insights-count.router.ts). Runs as the owner inside the outbox routing
 * transaction, so every statement here commits exactly once with the routed mark.
 */

/** A logging trail, or an ENABLED source event data store, with Insights that covers an account. */
export interface InsightTrail {
  homeRegion: string;
  isMultiRegionTrail: boolean;
  insightSelectors: InsightSelector[];
}

/** The columns counting needs of an event (management events only). */
export interface CountableEvent {
  region: string;
  eventTime: Date;
  eventSource: string;
  eventName: string;
  readOnly: boolean | null;
  errorCode: string | null;
  userIdentityArn: string | null;
  userAgent: string | null;
}

export interface CountRow {
  region: string;
  eventSource: string;
  eventName: string;
  insightType: string;
  errorCode: string;
  minute: Date;
  count: number;
}

/** An attribution count of one series in one hour (`minute` holds the hour's start). */
export interface AttributionRow extends CountRow {
  attribute: string;
  value: string;
}

const CHUNK = 5000;

export const insightCountingRepository = {
  /**
   * Logging trails with Insights covering the account (its own, and its organization's
   * organization trails), and ENABLED source event data stores with Insights covering it (its own,
   * and its organization's organization stores; spec §10 "EDS Insights"): a store's home Region and
   * multi-Region flag play the trail's parts. One indexed probe each, as in the routers' lookups.
   */
  async insightTrailsCovering(client: PoolClient, accountId: string): Promise<InsightTrail[]> {
    const { rows } = await client.query(
      `WITH a AS (SELECT organization_id FROM accounts WHERE id = $1)
       SELECT home_region, is_multi_region_trail, insight_selectors
       FROM trails t
       WHERE t.is_logging AND t.insight_selectors IS NOT NULL
         AND (t.account_id = $1
              OR (t.is_organization_trail AND t.organization_id = (SELECT organization_id FROM a)))
       UNION ALL
       SELECT s.region, s.multi_region_enabled, s.insight_selectors
       FROM event_data_stores s
       WHERE s.status = 'ENABLED' AND s.insight_selectors IS NOT NULL
         AND (s.account_id = $1
              OR (s.organization_enabled AND s.organization_id = (SELECT organization_id FROM a)))`,
      [accountId],
    );
    return rows.map((r) => ({
      homeRegion: r.home_region,
      isMultiRegionTrail: r.is_multi_region_trail,
      insightSelectors: r.insight_selectors,
    }));
  },

  /** Adds counts (rows must be unique per key: aggregate first). */
  async addCounts(client: PoolClient, accountId: string, rows: CountRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const c = rows.slice(i, i + CHUNK);
      await client.query(
        `INSERT INTO insights_minute_counts AS t (account_id, region, event_source, event_name, insight_type, error_code, minute, count)
         SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::int[])
           AS u(region, event_source, event_name, insight_type, error_code, minute, count)
         ON CONFLICT (account_id, region, event_source, event_name, insight_type, error_code, minute)
         DO UPDATE SET count = t.count + excluded.count`,
        [
          accountId,
          c.map((r) => r.region),
          c.map((r) => r.eventSource),
          c.map((r) => r.eventName),
          c.map((r) => r.insightType),
          c.map((r) => r.errorCode),
          c.map((r) => r.minute),
          c.map((r) => r.count),
        ],
      );
    }
  },

  async addAttributions(client: PoolClient, accountId: string, rows: AttributionRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const c = rows.slice(i, i + CHUNK);
      await client.query(
        `INSERT INTO insights_hour_attributions AS t
           (account_id, region, event_source, event_name, insight_type, error_code, hour, attribute, value, count)
         SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[], $9::text[], $10::int[])
           AS u(region, event_source, event_name, insight_type, error_code, hour, attribute, value, count)
         ON CONFLICT (account_id, region, event_source, event_name, insight_type, error_code, hour, attribute, value)
         DO UPDATE SET count = t.count + excluded.count`,
        [
          accountId,
          c.map((r) => r.region),
          c.map((r) => r.eventSource),
          c.map((r) => r.eventName),
          c.map((r) => r.insightType),
          c.map((r) => r.errorCode),
          c.map((r) => r.minute),
          c.map((r) => r.attribute),
          c.map((r) => r.value),
          c.map((r) => r.count),
        ],
      );
    }
  },

  /** Registers the regions counted, keeping the earliest counted minute (touches a row only when it moves back). */
  async touchRegions(client: PoolClient, accountId: string, earliest: Map<string, Date>): Promise<void> {
    if (earliest.size === 0) return;
    await client.query(
      `INSERT INTO insights_regions AS t (account_id, region, counting_since)
       SELECT $1, u.region, u.since FROM unnest($2::text[], $3::timestamptz[]) AS u(region, since)
       ON CONFLICT (account_id, region) DO UPDATE SET counting_since = excluded.counting_since
       WHERE excluded.counting_since < t.counting_since`,
      [accountId, [...earliest.keys()], [...earliest.values()]],
    );
  },
};
