import type { Pool, PoolClient } from 'pg';
import type { Baseline, OpenInsight } from './detection';
import { BASELINE_DAYS, DAY_MS, type InsightType, MINUTE_MS, type SeriesKey, seriesId } from './insight-series';
import { PEAK_RANK } from './detection';

/**
 * SQL of the detection worker (insights-detection.service.ts). Runs as the service on the client
 * holding the (account, region) advisory lock; every statement names the account and region.
 */

export interface RegionState {
  accountId: string;
  region: string;
  countingSince: Date;
  analyzedThrough: Date | null;
  baselineDay: Date | null;
}

export interface SeriesState {
  key: SeriesKey;
  baseline: Baseline | null;
  open: (OpenInsight & { sharedEventId: string }) | null;
}

export interface RankedValue {
  attribute: string;
  value: string;
  total: number;
}

const SERIES_WHERE = `account_id = $1 AND region = $2 AND event_source = $3 AND event_name = $4 AND insight_type = $5 AND error_code = $6`;
const seriesParams = (accountId: string, region: string, k: SeriesKey) => [
  accountId,
  region,
  k.eventSource,
  k.eventName,
  k.insightType,
  k.errorCode,
];

function toRegion(r: any): RegionState {
  return {
    accountId: r.account_id,
    region: r.region,
    countingSince: r.counting_since,
    analyzedThrough: r.analyzed_through,
    baselineDay: r.baseline_day,
  };
}

export const insightDetectionRepository = {
  async regions(pool: Pool): Promise<RegionState[]> {
    const { rows } = await pool.query(`SELECT * FROM insights_regions ORDER BY account_id, region`);
    return rows.map(toRegion);
  },

  async region(client: PoolClient, accountId: string, region: string): Promise<RegionState | null> {
    const { rows } = await client.query(`SELECT * FROM insights_regions WHERE account_id = $1 AND region = $2`, [accountId, region]);
    return rows[0] ? toRegion(rows[0]) : null;
  },

  async organizationOf(client: PoolClient, accountId: string): Promise<string | null> {
    const { rows } = await client.query(`SELECT organization_id FROM accounts WHERE id = $1`, [accountId]);
    return rows[0]?.organization_id ?? null;
  },

  /**
   * The earliest event time of the account's events not yet routed (so not yet counted), or null
   * when everything recorded has been routed. Unrouted outbox rows are few (the pending index).
   */
  async earliestUnrouted(client: PoolClient, accountId: string): Promise<Date | null> {
    const { rows } = await client.query(
      `SELECT min(t) AS earliest FROM event_outbox o, unnest(o.event_times) t WHERE o.routed_at IS NULL AND o.account_id = $1`,
      [accountId],
    );
    return rows[0]?.earliest ?? null;
  },

  /** Session lock: one analysis per (account, region) at a time, across processes; freed if the process dies. */
  async tryLock(client: PoolClient, accountId: string, region: string): Promise<boolean> {
    const { rows } = await client.query(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [
      `opentrail:insights:${accountId}:${region}`,
    ]);
    return rows[0].ok;
  },

  async unlock(client: PoolClient, accountId: string, region: string): Promise<void> {
    await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [`opentrail:insights:${accountId}:${region}`]);
  },

  /**
   * Stores every series' baseline for `day` (the 7 days before it) in one transaction: the sum and
   * the PEAK_RANK-th largest minute, computed in SQL so only one row per series leaves the
   * database. Series without baseline traffic and without an open insight are dropped.
   */
  async storeBaselines(client: PoolClient, accountId: string, region: string, day: Date): Promise<void> {
    const from = new Date(day.getTime() - BASELINE_DAYS * DAY_MS);
    await client.query('BEGIN');
    try {
      await client.query(
        `UPDATE insights_series SET baseline_day = $3, baseline_total = 0, baseline_peak = 0 WHERE account_id = $1 AND region = $2`,
        [accountId, region, day],
      );
      await client.query(
        `INSERT INTO insights_series AS t (account_id, region, event_source, event_name, insight_type, error_code, baseline_day, baseline_total, baseline_peak)
         SELECT $1::varchar, $2::varchar, event_source, event_name, insight_type, error_code, $3::timestamptz, sum(count),
                coalesce((array_agg(count ORDER BY count DESC))[${PEAK_RANK}], 0)
         FROM insights_minute_counts
         WHERE account_id = $1::varchar AND region = $2::varchar AND minute >= $4::timestamptz AND minute < $3::timestamptz
         GROUP BY event_source, event_name, insight_type, error_code
         ON CONFLICT (account_id, region, event_source, event_name, insight_type, error_code)
         DO UPDATE SET baseline_day = excluded.baseline_day, baseline_total = excluded.baseline_total, baseline_peak = excluded.baseline_peak`,
        [accountId, region, day, from],
      );
      await client.query(
        `DELETE FROM insights_series WHERE account_id = $1 AND region = $2 AND baseline_total = 0 AND open_shared_event_id IS NULL`,
        [accountId, region],
      );
      await client.query(`UPDATE insights_regions SET baseline_day = $3 WHERE account_id = $1 AND region = $2`, [accountId, region, day]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  },

  async seriesStates(client: PoolClient, accountId: string, region: string): Promise<Map<string, SeriesState>> {
    const { rows } = await client.query(`SELECT * FROM insights_series WHERE account_id = $1 AND region = $2`, [accountId, region]);
    const out = new Map<string, SeriesState>();
    for (const r of rows) {
      const key: SeriesKey = {
        eventSource: r.event_source,
        eventName: r.event_name,
        insightType: r.insight_type as InsightType,
        errorCode: r.error_code,
      };
      out.set(seriesId(key), {
        key,
        baseline: r.baseline_day ? { day: r.baseline_day, total: Number(r.baseline_total), peak: r.baseline_peak } : null,
        open: r.open_shared_event_id
          ? {
              sharedEventId: r.open_shared_event_id,
              startedAt: r.open_started_at,
              lastHot: r.open_last_hot,
              baseline: { day: r.open_baseline_day, total: Number(r.open_baseline_total), peak: r.open_baseline_peak },
            }
          : null,
      });
    }
    return out;
  },

  /** Dense per-minute counts of every series with traffic in [from, to): seriesId → counts[minute index]. */
  async countsInRange(client: PoolClient, accountId: string, region: string, from: Date, to: Date): Promise<Map<string, number[]>> {
    const minutes = Math.round((to.getTime() - from.getTime()) / MINUTE_MS);
    const { rows } = await client.query(
      `SELECT event_source, event_name, insight_type, error_code, minute, count FROM insights_minute_counts
       WHERE account_id = $1 AND region = $2 AND minute >= $3 AND minute < $4`,
      [accountId, region, from, to],
    );
    const out = new Map<string, number[]>();
    for (const r of rows) {
      const id = seriesId({ eventSource: r.event_source, eventName: r.event_name, insightType: r.insight_type, errorCode: r.error_code });
      let series = out.get(id);
      if (!series) out.set(id, (series = new Array<number>(minutes).fill(0)));
      series[Math.round(((r.minute as Date).getTime() - from.getTime()) / MINUTE_MS)] = r.count;
    }
    return out;
  },

  async sumRange(client: PoolClient, accountId: string, region: string, k: SeriesKey, from: Date, to: Date): Promise<number> {
    const { rows } = await client.query(
      `SELECT coalesce(sum(count), 0)::bigint AS n FROM insights_minute_counts WHERE ${SERIES_WHERE} AND minute >= $7 AND minute < $8`,
      [...seriesParams(accountId, region, k), from, to],
    );
    return Number(rows[0].n);
  },

  /** The `limit` most frequent values of each attribute of a series over whole hours [from, to) (the baseline). */
  async baselineTopValues(
    client: PoolClient,
    accountId: string,
    region: string,
    k: SeriesKey,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<RankedValue[]> {
    const { rows } = await client.query(
      `SELECT attribute, value, total FROM (
         SELECT attribute, value, sum(count) AS total,
                row_number() OVER (PARTITION BY attribute ORDER BY sum(count) DESC, value) AS n
         FROM insights_hour_attributions
         WHERE ${SERIES_WHERE} AND hour >= $7 AND hour < $8
         GROUP BY attribute, value) s
       WHERE n <= $9 ORDER BY attribute, total DESC, value`,
      [...seriesParams(accountId, region, k), from, to, limit],
    );
    return rows.map((r) => ({ attribute: r.attribute, value: r.value, total: Number(r.total) }));
  },

  /**
   * The same over [from, to) read from the events themselves (the insight window: minutes of one
   * API, on the (account_id, region, event_name, event_time) index). The series' events are the
   * ones counting counted: write calls (readOnly not true) or calls ending in its error code.
   */
  async windowTopValues(
    client: PoolClient,
    accountId: string,
    region: string,
    k: SeriesKey,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<RankedValue[]> {
    const { rows } = await client.query(
      `SELECT attribute, value, total FROM (
         SELECT a.attribute, a.value, count(*) AS total,
                row_number() OVER (PARTITION BY a.attribute ORDER BY count(*) DESC, a.value) AS n
         FROM events e
         CROSS JOIN LATERAL (VALUES ('userIdentityArn', coalesce(e.user_identity_arn, 'null')),
                                    ('userAgent', coalesce(e.user_agent, 'null')),
                                    ('errorCode', coalesce(e.error_code, 'null'))) AS a(attribute, value)
         WHERE e.account_id = $1 AND e.region = $2 AND e.event_name = $3 AND e.event_time >= $4 AND e.event_time < $5
           AND e.event_source = $6 AND e.event_category = 'Management'
           AND CASE WHEN $7::text = '' THEN e.read_only IS DISTINCT FROM true ELSE e.error_code = $7::text END
         GROUP BY a.attribute, a.value) s
       WHERE n <= $8 ORDER BY attribute, total DESC, value`,
      [accountId, region, k.eventName, from, to, k.eventSource, k.errorCode, limit],
    );
    return rows.map((r) => ({ attribute: r.attribute, value: r.value, total: Number(r.total) }));
  },

  /**
   * Inside one transaction: the series' open insights as the scan left them, and the region's
   * analysed-through mark. `changes` maps a series to its open insight (null = closed).
   */
  async commitAnalysis(
    client: PoolClient,
    accountId: string,
    region: string,
    changes: Array<{ key: SeriesKey; open: (OpenInsight & { sharedEventId: string }) | null }>,
    analyzedThrough: Date,
  ): Promise<void> {
    await client.query('BEGIN');
    try {
      for (const { key, open } of changes) {
        await client.query(
          `INSERT INTO insights_series AS t (account_id, region, event_source, event_name, insight_type, error_code,
             open_shared_event_id, open_started_at, open_last_hot, open_baseline_day, open_baseline_total, open_baseline_peak)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
           ON CONFLICT (account_id, region, event_source, event_name, insight_type, error_code) DO UPDATE SET
             open_shared_event_id = excluded.open_shared_event_id, open_started_at = excluded.open_started_at,
             open_last_hot = excluded.open_last_hot, open_baseline_day = excluded.open_baseline_day,
             open_baseline_total = excluded.open_baseline_total, open_baseline_peak = excluded.open_baseline_peak`,
          [
            ...seriesParams(accountId, region, key),
            open?.sharedEventId ?? null,
            open?.startedAt ?? null,
            open?.lastHot ?? null,
            open?.baseline.day ?? null,
            open ? String(open.baseline.total) : null,
            open?.baseline.peak ?? null,
          ],
        );
      }
      await client.query(`UPDATE insights_regions SET analyzed_through = $3 WHERE account_id = $1 AND region = $2`, [
        accountId,
        region,
        analyzedThrough,
      ]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  },

  /** Drops counts and attributions older than their retention, for one region (bounded by the time index). */
  async prune(client: PoolClient, accountId: string, region: string, countsBefore: Date, attributionsBefore: Date): Promise<void> {
    await client.query(`DELETE FROM insights_minute_counts WHERE account_id = $1 AND region = $2 AND minute < $3`, [
      accountId,
      region,
      countsBefore,
    ]);
    await client.query(`DELETE FROM insights_hour_attributions WHERE account_id = $1 AND region = $2 AND hour < $3`, [
      accountId,
      region,
      attributionsBefore,
    ]);
  },
};
