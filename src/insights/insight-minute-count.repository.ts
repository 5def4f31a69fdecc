import type { PoolClient } from 'pg';
import type { SeriesKey } from './insight-series';

/**
 * Tenant reads of `insights_minute_counts` (listInsightsMetricData), in a tenant transaction:
 * row-level security admits the caller's account and region, and the statement names both. The
 * counting step's writes are in insight-counting.repository.ts.
 */

/** One point of a metric series: the period's start and its count. */
export interface MetricPoint {
  t: Date;
  v: number;
}

export const insightMinuteCountRepository = {
  /**
   * The series' counts summed per `periodSeconds` period (epoch-aligned) for the periods from
   * `firstBin` to before `end`, counting minutes from `start` on; at most `limit` points in time
   * order. `fillWithZeros`: every period of the range, 0 where nothing was counted.
   */
  async periodSums(
    client: PoolClient,
    accountId: string,
    region: string,
    key: SeriesKey,
    opts: { periodSeconds: number; firstBin: Date; end: Date; start: Date; fillWithZeros: boolean; limit: number },
  ): Promise<MetricPoint[]> {
    const binned = `SELECT date_bin(make_interval(secs => $7::int), minute, 'epoch') AS t, sum(count)::float8 AS v
        FROM insights_minute_counts
        WHERE account_id = $1 AND region = $2 AND event_source = $3 AND event_name = $4 AND insight_type = $5 AND error_code = $6
          AND minute >= greatest($8::timestamptz, $10::timestamptz) AND minute < $9::timestamptz
        GROUP BY 1`;
    const sql = opts.fillWithZeros
      ? `SELECT g.t, coalesce(b.v, 0) AS v
             FROM generate_series($8::timestamptz, $9::timestamptz - interval '1 microsecond', make_interval(secs => $7::int)) AS g(t)
             LEFT JOIN (${binned}) b ON b.t = g.t
             ORDER BY g.t LIMIT $11`
      : `${binned} ORDER BY 1 LIMIT $11`;
    const { rows } = await client.query(sql, [
      accountId,
      region,
      key.eventSource,
      key.eventName,
      key.insightType,
      key.errorCode,
      opts.periodSeconds,
      opts.firstBin,
      opts.end,
      opts.start,
      opts.limit,
    ]);
    return rows as MetricPoint[];
  },
};
