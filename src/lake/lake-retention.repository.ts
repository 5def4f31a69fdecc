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
    const { rows } = await pool.query(`SELECT id, $1::timestamptz - make_interval(days => retention_period) AS cutoff FROM event_data_stores`, [now]);
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

  /** Deletes up to RETENTION_BATCH rows of one store older than `before`; returns how many. */
  async deleteBatch(pool: Pool, storeId: string, before: Date | null, limit = RETENTION_BATCH): Promise<number> {
    return inRetentionTransaction(pool, async (client) => {
      const result = await client.query(
        `DELETE FROM lake_events l
         USING (SELECT event_data_store_id, event_time, event_id FROM lake_events
                WHERE event_data_store_id = $1 AND ($2::timestamptz IS NULL OR event_time < $2)
                LIMIT $3) d
         WHERE l.event_data_store_id = d.event_data_store_id AND l.event_time = d.event_time AND l.event_id = d.event_id`,
        [storeId, before, limit],
      );
      return result.rowCount ?? 0;
    });
  },

  /** Deletes every row of one store older than `before` (null: all), batch by batch. */
  async deleteAll(pool: Pool, storeId: string, before: Date | null): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.deleteBatch(pool, storeId, before);
      total += n;
      if (n < RETENTION_BATCH) return total;
    }
  },

  /** The store's row from the store table (retention never leaves one behind without its events). */
  async deleteStore(pool: Pool, storeId: string): Promise<void> {
    await pool.query(`DELETE FROM event_data_stores WHERE id = $1 AND status = 'PENDING_DELETION'`, [storeId]);
  },

  /**
   * Detaches and drops every monthly partition whose whole month is expired for every store that
   * has rows in it (one index probe per store and partition), and which ends before `keepFrom`.
   * Returns the partitions dropped.
   */
  async dropExpiredPartitions(pool: Pool, cutoffs: StoreCutoff[], keepFrom: Date): Promise<string[]> {
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
        const needed = cutoffs.filter((c) => c.cutoff < end).map((c) => c.id);
        if (needed.length > 0) {
          // Stores that still keep part of this month: the partition goes only if none has rows in it.
          const { rows } = await client.query(`SELECT EXISTS (SELECT 1 FROM ${name} WHERE event_data_store_id = ANY($1::uuid[])) AS used`, [needed]);
          if (rows[0].used) continue;
        }
        await client.query(`ALTER TABLE lake_events DETACH PARTITION ${name}`);
        await client.query(`DROP TABLE ${name}`);
        dropped.push(name);
      }
      return dropped;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('opentrail:lake-events-partitions'))`).catch(() => undefined);
      client.release();
    }
  },
};
