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

const groupLockKey = (g: DeliveryGroup) =>
  `opentrail:delivery:${g.trailId}:${g.accountId}:${g.region}${g.kind === 'CloudTrail-Insight' ? ':insight' : ''}`;

export interface PendingLogFile {
  id: string;
  trailId: string;
  trailAccountId: string;
  accountId: string;
  region: string;
  bucket: string;
  objectKey: string;
  kind: LogFileKind;
  eventCount: number;
  oldestEventTime: Date;
  newestEventTime: Date;
  /**
   * The file's fixed event set, in file order. Null only for files claimed by an earlier version,
   * which marked their pending rows with `file_id` instead (still delivered, see recordsOfFile).
   */
  eventIds: string[] | null;
  eventTimes: Date[] | null;
}

/** A file just claimed, with its records (read by the claim itself: the first write needs no second read). */
export interface ClaimedLogFile {
  file: PendingLogFile;
  records: string[];
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
    kind: r.kind,
    eventCount: r.event_count,
    oldestEventTime: r.oldest_event_time,
    newestEventTime: r.newest_event_time,
    eventIds: r.event_ids ?? null,
    eventTimes: r.event_times ?? null,
  };
}

interface RecordRow {
  eventId: string;
  eventTime: Date;
  record: string;
}

/**
 * Stored records of the given events (all of one account and source region) in (time, id) order;
 * events gone since (retention) are simply absent. The time bounds prune events' day partitions
 * at plan time, and the region lets the planner read just that slice of the account's
 * (account, region, time) index instead of probing the primary key once per event.
 */
async function readRecords(client: PoolClient, accountId: string, region: string, ids: string[], times: Date[]): Promise<RecordRow[]> {
  let lo = times[0].getTime();
  let hi = lo;
  for (const t of times) {
    const ms = t.getTime();
    if (ms < lo) lo = ms;
    if (ms > hi) hi = ms;
  }
  const { rows } = await client.query(
    `SELECT k.event_id, k.event_time, e.record FROM unnest($3::uuid[], $4::timestamptz[]) AS k(event_id, event_time)
     JOIN events e ON e.account_id = $1 AND e.region = $2 AND e.event_id = k.event_id AND e.event_time = k.event_time
                  AND e.event_time >= $5 AND e.event_time <= $6
     ORDER BY k.event_time, k.event_id`,
    [accountId, region, ids, times, new Date(lo), new Date(hi)],
  );
  return rows.map((r) => ({ eventId: r.event_id, eventTime: r.event_time, record: r.record }));
}

export const trailLogFileRepository = {
  /**
   * Takes the group's session advisory lock on this connection, without waiting: false when
   * another process delivers the group. PostgreSQL releases it if this process dies.
   */
  async tryLockGroup(client: PoolClient, g: DeliveryGroup): Promise<boolean> {
    const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [groupLockKey(g)]);
    return rows[0].ok;
  },

  async unlockGroup(client: PoolClient, g: DeliveryGroup): Promise<void> {
    await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [groupLockKey(g)]);
  },

  /**
   * Groups with anything to deliver: unclaimed pending events, or a file claimed but not delivered
   * (its rows stay until it is). A skip scan along the primary key, one index descent per group:
   * DISTINCT over the table read every pending row on every tick, i.e. cost grew with the backlog.
   */
  async groupsWithPendingEvents(client: Pool | PoolClient, limit: number): Promise<DeliveryGroup[]> {
    const { rows } = await client.query(
      `WITH RECURSIVE g AS (
         (SELECT trail_id, account_id, region, kind FROM trail_pending_events ORDER BY trail_id, account_id, region, kind LIMIT 1)
         UNION ALL
         SELECT n.trail_id, n.account_id, n.region, n.kind FROM g CROSS JOIN LATERAL (
           SELECT p.trail_id, p.account_id, p.region, p.kind FROM trail_pending_events p
           WHERE (p.trail_id, p.account_id, p.region, p.kind) > (g.trail_id, g.account_id, g.region, g.kind)
           ORDER BY p.trail_id, p.account_id, p.region, p.kind LIMIT 1) n)
       SELECT trail_id, account_id, region, kind FROM g LIMIT $1`,
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
   * event set (the oldest pending events up to the record and byte caps, at least one), stored
   * on the file row as (event_ids, event_times). Returns null when nothing is pending. Pending
   * rows whose event no longer exists (dropped by retention) are removed, so they cannot hold a
   * group open forever.
   *
   * The pending rows themselves are not touched (no per-row UPDATE: that was most of delivery's
   * cost, a new heap tuple and index entries per event). Exactly-once still holds because the
   * caller only claims when the group has no pending file (findPendingFile first) and holds the
   * group's advisory lock: every pending row of the group is then unclaimed, and the rows of this
   * file are deleted in the transaction that marks it delivered, before any next claim.
   */
  async claimNextFile(
    client: PoolClient,
    g: DeliveryGroup,
    target: { trailAccountId: string; bucket: string; keyFor: () => string },
    caps: { maxRecords: number; maxBytes: number },
  ): Promise<ClaimedLogFile | null> {
    await client.query('BEGIN');
    try {
      // The group's oldest rows, read in key order (the primary key is the group's queue).
      const pending = await client.query(
        `SELECT event_id, event_time FROM trail_pending_events
         WHERE trail_id = $1 AND account_id = $2 AND region = $3 AND kind = $4 AND file_id IS NULL
         ORDER BY event_time, event_id LIMIT $5`,
        [g.trailId, g.accountId, g.region, kindOf(g), caps.maxRecords],
      );
      const found =
        pending.rows.length === 0
          ? []
          : await readRecords(
              client,
              g.accountId,
              g.region,
              pending.rows.map((r) => r.event_id),
              pending.rows.map((r) => r.event_time),
            );
      // The byte cap: the longest prefix that fits, and at least one record.
      const rows: RecordRow[] = [];
      let bytes = 0;
      for (const r of found) {
        bytes += recordCost(Buffer.byteLength(r.record, 'utf8'));
        if (rows.length > 0 && bytes > caps.maxBytes) break;
        rows.push(r);
      }
      if (rows.length === 0) {
        await client.query(
          `DELETE FROM trail_pending_events p WHERE p.trail_id = $1 AND p.account_id = $2 AND p.region = $3 AND p.file_id IS NULL AND p.kind = $4
             AND NOT EXISTS (SELECT 1 FROM events e WHERE e.account_id = p.account_id AND e.event_id = p.event_id AND e.event_time = p.event_time)`,
          [g.trailId, g.accountId, g.region, kindOf(g)],
        );
        await client.query('COMMIT');
        return null;
      }
      const file: PendingLogFile = {
        id: randomUUID(),
        trailId: g.trailId,
        trailAccountId: target.trailAccountId,
        accountId: g.accountId,
        region: g.region,
        bucket: target.bucket,
        objectKey: target.keyFor(),
        kind: kindOf(g),
        eventCount: rows.length,
        oldestEventTime: rows[0].eventTime,
        newestEventTime: rows[rows.length - 1].eventTime,
        eventIds: rows.map((r) => r.eventId),
        eventTimes: rows.map((r) => r.eventTime),
      };
      // No RETURNING *: it would send the event set back to be parsed again.
      await client.query(
        `INSERT INTO trail_log_files (id, trail_id, trail_account_id, account_id, region, bucket, object_key, state,
                                      event_count, oldest_event_time, newest_event_time, kind, event_ids, event_times)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, $10, $11, $12, $13)`,
        [
          file.id,
          file.trailId,
          file.trailAccountId,
          file.accountId,
          file.region,
          file.bucket,
          file.objectKey,
          file.eventCount,
          file.oldestEventTime,
          file.newestEventTime,
          file.kind,
          file.eventIds,
          file.eventTimes,
        ],
      );
      await client.query('COMMIT');
      return { file, records: rows.map((r) => r.record) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  },

  /**
   * The stored records of a claimed file, in the file's fixed order (event time, event id) — the
   * same records in the same order as the claim returned, so a rewrite produces the same bytes.
   */
  async recordsOfFile(client: PoolClient, file: PendingLogFile): Promise<string[]> {
    if (file.eventIds && file.eventTimes) {
      return (await readRecords(client, file.accountId, file.region, file.eventIds, file.eventTimes)).map((r) => r.record);
    }
    // A file claimed by an earlier version: its rows carry file_id.
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
    // The event set is no longer needed once delivered (the pending rows go now): not kept for years.
    const { rowCount } = await client.query(
      `UPDATE trail_log_files SET state = 'delivered', sha256 = $2, byte_size = $3, uncompressed_size = $4,
              event_count = $5, object_sha256 = $6, delivered_at = now(), event_ids = NULL, event_times = NULL
       WHERE id = $1 AND state = 'pending'`,
      [file.id, body.sha256, body.byteSize, body.uncompressedSize, eventCount, body.objectSha256],
    );
    if (file.eventIds && file.eventTimes) {
      await client.query(
        `DELETE FROM trail_pending_events p USING unnest($5::uuid[], $6::timestamptz[]) AS k(event_id, event_time)
         WHERE p.trail_id = $1 AND p.account_id = $2 AND p.region = $3 AND p.kind = $4
           AND p.event_time >= $7 AND p.event_time <= $8
           AND p.event_id = k.event_id AND p.event_time = k.event_time`,
        [file.trailId, file.accountId, file.region, file.kind, file.eventIds, file.eventTimes, file.oldestEventTime, file.newestEventTime],
      );
    } else {
      await client.query(`DELETE FROM trail_pending_events WHERE trail_id = $1 AND account_id = $2 AND region = $3 AND file_id = $4`, [
        file.trailId,
        file.accountId,
        file.region,
        file.id,
      ]);
    }
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
