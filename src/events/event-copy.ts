import { arrayLiteral, copyField } from './copy-format';
import type { EventRow } from './event-record';

/**
 * The columns an event row is written with, and one row as a line of COPY text in that order.
 * Kept apart from the repository so the ingest parser threads can format rows without loading
 * the database layer.
 */
export const EVENT_COLUMNS = [
  'account_id',
  'event_id',
  'event_time',
  'region',
  'event_name',
  'event_source',
  'event_category',
  'event_type',
  'management_event',
  'read_only',
  'username',
  'access_key_id',
  'user_identity_arn',
  'user_agent',
  'source_ip_address',
  'error_code',
  'resource_types',
  'resource_names',
  'record',
] as const;

/**
 * One row as COPY text. The account id (12 digits), event id (a lowercase UUID), time, region
 * (from the catalog), category (from its list) and booleans cannot hold a COPY special
 * character; the record is JSON, whose only raw one can be a backslash.
 */
export function eventCopyLine(r: EventRow): string {
  const record = r.record.includes('\\') ? r.record.replace(/\\/g, '\\\\') : r.record;
  return (
    `${r.accountId}\t${r.eventId}\t${r.eventTime.toISOString()}\t${r.region}\t${copyField(r.eventName)}\t${copyField(r.eventSource)}\t` +
    `${r.eventCategory}\t${copyField(r.eventType)}\t${r.managementEvent}\t${copyField(r.readOnly)}\t${copyField(r.username)}\t` +
    `${copyField(r.accessKeyId)}\t${copyField(r.userIdentityArn)}\t${copyField(r.userAgent)}\t${copyField(r.sourceIpAddress)}\t` +
    `${copyField(r.errorCode)}\t${copyField(arrayLiteral(r.resourceTypes))}\t${copyField(arrayLiteral(r.resourceNames))}\t${record}\n`
  );
}
