import type { Pool, PoolClient } from 'pg';
import { addMonths, lakePartitionStart, lakePartitions } from './lake-event.repository';

/**
 * The only statements that remove Lake events, run by the retention job as the table owner.
 * Row deletes declare themselves to the immutability trigger (`opentrail.lake_retention`) for
 * their own transaction only; partitions are detached and dropped (DDL: no row trigger fires, and
 * the application role cannot do either).
 */

/** Rows per DELETE: bounded so a big expiry never holds one long transaction (and its WAL burst). */
export const RETENTION_BATCH = 10_000;

export interface StoreCutoff {
  id: string;
  /** Events with event_time before this are expired for the store. */
  cutoff: Date;
}

async function inRetentionTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(`BEGIN; SELECT set_config('opentrail.lake_retention', 'on', true)`);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export const lakeRetentionRepository = {
  /** Every store's retention cutoff (pending-deletion stores keep expiring while they wait). */
  async storeCutoffs(pool: Pool, now: Date): Promise<StoreCutoff[]> {
    const { rows } = await pool.query(
      `SELECT id, $1::timestamptz - make_interval(days => retention_period) AS cutoff FROM event_data_stores`,
      [now],
    );
    return rows.map((r) => ({ id: r.id, cutoff: r.cutoff }));
  },

  /** Stores deleted more than `days` ago: purged with their events. */
  async storesToPurge(pool: Pool, now: Date, days: number): Promise<string[]> {
    const { rows } = await pool.query(
      `SELECT id FROM event_data_stores WHERE status = 'PENDING_DELETION' AND deleted_at <= $1::timestamptz - make_interval(days => $2)`,
      [now, days],
    );
    return rows.map((r) => r.id as string);
  },

  /**
   * Deletes about RETENTION_BATCH of one store's rows with `from` <= event_time < `before`, oldest
   * first, as one index range: the batch ends at the event_time of the row RETENTION_BATCH rows
   * further (an index walk), then a range DELETE like a plain one. Returns how many were deleted,
   * where the next batch starts and whether the range is exhausted. Starting each batch where the
   * previous ended never walks again over entries of rows already deleted (they stay in the index
   * until vacuum), and a range delete avoids a join per row (measured: bench/lake-retention.ts).
   */
  async deleteBatch(
    pool: Pool,
    storeId: string,
    from: Date | string,
    before: Date | string,
    limit = RETENTION_BATCH,
  ): Promise<{ deleted: number; next: Date; done: boolean }> {
    return inRetentionTransaction(pool, async (client) => {
      const { rows } = await client.query(
        `WITH b AS (
           SELECT event_time AS t FROM lake_events
           WHERE event_data_store_id = $1 AND event_time >= $2 AND event_time < $3
           ORDER BY event_time OFFSET $4 LIMIT 1),
         upper AS (
           -- Ties: a batch always moves forward, even when more than a batch share one time.
           SELECT CASE WHEN (SELECT t FROM b) IS NULL THEN $3::timestamptz
                       WHEN (SELECT t FROM b) = $2::timestamptz THEN (SELECT t FROM b) + interval '1 microsecond'
                       ELSE (SELECT t FROM b) END AS u),
         gone AS (
           DELETE FROM lake_events
           WHERE event_data_store_id = $1 AND event_time >= $2 AND event_time < (SELECT u FROM upper)
           RETURNING 1)
         SELECT (SELECT count(*)::int FROM gone) AS deleted, (SELECT u FROM upper) AS next, (SELECT t FROM b) IS NULL AS done`,
        [storeId, from, before, limit],
      );
      return { deleted: rows[0].deleted, next: rows[0].next, done: rows[0].done };
    });
  },

  /** Deletes every row of one store older than `before` (null: all), batch by batch. */
  async deleteAll(pool: Pool, storeId: string, before: Date | null): Promise<number> {
    let total = 0;
    let from: Date | string = '-infinity';
    for (;;) {
      const batch = await this.deleteBatch(pool, storeId, from, before ?? 'infinity');
      total += batch.deleted;
      if (batch.done) return total;
      from = batch.next;
    }
  },

  /** The store's row from the store table (retention never leaves one behind without its events). */
  async deleteStore(pool: Pool, storeId: string): Promise<void> {
    await pool.query(`DELETE FROM event_data_stores WHERE id = $1 AND status = 'PENDING_DELETION'`, [storeId]);
  },

  /**
   * Detaches and drops every monthly partition whose whole month is expired for every store that
   * has rows in it (one index probe per store and partition), and which ends before `keepFrom`.
   * Returns the partitions dropped. A partition that looks unused is checked again with the table
   * locked, against the stores as they are then: an import or channel that committed rows into it
   * meanwhile (or a store created since) keeps it.
   */
  async dropExpiredPartitions(pool: Pool, now: Date, keepFrom: Date): Promise<string[]> {
    const dropped: string[] = [];
    const client = await pool.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(hashtext('opentrail:lake-events-partitions'))`);
      for (const name of await lakePartitions(client)) {
        const month = lakePartitionStart(name);
        if (!month) continue;
        const end = addMonths(month, 1);
        // Months aggregation can still write into stay (they would only be created again).
        if (end > keepFrom) continue;
        if (await partitionInUse(client, name, now, end)) continue;
        await client.query('BEGIN');
        try {
          await client.query('LOCK TABLE lake_events IN ACCESS EXCLUSIVE MODE');
          if (await partitionInUse(client, name, now, end)) {
            await client.query('ROLLBACK');
            continue;
          }
          await client.query(`ALTER TABLE lake_events DETACH PARTITION ${name}`);
          await client.query(`DROP TABLE ${name}`);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
        dropped.push(name);
      }
      return dropped;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('opentrail:lake-events-partitions'))`).catch(() => undefined);
      client.release();
    }
  },
};

/** Whether a store that still keeps part of the month ending at `end` has rows in the partition. */
async function partitionInUse(client: PoolClient, partition: string, now: Date, end: Date): Promise<boolean> {
  // ARRAY(...) keeps it one index probe per store rather than a join over the partition.
  const { rows } = await client.query(
    `SELECT EXISTS (SELECT 1 FROM ${partition} WHERE event_data_store_id = ANY (ARRAY(
       SELECT id FROM event_data_stores WHERE $1::timestamptz - make_interval(days => retention_period) < $2))) AS used`,
    [now, end],
  );
  return rows[0].used;
}
