import type { Pool, PoolClient } from 'pg';

/** One range partition: its table name and the [from, to) interval of the partition key. */
export interface RangePartition {
  name: string;
  from: Date;
  to: Date;
}

/** Names of a partitioned table's partitions, sorted. */
export async function listRangePartitions(db: Pool | PoolClient, parent: string): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [parent],
  );
  return rows.map((r) => r.relname as string);
}

/**
 * Creates the partitions of `parent` that do not exist yet, in one transaction under an advisory
 * lock (`lockKey`), so concurrent callers (api and workers booting together) take turns. Run it
 * in its own transaction, never inside a request or routing one: attaching a partition locks the
 * parent table. Names and bounds come from our own code, never from a request.
 */
export async function ensureRangePartitions(pool: Pool, parent: string, lockKey: string, wanted: RangePartition[]): Promise<string[]> {
  const client = await pool.connect();
  const created: string[] = [];
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [lockKey]);
    const existing = new Set(await listRangePartitions(client, parent));
    for (const p of wanted) {
      if (existing.has(p.name)) continue;
      await client.query(
        `CREATE TABLE ${p.name} PARTITION OF ${parent} FOR VALUES FROM ('${p.from.toISOString()}') TO ('${p.to.toISOString()}')`,
      );
      created.push(p.name);
    }
    await client.query('COMMIT');
    return created;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
