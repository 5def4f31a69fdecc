import type { PoolClient } from 'pg';
import type { LogFileKind } from './log-file-key';
import type { AdvancedEventSelector, EventSelector, InsightSelector } from '../trails/trail.entity';

/**
 * The SQL of the aggregation step for trails: which trails cover an account and the
 * pending-delivery rows. Runs as the owner inside the outbox routing transaction.
 */

/** The columns routing needs of a trail. */
export interface RoutableTrail {
  id: string;
  accountId: string;
  homeRegion: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  includeGlobalServiceEvents: boolean;
  eventSelectors: EventSelector[] | null;
  advancedEventSelectors: AdvancedEventSelector[] | null;
  insightSelectors: InsightSelector[] | null;
}

export interface PendingRow {
  trailId: string;
  region: string;
  eventId: string;
  eventTime: Date;
  kind: LogFileKind;
}

/** Rows per INSERT: ~5 arrays of a few thousand entries stay well inside one statement's budget. */
const INSERT_CHUNK = 5000;

export const trailRoutingRepository = {
  /**
   * Logging trails that cover `accountId`: its own trails, and the organization trails of the
   * organization it belongs to NOW (an account created after the trail is covered; one removed
   * from the organization has organization_id null and is not).
   */
  async loggingTrailsCovering(client: PoolClient, accountId: string): Promise<RoutableTrail[]> {
    const { rows } = await client.query(
      `SELECT id, account_id, home_region, is_multi_region_trail, is_organization_trail, include_global_service_events,
              event_selectors, advanced_event_selectors, insight_selectors
       FROM trails t
       WHERE t.is_logging
         AND (t.account_id = $1
              OR (t.is_organization_trail AND t.organization_id = (SELECT organization_id FROM accounts WHERE id = $1)))`,
      [accountId],
    );
    return rows.map((r) => ({
      id: r.id,
      accountId: r.account_id,
      homeRegion: r.home_region,
      isMultiRegionTrail: r.is_multi_region_trail,
      isOrganizationTrail: r.is_organization_trail,
      includeGlobalServiceEvents: r.include_global_service_events,
      eventSelectors: r.event_selectors,
      advancedEventSelectors: r.advanced_event_selectors,
      insightSelectors: r.insight_selectors,
    }));
  },

  /** Idempotent: a row that exists (routing retried) is left as it is. Returns rows inserted. */
  async insertPending(client: PoolClient, accountId: string, outboxId: string, rows: PendingRow[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const result = await client.query(
        `INSERT INTO trail_pending_events (trail_id, account_id, region, event_id, event_time, outbox_id, kind)
         SELECT u.trail_id, $1, u.region, u.event_id, u.event_time, $2, u.kind
         FROM unnest($3::uuid[], $4::text[], $5::uuid[], $6::timestamptz[], $7::text[]) AS u(trail_id, region, event_id, event_time, kind)
         ON CONFLICT DO NOTHING`,
        [
          accountId,
          outboxId,
          chunk.map((r) => r.trailId),
          chunk.map((r) => r.region),
          chunk.map((r) => r.eventId),
          chunk.map((r) => r.eventTime),
          chunk.map((r) => r.kind),
        ],
      );
      inserted += result.rowCount ?? 0;
    }
    return inserted;
  },
};
