import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { recordCost } from './log-file-body';
import type { LogFileKind } from './log-file-key';

/**
 * Every statement on trail_pending_events and trail_log_files during delivery. All run on the
 * client that holds the group's advisory lock (see delivery.service.ts), as the owner.
 */

/** One (trail, event account, source region, file kind): the unit of single-flight delivery. */
export interface DeliveryGroup {
  trailId: string;
  accountId: string;
  region: string;
  /** Absent in jobs enqueued before Insights files existed: `CloudTrail`. */
  kind?: LogFileKind;
}

const kindOf = (g: DeliveryGroup): LogFileKind => g.kind ?? 'CloudTrail';

export interface PendingLogFile {
  id: string;
  trailId: string;
  trailAccountId: string;
  accountId: string;
  region: string;
  bucket: string;
  objectKey: string;
  eventCount: number;
  oldestEventTime: Date;
  newestEventTime: Date;
}

export interface DeliveredLogFile {
  sha256: string;
  objectSha256: string;
  byteSize: number;
  uncompressedSize: number;
}

function toFile(r: any): PendingLogFile {
  return {
    id: r.id,
    trailId: r.trail_id,
    trailAccountId: r.trail_account_id,
    accountId: r.account_id,
    region: r.region,
    bucket: r.bucket,
    objectKey: r.object_key,
    eventCount: r.event_count,
    oldestEventTime: r.oldest_event_time,
    newestEventTime: r.newest_event_time,
  };
}

export const trailLogFileRepository = {
  /** Groups with anything to deliver: unclaimed pending events, or a file claimed but not delivered. */
  async groupsWithPendingEvents(client: Pool | PoolClient, limit: number): Promise<DeliveryGroup[]> {
    const { rows } = await client.query(
      `SELECT DISTINCT trail_id, account_id, region, kind FROM trail_pending_events LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ trailId: r.trail_id, accountId: r.account_id, region: r.region, kind: r.kind }));
  },

  /** A file claimed earlier whose delivery did not commit (a crash or a storage error): redo it. */
  async findPendingFile(client: PoolClient, g: DeliveryGroup): Promise<PendingLogFile | null> {
    const { rows } = await client.query(
      `SELECT * FROM trail_log_files WHERE trail_id = $1 AND account_id = $2 AND region = $3 AND state = 'pending' AND kind = $4
       ORDER BY created_at LIMIT 1`,
      [g.trailId, g.accountId, g.region, kindOf(g)],
    );
    return rows[0] ? toFile(rows[0]) : null;
  },

  /**
   * Fixes the next log file of a group, in one transaction: its bucket and key, and its exact
   * event set (the oldest unclaimed events up to the record and byte caps, at least one), which
   * get `file_id`. Returns null when nothing is unclaimed. Pending rows whose event no longer
   * exists (dropped by retention) are removed, so they cannot hold a group open forever.
   */
  async claimNextFile(
    client: PoolClient,
    g: DeliveryGroup,
    target: { trailAccountId: string; bucket: string; keyFor: () => string },
    caps: { maxRecords: number; maxBytes: number },
  ): Promise<PendingLogFile | null> {
    await client.query('BEGIN');
    try {
      const { rows } = await client.query(
        `SELECT event_id, event_time FROM (
           SELECT p.event_id, p.event_time,
                  row_number() OVER w AS n,
                  sum(octet_length(e.record) + $6) OVER w AS running
           FROM (SELECT event_id, event_time FROM trail_pending_events
                 WHERE trail_id = $1 AND account_id = $2 AND region = $3 AND file_id IS NULL AND kind = $7
                 ORDER BY event_time, event_id LIMIT $4) p
           JOIN events e ON e.account_id = $2 AND e.event_id = p.event_id AND e.event_time = p.event_time
           WINDOW w AS (ORDER BY p.event_time, p.event_id)) s
         WHERE n = 1 OR running <= $5
         ORDER BY event_time, event_id`,
        [g.trailId, g.accountId, g.region, caps.maxRecords, caps.maxBytes, recordCost(0), kindOf(g)],
      );
      if (rows.length === 0) {
        await client.query(
          `DELETE FROM trail_pending_events p WHERE p.trail_id = $1 AND p.account_id = $2 AND p.region = $3 AND p.file_id IS NULL AND p.kind = $4
             AND NOT EXISTS (SELECT 1 FROM events e WHERE e.account_id = p.account_id AND e.event_id = p.event_id AND e.event_time = p.event_time)`,
          [g.trailId, g.accountId, g.region, kindOf(g)],
        );
        await client.query('COMMIT');
        return null;
      }
      const id = randomUUID();
      const ids = rows.map((r) => r.event_id);
      const times = rows.map((r) => r.event_time as Date);
      const inserted = await client.query(
        `INSERT INTO trail_log_files (id, trail_id, trail_account_id, account_id, region, bucket, object_key, state,
                                      event_count, oldest_event_time, newest_event_time, kind)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11) RETURNING *`,
        [id, g.trailId, target.trailAccountId, g.accountId, g.region, target.bucket, target.keyFor(), rows.length, times[0], times[times.length - 1], kindOf(g)],
      );
      await client.query(
        `UPDATE trail_pending_events p SET file_id = $4
         FROM unnest($5::uuid[], $6::timestamptz[]) AS k(event_id, event_time)
         WHERE p.trail_id = $1 AND p.account_id = $2 AND p.region = $3
           AND p.event_id = k.event_id AND p.event_time = k.event_time`,
        [g.trailId, g.accountId, g.region, id, ids, times],
      );
      await client.query('COMMIT');
      return toFile(inserted.rows[0]);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  },

  /** The stored records of a claimed file, in the file's fixed order. */
  async recordsOfFile(client: PoolClient, file: PendingLogFile): Promise<string[]> {
    const { rows } = await client.query(
      `SELECT e.record FROM trail_pending_events p
       JOIN events e ON e.account_id = p.account_id AND e.event_id = p.event_id AND e.event_time = p.event_time
       WHERE p.trail_id = $1 AND p.account_id = $2 AND p.region = $3 AND p.file_id = $4
       ORDER BY p.event_time, p.event_id`,
      [file.trailId, file.accountId, file.region, file.id],
    );
    return rows.map((r) => r.record as string);
  },

  /**
   * Inside the caller's transaction: the file becomes delivered (hash, sizes, final event count)
   * and its pending rows go. The state condition makes a second commit of the same file a no-op.
   */
  async markDelivered(client: PoolClient, file: PendingLogFile, body: DeliveredLogFile, eventCount: number): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE trail_log_files SET state = 'delivered', sha256 = $2, byte_size = $3, uncompressed_size = $4,
              event_count = $5, object_sha256 = $6, delivered_at = now()
       WHERE id = $1 AND state = 'pending'`,
      [file.id, body.sha256, body.byteSize, body.uncompressedSize, eventCount, body.objectSha256],
    );
    await client.query(
      `DELETE FROM trail_pending_events WHERE trail_id = $1 AND account_id = $2 AND region = $3 AND file_id = $4`,
      [file.trailId, file.accountId, file.region, file.id],
    );
    return (rowCount ?? 0) > 0;
  },

  /** A deleted trail delivers nothing more: its pending rows and undelivered files go. */
  async dropTrailBacklog(client: PoolClient, trailId: string): Promise<void> {
    await client.query('BEGIN');
    try {
      await client.query(`DELETE FROM trail_pending_events WHERE trail_id = $1`, [trailId]);
      await client.query(`DELETE FROM trail_log_files WHERE trail_id = $1 AND state = 'pending'`, [trailId]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  },
};
