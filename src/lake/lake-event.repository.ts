import type { Pool, PoolClient } from 'pg';
import { ensureRangePartitions, listRangePartitions } from '../db/range-partitions';

/**
 * Every statement that writes `lake_events` (the only table of Lake events; see the migration
 * LakeEventsAndRowLevelSecurity). Inserts are idempotent on the primary key
 * (event_data_store_id, event_time, event_id): aggregation retries, resumed imports and
 * repeated channel calls never store an event twice. Nothing here updates a row; only
 * lake-retention.repository.ts deletes, as the owner, for retention.
 */

/** A Lake record: the CloudTrail JSON of an event (camelCase keys), or an ActivityAuditLog record (spec §8.3.5). */
export type LakeRecord = Record<string, unknown>;

/** Records per INSERT statement (one jsonb parameter; the rest of the work is in SQL). */
export const LAKE_INSERT_CHUNK = 1000;

/**
 * The promoted columns are read from the record in SQL so that the mapping lives in one place.
 * Integration records keep their caller-provided fields under `eventData`: those are promoted
 * where the top level has none.
 */
const INSERT_SQL = `
  INSERT INTO lake_events (
    event_data_store_id, store_account_id, event_id, event_time,
    event_version, event_category, event_type, event_source, event_name, aws_region, recipient_account_id,
    source_ip_address, user_agent, error_code, error_message, request_id, shared_event_id,
    read_only, management_event,
    user_identity_type, user_identity_principal_id, user_identity_arn, user_identity_account_id,
    user_identity_access_key_id, user_identity_user_name, record)
  SELECT $1, $2, r->>'eventID', (r->>'eventTime')::timestamptz,
    r->>'eventVersion', r->>'eventCategory', r->>'eventType',
    coalesce(r->>'eventSource', r#>>'{eventData,eventSource}'),
    coalesce(r->>'eventName', r#>>'{eventData,eventName}'),
    r->>'awsRegion', r->>'recipientAccountId',
    coalesce(r->>'sourceIPAddress', r#>>'{eventData,sourceIPAddress}'),
    coalesce(r->>'userAgent', r#>>'{eventData,userAgent}'),
    coalesce(r->>'errorCode', r#>>'{eventData,errorCode}'),
    coalesce(r->>'errorMessage', r#>>'{eventData,errorMessage}'),
    r->>'requestID', r->>'sharedEventID',
    CASE jsonb_typeof(r->'readOnly') WHEN 'boolean' THEN (r->>'readOnly')::boolean END,
    CASE jsonb_typeof(r->'managementEvent') WHEN 'boolean' THEN (r->>'managementEvent')::boolean END,
    coalesce(r#>>'{userIdentity,type}', r#>>'{eventData,userIdentity,type}'),
    coalesce(r#>>'{userIdentity,principalId}', r#>>'{eventData,userIdentity,principalId}'),
    r#>>'{userIdentity,arn}', r#>>'{userIdentity,accountId}',
    r#>>'{userIdentity,accessKeyId}', r#>>'{userIdentity,userName}',
    r
  FROM jsonb_array_elements($3::jsonb) AS r
  ON CONFLICT DO NOTHING`;

/**
 * Inserts `records` into store `storeId` (owned by `storeAccountId`); returns how many were new.
 * Works on a tenant client (row-level security: the store must be the tenant's) and on an owner
 * client (aggregation, imports). The months the records fall in must have partitions
 * (ensureLakePartitions). Also the helper tests use to seed a store.
 */
export async function insertLakeEvents(
  client: PoolClient,
  storeId: string,
  storeAccountId: string,
  records: LakeRecord[],
): Promise<number> {
  return insertLakeEventsJson(
    client,
    storeId,
    storeAccountId,
    records.map((r) => JSON.stringify(r)),
  );
}

/** The same for records already serialised (events.record is stored as JSON text): no re-parse in Node. */
export async function insertLakeEventsJson(
  client: PoolClient,
  storeId: string,
  storeAccountId: string,
  jsonRecords: string[],
): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < jsonRecords.length; i += LAKE_INSERT_CHUNK) {
    const chunk = jsonRecords.slice(i, i + LAKE_INSERT_CHUNK);
    const result = await client.query(INSERT_SQL, [storeId, storeAccountId, `[${chunk.join(',')}]`]);
    inserted += result.rowCount ?? 0;
  }
  return inserted;
}

// ---- monthly partitions (system work, as the table owner) ----

export function startOfUtcMonth(d: Date): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
}

export function addMonths(d: Date, months: number): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
}

/** `lake_events_m202611` holds November 2026 (UTC). */
export function lakePartitionName(month: Date): string {
  return `lake_events_m${month.getUTCFullYear()}${String(month.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The first instant of a partition's month, or null for a name that is not one of ours. */
export function lakePartitionStart(name: string): Date | null {
  const m = /^lake_events_m(\d{4})(\d{2})$/.exec(name);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) : null;
}

export function lakePartitions(pool: Pool | PoolClient): Promise<string[]> {
  return listRangePartitions(pool, 'lake_events');
}

/**
 * Creates the monthly partitions covering [from, to] that do not exist yet (idempotent; the
 * advisory lock makes concurrent callers take turns). Run in its own transaction, never inside
 * a routing or request transaction: attaching a partition locks the parent table.
 */
export async function ensureLakePartitions(pool: Pool, from: Date, to: Date): Promise<string[]> {
  const wanted = [];
  for (let month = startOfUtcMonth(from); month <= to; month = addMonths(month, 1))
    wanted.push({ name: lakePartitionName(month), from: month, to: addMonths(month, 1) });
  return ensureRangePartitions(pool, 'lake_events', 'opentrail:lake-events-partitions', wanted);
}

/** Partitions for the months these event times fall in (imports and channels: any time, sparse). */
/**
 * The event times the Lake accepts from outside (PutAuditEvents, imports): no older than the
 * longest retention a store can have (3,653 days: such an event would expire at once) and at most
 * one day ahead, as recordEvents. Every accepted month may get a partition of the shared table, so
 * the bound also keeps one tenant from creating partitions for arbitrary years.
 */
export const LAKE_MAX_AGE_DAYS = 3653;
export function lakeEventTimeAccepted(t: number, now = Date.now()): boolean {
  return t >= now - LAKE_MAX_AGE_DAYS * 86_400_000 && t <= now + 86_400_000;
}

export async function ensureLakePartitionsFor(pool: Pool, times: Date[]): Promise<string[]> {
  const months = new Map<number, Date>();
  for (const t of times) {
    const m = startOfUtcMonth(t);
    months.set(m.getTime(), m);
  }
  const created: string[] = [];
  for (const m of months.values()) created.push(...(await ensureLakePartitions(pool, m, m)));
  return created;
}
