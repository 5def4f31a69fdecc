import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ensureRangePartitions, listRangePartitions } from '../db/range-partitions';
import { EVENT_COLUMNS as COLUMNS, eventCopyLine } from './event-copy';
import type { EventRow } from './event-record';

/**
 * Every hand-written SQL statement on `events` and `event_outbox`, in one file so the hot queries
 * can be reviewed together. Tenant statements take a client from `db.inTenantRaw` (row-level
 * security applies); system statements (partitions, outbox routing) take the owner's pool.
 */

/** ~1000 rows per INSERT is the measured sweet spot (notes/measured-limits.md); 19 params a row. */
export const MAX_ROWS_PER_INSERT = 1000;
/**
 * From this many rows a batch goes through COPY into a session temp table and one INSERT … SELECT
 * (measured here: ~10k rows/s against ~6.6k for a 1000-row parameterised INSERT, and 0.74× a raw
 * COPY). COPY straight into `events` is not possible: PostgreSQL refuses COPY FROM on a table with
 * row-level security, and it could not skip duplicates.
 */
const STAGING_THRESHOLD = 64;

/** Who writes: a tenant transaction (the tenant role, under RLS) or the service (its own role). */
export type StagingWriter = 'tenant' | 'service';
const STAGING_TABLES: Record<StagingWriter, string> = { tenant: 'events_staging', service: 'events_staging_service' };

const INSERT_NEW_WITH_OUTBOX = (source: string) => `
  WITH inserted AS (
    INSERT INTO events (${COLUMNS.join(',')}) ${source}
    ON CONFLICT DO NOTHING RETURNING event_id, event_time)
  INSERT INTO event_outbox (account_id, event_ids, event_times)
  SELECT $1, array_agg(event_id), array_agg(event_time) FROM inserted HAVING count(*) > 0
  RETURNING id, cardinality(event_ids) AS inserted`;

export interface EventKey {
  eventId: string;
  eventTime: Date;
}

export interface OutboxBatch {
  id: string;
  accountId: string;
  eventIds: string[];
  eventTimes: Date[];
}

/** One event of an outbox batch as the routers read it: every column any router needs, and the record. */
export interface BatchEvent {
  eventId: string;
  eventTime: Date;
  region: string;
  eventSource: string;
  eventName: string;
  eventCategory: string;
  readOnly: boolean | null;
  managementEvent: boolean;
  errorCode: string | null;
  userIdentityArn: string | null;
  userAgent: string | null;
  record: string;
}

/** Filters of one LookupEvents page; every query is bounded by account, region and time. */
const DAY_MS = 86_400_000;

export interface LookupFilter {
  accountId: string;
  region: string;
  startTime: Date;
  endTime: Date;
  insight: boolean;
  attributes: Array<{ column: LookupColumn; value: string | boolean }>;
  /** Insights events of these types only (`insightDetails.insightType`); all when absent. */
  insightTypes?: string[];
  after: EventKey | null;
  limit: number;
}

export type LookupColumn =
  'event_id' | 'event_name' | 'read_only' | 'username' | 'resource_types' | 'resource_names' | 'event_source' | 'access_key_id';

export interface StoredEventRow {
  event_id: string;
  event_time: Date;
  event_name: string;
  event_source: string;
  username: string | null;
  read_only: boolean | null;
  access_key_id: string | null;
  error_code: string | null;
  region: string;
  source_ip_address: string | null;
  resource_types: string[];
  resource_names: string[];
  record: string;
}

function outboxResult(result: { rows: Array<{ id: string; inserted: string | number }> }): { inserted: number; outboxId: string | null } {
  const row = result.rows[0];
  return row ? { inserted: Number(row.inserted), outboxId: String(row.id) } : { inserted: 0, outboxId: null };
}

function rowValues(r: EventRow): unknown[] {
  return [
    r.accountId,
    r.eventId,
    r.eventTime,
    r.region,
    r.eventName,
    r.eventSource,
    r.eventCategory,
    r.eventType,
    r.managementEvent,
    r.readOnly,
    r.username,
    r.accessKeyId,
    r.userIdentityArn,
    r.userAgent,
    r.sourceIpAddress,
    r.errorCode,
    r.resourceTypes,
    r.resourceNames,
    r.record,
  ];
}

export const eventRepository = {
  /** Whether insertEventsWithOutbox writes `count` rows in one statement (no temp-table staging). */
  isSingleStatement(count: number): boolean {
    return count < STAGING_THRESHOLD;
  },

  /**
   * Inserts new events and, in the same statement, the outbox row listing the ones that were new
   * (none when every row was a duplicate): INSERT … ON CONFLICT DO NOTHING stores a repeated
   * (account, eventID, eventTime) once, and RETURNING tells which rows were new. Must run inside
   * a tenant transaction; rows must be ≤ MAX_ROWS_PER_INSERT.
   */
  async insertEventsWithOutbox(
    client: PoolClient,
    accountId: string,
    rows: EventRow[],
    writer: StagingWriter = 'tenant',
  ): Promise<{ inserted: number; outboxId: string | null }> {
    if (rows.length === 0) return { inserted: 0, outboxId: null };
    if (rows.length >= STAGING_THRESHOLD)
      return this.insertCopyWithOutbox(client, accountId, [Buffer.from(rows.map(eventCopyLine).join(''))], writer);
    const params: unknown[] = [accountId];
    const tuples = rows.map((r) => {
      const base = params.length;
      params.push(...rowValues(r));
      return `(${COLUMNS.map((_, i) => `$${base + i + 1}`).join(',')})`;
    });
    return outboxResult(await client.query(INSERT_NEW_WITH_OUTBOX(`VALUES ${tuples.join(',')}`), params));
  },

  /**
   * The same for rows already formatted as COPY text (eventCopyLine), all of `accountId`: they
   * are copied into a session temp table and inserted from there under row-level security.
   */
  async insertCopyWithOutbox(
    client: PoolClient,
    accountId: string,
    copyText: Buffer[],
    writer: StagingWriter = 'tenant',
  ): Promise<{ inserted: number; outboxId: string | null }> {
    // Session-local and emptied at every commit; rows never outlive their transaction. Created
    // each time (a no-op once it exists) because a rolled-back transaction takes it away again.
    // A pooled session serves the service and tenants by turns, and a temp table belongs to the
    // role that made it: each role stages in a table of its own, or the other is refused.
    const staging = STAGING_TABLES[writer];
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${staging} (LIKE events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
    await pipeline(Readable.from(copyText), client.query(copyFrom(`COPY ${staging} (${COLUMNS.join(',')}) FROM STDIN`)));
    return outboxResult(await client.query(INSERT_NEW_WITH_OUTBOX(`SELECT ${COLUMNS.join(',')} FROM ${staging}`), [accountId]));
  },

  /**
   * Loads rows already formatted as COPY text (eventCopyLine) straight into `events`, with no
   * outbox row: they are history only, never routed to trails or data stores. For loading a
   * history at COPY speed (the benchmarks' million-event history); only the table's owner may
   * (row-level security refuses COPY FROM to tenant roles), and the partitions covering the rows
   * must exist (ensurePartitions). A duplicate key fails the whole COPY.
   */
  async bulkLoadHistory(client: Pick<PoolClient, 'query'>, copyText: AsyncIterable<string | Buffer>): Promise<void> {
    await pipeline(Readable.from(copyText), client.query(copyFrom(`COPY events (${COLUMNS.join(',')}) FROM STDIN`)));
  },

  /**
   * The newest day first, then, if the page is not full, the rest of the range in one statement.
   * Each statement names its time range, so the planner prunes to the partitions it can touch:
   * a busy account fills a page from one partition; a sparse one costs a second, wider query.
   */
  async lookup(client: PoolClient, f: LookupFilter): Promise<StoredEventRow[]> {
    const upper = f.after && f.after.eventTime < f.endTime ? f.after.eventTime : f.endTime;
    if (upper < f.startTime) return [];
    const split = new Date(Math.max(f.startTime.getTime(), upper.getTime() - DAY_MS));
    const rows = await this.lookupRange(client, f, split, upper, true, f.limit);
    if (rows.length < f.limit && split > f.startTime) {
      rows.push(...(await this.lookupRange(client, f, f.startTime, split, false, f.limit - rows.length)));
    }
    return rows;
  },

  /** One keyset page within [lower, upper] (upper exclusive unless `upperInclusive`), newest first. */
  async lookupRange(
    client: PoolClient,
    f: LookupFilter,
    lower: Date,
    upper: Date,
    upperInclusive: boolean,
    limit: number,
  ): Promise<StoredEventRow[]> {
    const params: unknown[] = [f.accountId, f.region, lower, upper];
    const where = ['account_id = $1', 'region = $2', 'event_time >= $3', upperInclusive ? 'event_time <= $4' : 'event_time < $4'];
    where.push(f.insight ? `event_category = 'Insight'` : `event_category = 'Management'`);
    for (const a of f.attributes) {
      params.push(a.value);
      const p = `$${params.length}`;
      if (a.column === 'resource_types' || a.column === 'resource_names') where.push(`${p}::text = ANY(${a.column})`);
      else if (a.column === 'event_id') where.push(`event_id = ${p}::uuid`);
      else where.push(`${a.column} = ${p}`);
    }
    if (f.insightTypes) {
      params.push(f.insightTypes);
      where.push(`(record::jsonb -> 'insightDetails' ->> 'insightType') = ANY($${params.length}::text[])`);
    }
    if (f.after) {
      params.push(f.after.eventTime, f.after.eventId);
      where.push(`(event_time, event_id) < ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(limit);
    const { rows } = await client.query(
      `SELECT event_id, event_time, event_name, event_source, username, read_only, access_key_id, error_code,
              region, source_ip_address, resource_types, resource_names, record
       FROM events WHERE ${where.join(' AND ')}
       ORDER BY event_time DESC, event_id DESC LIMIT $${params.length}`,
      params,
    );
    return rows;
  },

  // ---- partitions (system work, as the table owner) ----

  /**
   * Creates the weekly partitions `events_wYYYYMMDD` (named by their Monday, UTC) covering
   * [from, to]. Weekly, not daily: a lookup over the 90-day history is planned over ~14
   * partitions instead of ~97 (planning cost ~0.15 ms a partition with its four indexes, measured),
   * and retention still drops whole partitions. The advisory lock makes two processes doing this
   * at once (api and workers booting together) take turns.
   */
  async ensurePartitions(pool: Pool, from: Date, to: Date): Promise<string[]> {
    const wanted = [];
    for (let week = startOfUtcWeek(from); week <= to; week = addDays(week, 7))
      wanted.push({ name: partitionName(week), from: week, to: addDays(week, 7) });
    return ensureRangePartitions(pool, 'events', 'opentrail:events-partitions', wanted);
  },

  /**
   * Detaches and drops every partition whose whole week is before `cutoff` (never DELETE). Up to
   * six days past the retention window can remain stored until their week expires; lookups never
   * return them (they are bounded to the window).
   */
  async dropPartitionsBefore(pool: Pool, cutoff: Date): Promise<string[]> {
    const client = await pool.connect();
    const dropped: string[] = [];
    try {
      await client.query(`SELECT pg_advisory_lock(hashtext('opentrail:events-partitions'))`);
      const { rows } = await client.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'events'::regclass ORDER BY c.relname`,
      );
      for (const { relname } of rows as Array<{ relname: string }>) {
        const week = partitionStart(relname);
        if (!week || addDays(week, 7) > cutoff) continue;
        await client.query(`ALTER TABLE events DETACH PARTITION ${relname}`);
        await client.query(`DROP TABLE ${relname}`);
        dropped.push(relname);
      }
      return dropped;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('opentrail:events-partitions'))`).catch(() => undefined);
      client.release();
    }
  },

  listPartitions(pool: Pool): Promise<string[]> {
    return listRangePartitions(pool, 'events');
  },

  // ---- outbox (system work) ----

  /**
   * The events of a batch in one statement, in (eventTime, eventID) order. The explicit time
   * bounds let the planner prune to the day partitions the batch touches before joining the key
   * arrays. Routers go through `batchEvents` (outbox.service.ts), which reads once per attempt.
   */
  async eventsOfBatch(client: Pool | PoolClient, accountId: string, eventIds: string[], eventTimes: Date[]): Promise<BatchEvent[]> {
    if (eventIds.length === 0) return [];
    let min = eventTimes[0].getTime();
    let max = min;
    for (const t of eventTimes) {
      const ms = t.getTime();
      if (ms < min) min = ms;
      if (ms > max) max = ms;
    }
    const { rows } = await client.query(
      `SELECT e.event_id, e.event_time, e.region, e.event_source, e.event_name, e.event_category, e.read_only,
              e.management_event, e.error_code, e.user_identity_arn, e.user_agent, e.record
       FROM events e
       JOIN unnest($2::uuid[], $3::timestamptz[]) AS k(event_id, event_time)
         ON e.event_id = k.event_id AND e.event_time = k.event_time
       WHERE e.account_id = $1 AND e.event_time >= $4 AND e.event_time <= $5
       ORDER BY e.event_time, e.event_id`,
      [accountId, eventIds, eventTimes, new Date(min), new Date(max)],
    );
    return rows.map((r) => ({
      eventId: r.event_id,
      eventTime: r.event_time,
      region: r.region,
      eventSource: r.event_source,
      eventName: r.event_name,
      eventCategory: r.event_category,
      readOnly: r.read_only,
      managementEvent: r.management_event,
      errorCode: r.error_code,
      userIdentityArn: r.user_identity_arn,
      userAgent: r.user_agent,
      record: r.record,
    }));
  },

  /**
   * Marks one outbox row routed and hands it to `route` in the same transaction. The conditional
   * UPDATE takes the row lock, so a concurrent duplicate job waits and then finds it routed:
   * each row is routed exactly once. Returns false when it was already routed.
   */
  async routeOutboxRow(pool: Pool, id: string, route: (client: PoolClient, batch: OutboxBatch) => Promise<void>): Promise<boolean> {
    const client = await pool.connect();
    try {
      // The routing step's output and its routed mark commit together and can be rebuilt from the
      // outbox (routing is idempotent), so this commit need not wait for its WAL flush: a crash
      // loses both together and the sweeper routes the batch again. Request commits keep waiting.
      await client.query(`BEGIN; SET LOCAL synchronous_commit = off`);
      const { rows } = await client.query(
        `UPDATE event_outbox SET routed_at = now(), attempts = attempts + 1
         WHERE id = $1 AND routed_at IS NULL RETURNING id, account_id, event_ids, event_times`,
        [id],
      );
      if (rows.length === 0) {
        await client.query('ROLLBACK');
        return false;
      }
      const r = rows[0];
      await route(client, { id: String(r.id), accountId: r.account_id, eventIds: r.event_ids, eventTimes: r.event_times });
      await client.query('COMMIT');
      return true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  },

  /** Unrouted rows older than `olderThanSeconds`, stamped as re-enqueued; returns their ids and attempt count. */
  async claimStaleOutbox(pool: Pool, olderThanSeconds: number, limit: number): Promise<Array<{ id: string; attempts: number }>> {
    const { rows } = await pool.query(
      `UPDATE event_outbox SET enqueued_at = now(), attempts = attempts + 1
       WHERE id IN (SELECT id FROM event_outbox WHERE routed_at IS NULL
                      AND coalesce(enqueued_at, created_at) < now() - make_interval(secs => $1)
                    ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, attempts`,
      [olderThanSeconds, limit],
    );
    return rows.map((r) => ({ id: String(r.id), attempts: r.attempts }));
  },

  /** Deletes routed outbox rows older than `olderThanHours`, in bounded batches. */
  async pruneRoutedOutbox(pool: Pool, olderThanHours: number): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await pool.query(
        `DELETE FROM event_outbox WHERE id IN (SELECT id FROM event_outbox
           WHERE routed_at IS NOT NULL AND routed_at < now() - make_interval(hours => $1) LIMIT 5000)`,
        [olderThanHours],
      );
      total += rowCount ?? 0;
      if ((rowCount ?? 0) < 5000) return total;
    }
  },
};

export function startOfUtcDay(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86_400_000);
}

/** Monday 00:00 UTC of the week containing `d`. */
export function startOfUtcWeek(d: Date): Date {
  const day = startOfUtcDay(d);
  return addDays(day, -((day.getUTCDay() + 6) % 7));
}

/** The partition holding events of the week that contains `d`. */
export function partitionName(d: Date): string {
  return `events_w${startOfUtcWeek(d).toISOString().slice(0, 10).replace(/-/g, '')}`;
}

function partitionStart(name: string): Date | null {
  const m = /^events_w(\d{4})(\d{2})(\d{2})$/.exec(name);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}
