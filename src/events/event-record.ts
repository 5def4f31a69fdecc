import { newEventId } from '../common/ids';
import { jsonbStorable } from '../common/jsonb';
import { isKnownRegion } from '../regions/region-catalog';
import { inferEventCategory } from './event-category';
import { CURRENT_EVENT_VERSION, versionHasField } from './event-version';

/**
 * Validation and normalisation of one CloudTrail event record (spec §2) as a producer submits it
 * to recordEvents or /ingest. Pure: no I/O, so every per-event error is unit-testable.
 */

/** One row of the `events` table: the record plus the columns LookupEvents filters on. */
export interface EventRow {
  accountId: string;
  eventId: string;
  eventTime: Date;
  region: string;
  eventName: string;
  eventSource: string;
  eventCategory: string;
  eventType: string;
  managementEvent: boolean;
  readOnly: boolean | null;
  username: string | null;
  accessKeyId: string | null;
  userIdentityArn: string | null;
  userAgent: string | null;
  sourceIpAddress: string | null;
  errorCode: string | null;
  /** Parallel arrays, one entry per `resources[]` item ('' where the item lacks the field). */
  resourceTypes: string[];
  resourceNames: string[];
  /** The full normalised record, serialised once. */
  record: string;
}

/** Per-event error codes of PutAuditEvents (spec §9.2). */
export type RecordErrorCode = 'FieldTooLong' | 'FieldNotFound' | 'InvalidData' | 'InvalidRecipient';

export interface RecordError {
  errorCode: RecordErrorCode;
  errorMessage: string;
}

export type NormaliseResult = { row: EventRow } | { error: RecordError };

export interface NormaliseOptions {
  /** The caller's account: records are stored there and recipientAccountId must match it. */
  accountId: string;
  now: Date;
  retentionDays: number;
  /**
   * Size of the event as submitted, when the caller knows it (/ingest has the line's text): spares
   * serialising the parsed object again just to measure it.
   */
  sizeBytes?: number;
  /**
   * The caller hands `raw` over (freshly parsed and used nowhere else, as /ingest does): it is
   * normalised in place into the stored record instead of being copied.
   */
  ownsRaw?: boolean;
}

export const MAX_EVENT_BYTES = 256 * 1024;
const MAX_SHORT_FIELD_BYTES = 1024;
const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// ISO-8601 in UTC only ('Z' or a zero offset): CloudTrail times are UTC (spec §2.3).
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]00:?00)$/;
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const CATEGORIES = ['Management', 'Data', 'NetworkActivity', 'Insight'];
const STRING_FIELDS = [
  'eventVersion',
  'eventSource',
  'eventName',
  'awsRegion',
  'sourceIPAddress',
  'userAgent',
  'errorCode',
  'errorMessage',
  'requestID',
  'eventID',
  'eventType',
  'eventCategory',
  'recipientAccountId',
  'sharedEventID',
  'apiVersion',
  'vpcEndpointId',
  'vpcEndpointAccountId',
  'sessionCredentialFromConsole',
  'eventTime',
];
const BOOLEAN_FIELDS = ['readOnly', 'managementEvent'];
const OBJECT_FIELDS = [
  'userIdentity',
  'additionalEventData',
  'serviceEventDetails',
  'tlsDetails',
  'addendum',
  'insightDetails',
  'edgeDeviceDetails',
];
const NULLABLE_OBJECT_FIELDS = ['requestParameters', 'responseElements'];
/** Truncated at 1 KB, as CloudTrail truncates them (spec §2.8), rather than refusing the event. */
const SHORT_FIELDS = ['userAgent', 'errorCode', 'errorMessage', 'requestID'];
/** The event types whose records carry managementEvent (spec §2.3, eventVersion ≥ 1.06). */
const MANAGEMENT_FLAG_TYPES = new Set(['AwsApiCall', 'AwsConsoleAction', 'AwsConsoleSignIn', 'AwsServiceEvent']);

const fail = (errorCode: RecordErrorCode, errorMessage: string): { error: RecordError } => ({ error: { errorCode, errorMessage } });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** UTF-8 needs at most 3 bytes per UTF-16 unit: only a long string's exact size is worth measuring. */
const longerThan = (value: string, maxBytes: number) => value.length * 3 > maxBytes && Buffer.byteLength(value) > maxBytes;
const hasNul = (value: string | null) => value !== null && value.includes('\u0000');

/** The longest prefix of `value` within `maxBytes` of UTF-8 that does not split a character. */
export function truncateUtf8(value: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of value) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return value.slice(0, end);
}

/** The FieldNotFound / InvalidData / FieldTooLong check of one required short string. */
function requiredString(name: string, value: unknown): { error: RecordError } | null {
  if (value === undefined || value === null || value === '') return fail('FieldNotFound', `${name} is required.`);
  if (typeof value !== 'string') return fail('InvalidData', `${name} must be a string.`);
  if (longerThan(value, MAX_SHORT_FIELD_BYTES)) return fail('FieldTooLong', `${name} is longer than ${MAX_SHORT_FIELD_BYTES} bytes.`);
  return null;
}

/** Whether `eventVersion` is the object's first key (where the stored record must have it). */
function eventVersionFirst(raw: Record<string, unknown>): boolean {
  for (const key in raw) return key === 'eventVersion';
  return false;
}

/** CloudTrail's eventTime format: seconds precision, `Z` (spec §2.3). */
export function formatEventTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, -5)}Z`; // drops the milliseconds: toISOString always ends in .sssZ
}

/** Parses a UTC ISO-8601 timestamp; null when it is not one (or names an impossible date). */
export function parseUtcTimestamp(value: string): Date | null {
  // The common shape (what CloudTrail writes) needs no rebuilding: parse it, and let the round
  // trip refuse impossible dates and times (2024-02-30, 24:00:00) as the general path does.
  if (value.length === 20 && CANONICAL_UTC.test(value)) {
    const date = new Date(value);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 19) === value.slice(0, 19) ? date : null;
  }
  const m = ISO_UTC.exec(value);
  if (!m) return null;
  const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ? m[7].slice(0, 4) : ''}Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== `${m[1]}-${m[2]}-${m[3]}`) return null;
  return date;
}

/**
 * The lookup "user name" (spec §3.2): the IAM user name, the assumed-role session name, `root`,
 * or for other identity types the userName / principalId they carry.
 */
export function usernameOf(identity: Record<string, unknown> | undefined): string | null {
  if (!identity) return null;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  switch (identity.type) {
    case 'Root':
      return 'root';
    case 'AssumedRole': {
      const arn = str(identity.arn);
      if (arn) return arn.slice(arn.lastIndexOf('/') + 1);
      const principalId = str(identity.principalId);
      return principalId ? principalId.slice(principalId.indexOf(':') + 1) : null;
    }
    default:
      return str(identity.userName) ?? str(identity.principalId);
  }
}

/** Validates one submitted record and derives its row; never throws. */
export function normaliseRecord(raw: unknown, opts: NormaliseOptions): NormaliseResult {
  if (!isObject(raw)) return fail('InvalidData', 'An event must be a JSON object.');
  const size = opts.sizeBytes ?? Buffer.byteLength(JSON.stringify(raw));
  if (size > MAX_EVENT_BYTES) return fail('FieldTooLong', `The event is ${size} bytes; an event may be at most ${MAX_EVENT_BYTES} bytes.`);

  for (const f of STRING_FIELDS) {
    if (raw[f] !== undefined && typeof raw[f] !== 'string') return fail('InvalidData', `${f} must be a string.`);
  }
  for (const f of BOOLEAN_FIELDS) {
    if (raw[f] !== undefined && typeof raw[f] !== 'boolean') return fail('InvalidData', `${f} must be a boolean.`);
  }
  for (const f of OBJECT_FIELDS) {
    if (raw[f] !== undefined && !isObject(raw[f])) return fail('InvalidData', `${f} must be a JSON object.`);
  }
  for (const f of NULLABLE_OBJECT_FIELDS) {
    if (raw[f] !== undefined && raw[f] !== null && !isObject(raw[f])) return fail('InvalidData', `${f} must be a JSON object or null.`);
  }
  const truncated: Record<string, string> = {};
  for (const f of SHORT_FIELDS) {
    if (typeof raw[f] === 'string' && longerThan(raw[f] as string, MAX_SHORT_FIELD_BYTES))
      truncated[f] = truncateUtf8(raw[f] as string, MAX_SHORT_FIELD_BYTES);
  }
  // CloudTrail writes "resources" only when there are some; a producer's explicit null means none.
  const resources = raw.resources ?? undefined;
  if (resources !== undefined && !Array.isArray(resources)) return fail('InvalidData', 'resources must be an array.');
  const resourceTypes: string[] = [];
  const resourceNames: string[] = [];
  for (const r of (resources as unknown[] | undefined) ?? []) {
    if (!isObject(r)) return fail('InvalidData', 'Each resources[] item must be a JSON object.');
    for (const f of ['ARN', 'ARNPrefix', 'type', 'accountId']) {
      if (r[f] !== undefined && typeof r[f] !== 'string') return fail('InvalidData', `resources[].${f} must be a string.`);
    }
    resourceTypes.push((r.type as string | undefined) ?? '');
    resourceNames.push((r.ARN as string | undefined) ?? (r.ARNPrefix as string | undefined) ?? '');
  }

  const category =
    (raw.eventCategory as string | undefined) ??
    inferEventCategory({
      eventType: raw.eventType,
      managementEvent: raw.managementEvent,
      eventSource: raw.eventSource,
      eventName: raw.eventName,
      resourceTypes,
    });
  if (!CATEGORIES.includes(category)) return fail('InvalidData', `eventCategory must be one of ${CATEGORIES.join(', ')}.`);
  const insight = category === 'Insight';
  // Insights events carry their source and name inside insightDetails (spec §2.7).
  const details = insight ? (raw.insightDetails as Record<string, unknown> | undefined) : undefined;
  if (insight && !details) return fail('FieldNotFound', 'insightDetails is required for an Insight event.');
  const eventSource = insight ? details!.eventSource : raw.eventSource;
  const eventName = insight ? details!.eventName : raw.eventName;
  const where = insight ? 'insightDetails.' : '';
  const missing =
    requiredString('eventTime', raw.eventTime) ??
    requiredString(`${where}eventSource`, eventSource) ??
    requiredString(`${where}eventName`, eventName) ??
    requiredString('awsRegion', raw.awsRegion);
  if (missing) return missing;

  const eventTime = parseUtcTimestamp(raw.eventTime as string);
  if (!eventTime) return fail('InvalidData', 'eventTime must be an ISO-8601 UTC timestamp such as 2024-06-19T00:18:31Z.');
  const oldest = opts.now.getTime() - opts.retentionDays * DAY_MS;
  if (eventTime.getTime() < oldest || eventTime.getTime() > opts.now.getTime() + DAY_MS) {
    return fail('InvalidData', `eventTime must lie within the last ${opts.retentionDays} days and at most one day ahead.`);
  }
  const region = raw.awsRegion as string;
  if (!isKnownRegion(region)) return fail('InvalidData', `awsRegion '${region.slice(0, 64)}' is not a region of the catalog.`);
  if (raw.eventID !== undefined && !UUID.test(raw.eventID as string)) return fail('InvalidData', 'eventID must be a UUID.');
  if (raw.recipientAccountId !== undefined && raw.recipientAccountId !== opts.accountId) {
    return fail('InvalidRecipient', `recipientAccountId must be the caller's account ${opts.accountId}.`);
  }

  const identity = raw.userIdentity as Record<string, unknown> | undefined;
  const eventType = (raw.eventType as string | undefined) ?? (insight ? 'AwsCloudTrailInsight' : 'AwsApiCall');
  const managementEvent = (raw.managementEvent as boolean | undefined) ?? category === 'Management';
  const eventId = ((raw.eventID as string | undefined) ?? newEventId()).toLowerCase();
  const storedTime = new Date(eventTime.getTime() - (((eventTime.getTime() % 1000) + 1000) % 1000)); // whole seconds
  // The record: eventVersion first, then the submitted fields in their order, the normalised
  // ones overwritten in place. A record handed over with eventVersion already first is that record.
  const record = opts.ownsRaw && eventVersionFirst(raw) ? raw : { eventVersion: raw.eventVersion ?? CURRENT_EVENT_VERSION, ...raw };
  // A missing field is filled in only where the record's eventVersion has it (spec §2.2).
  const version = record.eventVersion;
  const fill = (field: 'eventID' | 'eventType' | 'recipientAccountId' | 'managementEvent' | 'eventCategory') =>
    raw[field] !== undefined || versionHasField(version, field);
  record.eventTime = formatEventTime(storedTime);
  if (fill('eventID')) record.eventID = eventId;
  if (fill('eventType')) record.eventType = eventType;
  if (fill('eventCategory')) record.eventCategory = category;
  if (fill('recipientAccountId')) record.recipientAccountId = opts.accountId;
  if (!insight && (raw.managementEvent !== undefined || (MANAGEMENT_FLAG_TYPES.has(eventType) && fill('managementEvent')))) {
    record.managementEvent = managementEvent;
  }
  for (const f in truncated) record[f] = truncated[f];

  const row: EventRow = {
    accountId: opts.accountId,
    eventId,
    eventTime: storedTime,
    region,
    eventName: eventName as string,
    eventSource: eventSource as string,
    eventCategory: category,
    eventType,
    managementEvent,
    readOnly: typeof raw.readOnly === 'boolean' ? raw.readOnly : null,
    username: usernameOf(identity),
    accessKeyId: typeof identity?.accessKeyId === 'string' && identity.accessKeyId !== '' ? identity.accessKeyId : null,
    userIdentityArn: typeof identity?.arn === 'string' ? identity.arn : null,
    userAgent: (record.userAgent as string | undefined) ?? null,
    sourceIpAddress: (raw.sourceIPAddress as string | undefined) ?? null,
    errorCode: (record.errorCode as string | undefined) ?? null,
    resourceTypes,
    resourceNames,
    record: JSON.stringify(record),
  };
  // PostgreSQL text cannot hold NUL; inside the JSON record it is escaped, but not in the columns.
  if (
    hasNul(row.eventName) ||
    hasNul(row.eventSource) ||
    hasNul(row.username) ||
    hasNul(row.accessKeyId) ||
    hasNul(row.userIdentityArn) ||
    hasNul(row.userAgent) ||
    hasNul(row.sourceIpAddress) ||
    hasNul(row.errorCode) ||
    resourceTypes.some(hasNul) ||
    resourceNames.some(hasNul)
  ) {
    return fail('InvalidData', 'Field values must not contain NUL characters.');
  }
  // Nor inside the record: event data stores keep records as jsonb, which refuses them.
  if (!jsonbStorable(row.record)) return fail('InvalidData', 'The event must not contain NUL characters or unpaired surrogates.');
  return { row };
}
