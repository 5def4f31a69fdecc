import type { Pool, PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import type { LakeQueryStatistics, LakeQueryStatus } from './lake-query.entity';

/**
 * The SQL of `lake_queries` and `lake_query_results`. Tenant statements (startQuery, describe,
 * cancel, list, getQueryResults) take the request transaction's EntityManager, so row-level
 * security applies and each names the account; the scheduling statements of the lake-query queue
 * (the fair claim, the run's end, delivery, the sweep, retention) run on the owner pool, for all
 * tenants.
 */

export interface ClaimedQuery {
  id: string;
  account_id: string;
  region: string;
  columns: string[];
  compiled_sql: string;
  /** the caller's statement (compiled again by the runner for its statistics statement) */
  statement: string;
  event_data_store_ids: string[];
  timeout_seconds: number;
  statistics: Record<string, number>;
  delivery_s3_uri: string | null;
}

const CLAIMED_COLUMNS = `q.id, q.account_id, q.region, q.columns, q.compiled_sql, q.statement, q.event_data_store_ids, q.timeout_seconds, q.statistics, q.delivery_s3_uri`;

/** What delivering an ended query's results needs of its row. */
export interface PendingDelivery {
  account_id: string;
  region: string;
  columns: string[];
  event_data_store_ids: string[];
  delivery_s3_uri: string;
  status: LakeQueryStatus;
  finished_at: Date;
}

/** One stored result row: the rendered values in select order, SQL NULL as null. */
export type LakeResultRow = Array<string | null>;

export const lakeQueryRepository = {
  // ---- in the request's tenant transaction ----

  /** Serializes an account's starts in a Region, so that the concurrent-query limit holds under concurrent calls. */
  async lockAccountStarts(m: EntityManager, accountId: string, region: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('lake-query:' || $1 || ':' || $2))`, [accountId, region]);
  },

  /** The account's QUEUED and RUNNING queries in the Region (CloudTrail's limit counts both). */
  async countActive(m: EntityManager, accountId: string, region: string): Promise<number> {
    const [{ n }] = await m.query(
      `SELECT count(*)::int AS n FROM lake_queries WHERE account_id = $1 AND region = $2 AND status IN ('QUEUED', 'RUNNING')`,
      [accountId, region],
    );
    return n;
  },

  /** The query's status and reader backend, its row locked until the transaction ends (cancelQuery). */
  async lockForCancel(
    m: EntityManager,
    id: string,
    accountId: string,
  ): Promise<{ status: LakeQueryStatus; backend_pid: number | null } | null> {
    const [row] = await m.query(`SELECT status, backend_pid FROM lake_queries WHERE id = $1 AND account_id = $2 FOR UPDATE`, [
      id,
      accountId,
    ]);
    return row ?? null;
  },

  async markCancelled(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE lake_queries SET status = 'CANCELLED', finished_at = now() WHERE id = $1`, [id]);
  },

  /**
   * Ids of the account's queries in `region` that read `storeId`, created in [since, until], newest
   * first, after the keyset `after`; at most `limit` (an integer: it is written into the statement).
   */
  async idsReadingStore(
    m: EntityManager,
    opts: {
      accountId: string;
      storeId: string;
      region: string;
      since: Date;
      until: Date;
      status?: string | null;
      after?: { createdAt: string; id: string } | null;
      limit: number;
    },
  ): Promise<string[]> {
    if (!Number.isSafeInteger(opts.limit)) throw new Error('lake queries: bad page size');
    const params: unknown[] = [opts.accountId, opts.storeId, opts.since, opts.until, opts.region];
    let sql = `SELECT id FROM lake_queries WHERE account_id = $1 AND $2 = ANY (event_data_store_ids)
        AND created_at >= $3 AND created_at <= $4 AND region = $5`;
    if (opts.status) sql += ` AND status = $${params.push(opts.status)}`;
    if (opts.after)
      sql += ` AND (created_at, id) < ($${params.push(opts.after.createdAt)}::timestamptz, $${params.push(opts.after.id)}::uuid)`;
    sql += ` ORDER BY created_at DESC, id DESC LIMIT ${opts.limit}`;
    const rows: Array<{ id: string }> = await m.query(sql, params);
    return rows.map((r) => r.id);
  },

  // ---- the lake-query queue (owner connection, all tenants) ----

  /**
   * Claims one QUEUED query (QUEUED → RUNNING) whose account runs fewer than `maxPerAccount`
   * queries: `only` that one, or else the fairest: the account with the fewest running queries
   * first, then the oldest query (`prefer` first among equals: the job's own). Claims are
   * serialized by a transaction-scoped advisory lock, so the per-account limit holds across
   * worker processes; the lock is held for one short statement.
   */
  async claimQuery(pool: Pool, maxPerAccount: number, opts: { only?: string; prefer?: string }): Promise<ClaimedQuery | null> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('opentrail:lake-query-claim'))`);
      const { rows } = await client.query(
        `WITH running AS (
           SELECT account_id, count(*)::int AS n FROM lake_queries WHERE status = 'RUNNING' GROUP BY account_id
         ), pick AS (
           SELECT q.id FROM lake_queries q LEFT JOIN running r ON r.account_id = q.account_id
           WHERE q.status = 'QUEUED' AND coalesce(r.n, 0) < $1 AND ($2::uuid IS NULL OR q.id = $2::uuid)
           ORDER BY coalesce(r.n, 0), (q.id = $3::uuid) IS TRUE DESC, q.created_at, q.id
           LIMIT 1
         )
         UPDATE lake_queries q SET status = 'RUNNING', started_at = now() FROM pick WHERE q.id = pick.id
         RETURNING ${CLAIMED_COLUMNS}`,
        [maxPerAccount, opts.only ?? null, opts.prefer ?? null],
      );
      await client.query('COMMIT');
      return (rows[0] as ClaimedQuery | undefined) ?? null;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  },

  /** An account's RUNNING queries (why one of its QUEUED queries waits). */
  async accountRunning(m: EntityManager, accountId: string): Promise<number> {
    const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM lake_queries WHERE account_id = $1 AND status = 'RUNNING'`, [accountId]);
    return n;
  },

  /**
   * QUEUED queries a runner could claim now (their account is under the limit), older than
   * `graceSeconds` (startQuery enqueues right after its commit), with their enqueue attempts.
   */
  async claimableQueued(pool: Pool, maxPerAccount: number, graceSeconds: number): Promise<Array<{ id: string; attempts: number }>> {
    const { rows } = await pool.query(
      `WITH running AS (SELECT account_id, count(*)::int AS n FROM lake_queries WHERE status = 'RUNNING' GROUP BY account_id)
       SELECT q.id, q.enqueue_attempts AS attempts FROM lake_queries q LEFT JOIN running r ON r.account_id = q.account_id
       WHERE q.status = 'QUEUED' AND coalesce(r.n, 0) < $1 AND q.created_at < now() - make_interval(secs => $2)
       ORDER BY q.created_at LIMIT 100`,
      [maxPerAccount, graceSeconds],
    );
    return rows.map((r: { id: string; attempts: number }) => ({ id: r.id, attempts: r.attempts }));
  },

  /** Counts one more enqueue attempt of `id`; returns the new count (the job id's suffix). */
  async nextEnqueueAttempt(pool: Pool, id: string): Promise<number> {
    const { rows } = await pool.query(
      `UPDATE lake_queries SET enqueue_attempts = enqueue_attempts + 1 WHERE id = $1 AND status = 'QUEUED' RETURNING enqueue_attempts`,
      [id],
    );
    return rows[0]?.enqueue_attempts ?? 0;
  },

  /**
   * RUNNING queries whose runner is gone after `graceSeconds` from their claim: they become FAILED, so they stop counting against the limits.
   */
  async failOrphanedRuns(pool: Pool, graceSeconds: number): Promise<number> {
    const { rowCount } = await pool.query(
      `UPDATE lake_queries q SET status = 'FAILED', error_message = 'The query runner stopped before the query finished.', finished_at = now(), backend_pid = NULL
       WHERE status = 'RUNNING' AND started_at < now() - make_interval(secs => $1)
         -- Alive: the statement runs (application_name), or its reader connection is still open
         -- (the last batches are being stored). A dead worker's connections are gone.
         AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = 'lake-query:' || q.id::text OR a.pid = q.backend_pid)`,
      [graceSeconds],
    );
    return rowCount ?? 0;
  },

  /** Ended queries whose results still wait for delivery (PENDING) after `graceSeconds`. */
  async undelivered(pool: Pool, graceSeconds: number): Promise<string[]> {
    const { rows } = await pool.query(
      `SELECT id FROM lake_queries WHERE delivery_status = 'PENDING' AND status IN ('FINISHED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
         AND finished_at < now() - make_interval(secs => $1) ORDER BY finished_at LIMIT 20`,
      [graceSeconds],
    );
    return rows.map((r: { id: string }) => r.id);
  },

  /**
   * The installation's identity, as its database's: the cluster's system identifier and the
   * database name, the same from every process and every spelling of DATABASE_URL.
   * pg_control_system() may be withheld from the owner on managed servers: the name alone then.
   */
  async installationIdentity(pool: Pool): Promise<string> {
    const { rows } = await pool
      .query(`SELECT system_identifier::text || '/' || current_database() AS id FROM pg_control_system()`)
      // Only where it is withheld (42501): a passing connection error must not cache the other
      // spelling in one process, or its jobs would all look like another installation's.
      .catch((err: { code?: string }) => {
        if (err.code !== '42501') throw err;
        return pool.query(`SELECT current_database() AS id`);
      });
    return String(rows[0].id);
  },
  /**
   * Ends a run: a RUNNING query becomes `status` with `error`; one cancelled meanwhile keeps
   * CANCELLED (cancelQuery set it). Either way the statistics and the end time are recorded and
   * the reader backend is released.
   */
  async finishRun(pool: Pool, id: string, status: LakeQueryStatus, error: string | null, statistics: LakeQueryStatistics): Promise<void> {
    await pool.query(
      `UPDATE lake_queries SET status = CASE WHEN status = 'RUNNING' THEN $2 ELSE status END, error_message = CASE WHEN status = 'RUNNING' THEN $3 ELSE error_message END,
         statistics = $4, finished_at = coalesce(finished_at, now()), backend_pid = NULL WHERE id = $1`,
      [id, status, error, JSON.stringify(statistics)],
    );
  },

  /** Cancels the statement of a query's reader backend: only that backend, recognised by pid and application_name (never a reused pid). */
  async cancelReaderBackend(client: PoolClient, pid: number, applicationName: string): Promise<void> {
    await client.query(`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND application_name = $2`, [
      pid,
      applicationName,
    ]);
  },

  /** Session lock of one query's delivery, so that a live runner's and the sweep's never overlap; false when another session holds it. */
  async tryLockDelivery(client: PoolClient, id: string): Promise<boolean> {
    const { rows } = await client.query(`SELECT pg_try_advisory_lock(hashtext('opentrail:lake-query-delivery:' || $1)) AS got`, [id]);
    return rows[0].got;
  },

  async unlockDelivery(client: PoolClient, id: string): Promise<void> {
    await client.query(`SELECT pg_advisory_unlock(hashtext('opentrail:lake-query-delivery:' || $1))`, [id]);
  },

  /** The query as its delivery needs it, while its deliveryStatus is still PENDING. */
  async pendingDelivery(client: PoolClient, id: string): Promise<PendingDelivery | null> {
    const { rows } = await client.query(
      `SELECT account_id, region, columns, event_data_store_ids, delivery_s3_uri, status, finished_at FROM lake_queries WHERE id = $1 AND delivery_status = 'PENDING'`,
      [id],
    );
    return (rows[0] as PendingDelivery | undefined) ?? null;
  },

  async setDeliveryStatus(client: PoolClient, id: string, status: string): Promise<void> {
    await client.query(`UPDATE lake_queries SET delivery_status = $2 WHERE id = $1`, [id, status]);
  },

  /** Retention: the queries created before `cutoff` (their results go first, in the same transaction). */
  async deleteCreatedBefore(client: PoolClient, cutoff: Date): Promise<number> {
    return (await client.query(`DELETE FROM lake_queries WHERE created_at < $1`, [cutoff])).rowCount ?? 0;
  },
};

/**
 * `lake_query_results`: a query's rows in numbered batches (jsonb arrays) of up to
 * RESULT_BATCH_ROWS rows, fewer when a batch reached its byte cap; a row's batch is found from the
 * running sum of `row_count`.
 */
export const lakeQueryResultRepository = {
  /** Stores one batch (a batch stored twice is kept once). */
  async insertBatch(pool: Pool, accountId: string, queryId: string, batch: number, rows: LakeResultRow[]): Promise<void> {
    await pool.query(
      `INSERT INTO lake_query_results (account_id, query_id, batch, row_count, rows) VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT DO NOTHING`,
      [accountId, queryId, batch, rows.length, JSON.stringify(rows)],
    );
  },

  /**
   * The batches holding any of the rows [offset, offset + count), in order, each with the index of
   * its first row: the sum of the row counts before it (only row_count is read for that; the rows
   * of other batches stay unread).
   */
  async batchesOverlapping(
    m: EntityManager,
    accountId: string,
    queryId: string,
    offset: number,
    count: number,
  ): Promise<Array<{ first: number; rows: LakeResultRow[] }>> {
    const rows: Array<{ first: string; rows: LakeResultRow[] }> = await m.query(
      `WITH b AS (
         SELECT batch, row_count, sum(row_count) OVER (ORDER BY batch) - row_count AS first
         FROM lake_query_results WHERE account_id = $1 AND query_id = $2
       )
       SELECT b.first, r.rows FROM b JOIN lake_query_results r ON r.account_id = $1 AND r.query_id = $2 AND r.batch = b.batch
       WHERE b.first < $3::bigint + $4 AND b.first + b.row_count > $3::bigint ORDER BY b.batch`,
      [accountId, queryId, offset, count],
    );
    return rows.map((r) => ({ first: Number(r.first), rows: r.rows }));
  },

  /** How many rows the query has stored. */
  async storedRowCount(m: EntityManager, accountId: string, queryId: string): Promise<number> {
    const [{ total }] = await m.query(
      `SELECT coalesce(sum(row_count), 0)::int AS total FROM lake_query_results WHERE account_id = $1 AND query_id = $2`,
      [accountId, queryId],
    );
    return Number(total);
  },

  /** One batch's rows, or null past the last batch. */
  async batch(client: PoolClient, accountId: string, queryId: string, batch: number): Promise<LakeResultRow[] | null> {
    const { rows } = await client.query(`SELECT rows FROM lake_query_results WHERE account_id = $1 AND query_id = $2 AND batch = $3`, [
      accountId,
      queryId,
      batch,
    ]);
    return rows.length ? (rows[0].rows as LakeResultRow[]) : null;
  },

  /** Retention: the results of the queries created before `cutoff`. */
  async deleteOfQueriesCreatedBefore(client: PoolClient, cutoff: Date): Promise<void> {
    await client.query(`DELETE FROM lake_query_results r USING lake_queries q WHERE q.id = r.query_id AND q.created_at < $1`, [cutoff]);
  },
};
