import type { Pool } from 'pg';

/**
 * The scheduling SQL of the lake-query queue (owner connection, all tenants): the fair claim,
 * the wait reason describeQuery shows, and the sweep's look-ups.
 */

export interface ClaimedQuery {
  id: string;
  account_id: string;
  region: string;
  columns: string[];
  compiled_sql: string;
  event_data_store_ids: string[];
  timeout_seconds: number;
  statistics: Record<string, number>;
  delivery_s3_uri: string | null;
}

const CLAIMED_COLUMNS = `q.id, q.account_id, q.region, q.columns, q.compiled_sql, q.event_data_store_ids, q.timeout_seconds, q.statistics, q.delivery_s3_uri`;

/**
 * Claims one QUEUED query (QUEUED → RUNNING) whose account runs fewer than `maxPerAccount`
 * queries: `only` that one, or else the fairest: the account with the fewest running queries
 * first, then the oldest query (`prefer` first among equals: the job's own). Claims are
 * serialized by a transaction-scoped advisory lock, so the per-account limit holds across
 * worker processes; the lock is held for one short statement.
 */
export async function claimQuery(pool: Pool, maxPerAccount: number, opts: { only?: string; prefer?: string }): Promise<ClaimedQuery | null> {
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
}

/** An account's RUNNING queries (why one of its QUEUED queries waits). */
export async function accountRunning(m: { query(sql: string, params: unknown[]): Promise<Array<{ n: number }>> }, accountId: string): Promise<number> {
  const [{ n }] = await m.query(`SELECT count(*)::int AS n FROM lake_queries WHERE account_id = $1 AND status = 'RUNNING'`, [accountId]);
  return n;
}

/**
 * QUEUED queries a runner could claim now (their account is under the limit), older than
 * `graceSeconds` (startQuery enqueues right after its commit), with their enqueue attempts.
 */
export async function claimableQueued(pool: Pool, maxPerAccount: number, graceSeconds: number): Promise<Array<{ id: string; attempts: number }>> {
  const { rows } = await pool.query(
    `WITH running AS (SELECT account_id, count(*)::int AS n FROM lake_queries WHERE status = 'RUNNING' GROUP BY account_id)
     SELECT q.id, q.enqueue_attempts AS attempts FROM lake_queries q LEFT JOIN running r ON r.account_id = q.account_id
     WHERE q.status = 'QUEUED' AND coalesce(r.n, 0) < $1 AND q.created_at < now() - make_interval(secs => $2)
     ORDER BY q.created_at LIMIT 100`,
    [maxPerAccount, graceSeconds],
  );
  return rows.map((r: { id: string; attempts: number }) => ({ id: r.id, attempts: r.attempts }));
}

/** Counts one more enqueue attempt of `id`; returns the new count (the job id's suffix). */
export async function nextEnqueueAttempt(pool: Pool, id: string): Promise<number> {
  const { rows } = await pool.query(`UPDATE lake_queries SET enqueue_attempts = enqueue_attempts + 1 WHERE id = $1 AND status = 'QUEUED' RETURNING enqueue_attempts`, [id]);
  return rows[0]?.enqueue_attempts ?? 0;
}

/**
 * RUNNING queries whose runner is gone after `graceSeconds` from their claim: they become FAILED, so they stop counting against the limits.
 */
export async function failOrphanedRuns(pool: Pool, graceSeconds: number): Promise<number> {
  const { rowCount } = await pool.query(
    `UPDATE lake_queries q SET status = 'FAILED', error_message = 'The query runner stopped before the query finished.', finished_at = now(), backend_pid = NULL
     WHERE status = 'RUNNING' AND started_at < now() - make_interval(secs => $1)
       -- Alive: the statement runs (application_name), or its reader connection is still open
       -- (the last batches are being stored). A dead worker's connections are gone.
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = 'lake-query:' || q.id::text OR a.pid = q.backend_pid)`,
    [graceSeconds],
  );
  return rowCount ?? 0;
}

/** Ended queries whose results still wait for delivery (PENDING) after `graceSeconds`. */
export async function undelivered(pool: Pool, graceSeconds: number): Promise<string[]> {
  const { rows } = await pool.query(
    `SELECT id FROM lake_queries WHERE delivery_status = 'PENDING' AND status IN ('FINISHED', 'FAILED', 'CANCELLED', 'TIMED_OUT')
       AND finished_at < now() - make_interval(secs => $1) ORDER BY finished_at LIMIT 20`,
    [graceSeconds],
  );
  return rows.map((r: { id: string }) => r.id);
}

/**
 * The installation's identity, as its database's: the cluster's system identifier and the
 * database name, the same from every process and every spelling of DATABASE_URL.
 * pg_control_system() may be withheld from the owner on managed servers: the name alone then.
 */
export async function installationIdentity(pool: Pool): Promise<string> {
  const { rows } = await pool
    .query(`SELECT system_identifier::text || '/' || current_database() AS id FROM pg_control_system()`)
    // Only where it is withheld (42501): a passing connection error must not cache the other
    // spelling in one process, or its jobs would all look like another installation's.
    .catch((err: { code?: string }) => {
      if (err.code !== '42501') throw err;
      return pool.query(`SELECT current_database() AS id`);
    });
  return String(rows[0].id);
}
