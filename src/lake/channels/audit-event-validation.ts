import { jsonbStorable } from '../../common/jsonb';
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { lakeEventTimeAccepted } from '../lake-event.repository';

/** The per-event checks of PutAuditEvents (spec §9.2), pure. */

export interface AuditEventInput {
  id: string;
  eventData: string;
  eventDataChecksum?: string | null;
}

export type AuditEventCheck =
  { ok: true; payload: Record<string, unknown>; eventTime: string } | { ok: false; errorCode: string; errorMessage: string };

const KB = 1024;
const EVENT_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z?$/;
const fail = (errorCode: string, errorMessage: string): AuditEventCheck => ({ ok: false, errorCode, errorMessage });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Required string fields and their maximum lengths. */
const REQUIRED: Array<[string, number]> = [
  ['version', 256],
  ['eventSource', 1024],
  ['eventName', 1024],
  ['eventTime', 64],
  ['UID', 1024],
  ['recipientAccountId', 12],
];
const OPTIONAL: Array<[string, number]> = [
  ['userAgent', 1024],
  ['errorCode', 256],
  ['errorMessage', 256],
  ['sourceIPAddress', 64],
];
const OBJECTS: Array<[string, number]> = [
  ['requestParameters', 100 * KB],
  ['responseElements', 100 * KB],
  ['additionalEventData', 28 * KB],
];

export function checksumOf(eventData: string): string {
  return createHash('sha256').update(eventData, 'utf8').digest('base64');
}

/** Validates one audit event against the channel owner's account; the payload on success. */
export function checkAuditEvent(e: AuditEventInput, ownerAccountId: string, now = Date.now()): AuditEventCheck {
  if (e.eventDataChecksum !== undefined && e.eventDataChecksum !== null && e.eventDataChecksum !== checksumOf(e.eventData)) {
    return fail('InvalidChecksum', 'eventDataChecksum is not the base64 SHA-256 of eventData.');
  }
  let payload: unknown;
  try {
    payload = JSON.parse(e.eventData);
  } catch {
    return fail('InvalidData', 'eventData is not valid JSON.');
  }
  if (!isObject(payload)) return fail('InvalidData', 'eventData must be a JSON object.');
  if (!jsonbStorable(e.eventData)) return fail('InvalidData', 'eventData must not contain NUL characters or unpaired surrogates.');
  for (const [field, max] of REQUIRED) {
    const v = payload[field];
    if (v === undefined || v === null) return fail('FieldNotFound', `eventData.${field} is required.`);
    if (typeof v !== 'string') return fail('InvalidData', `eventData.${field} must be a string.`);
    if (v.length > max) return fail('FieldTooLong', `eventData.${field} is longer than ${max} characters.`);
  }
  const identity = payload.userIdentity;
  if (identity === undefined || identity === null) return fail('FieldNotFound', 'eventData.userIdentity is required.');
  if (!isObject(identity)) return fail('InvalidData', 'eventData.userIdentity must be an object.');
  for (const [field, max] of [
    ['type', 128],
    ['principalId', 1024],
  ] as const) {
    const v = identity[field];
    if (v === undefined || v === null) return fail('FieldNotFound', `eventData.userIdentity.${field} is required.`);
    if (typeof v !== 'string') return fail('InvalidData', `eventData.userIdentity.${field} must be a string.`);
    if (v.length > max) return fail('FieldTooLong', `eventData.userIdentity.${field} is longer than ${max} characters.`);
  }
  if (identity.details !== undefined && identity.details !== null && !isObject(identity.details))
    return fail('InvalidData', 'eventData.userIdentity.details must be a JSON object.');
  for (const [field, max] of OPTIONAL) {
    const v = payload[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') return fail('InvalidData', `eventData.${field} must be a string.`);
    if (v.length > max) return fail('FieldTooLong', `eventData.${field} is longer than ${max} characters.`);
  }
  for (const [field, max] of OBJECTS) {
    const v = payload[field];
    if (v === undefined || v === null) continue;
    if (!isObject(v)) return fail('InvalidData', `eventData.${field} must be a JSON object.`);
    // Rejected, never truncated.
    if (Buffer.byteLength(JSON.stringify(v), 'utf8') > max)
      return fail('FieldTooLong', `eventData.${field} is larger than ${max / KB} KB.`);
  }
  if (typeof payload.sourceIPAddress === 'string' && isIP(payload.sourceIPAddress) === 0)
    return fail('InvalidData', 'eventData.sourceIPAddress must be an IPv4 or IPv6 address.');
  const eventTime = normaliseEventTime(payload.eventTime as string);
  if (!eventTime) return fail('InvalidData', 'eventData.eventTime must be a UTC time yyyy-MM-ddTHH:mm:ss(Z).');
  if (!lakeEventTimeAccepted(Date.parse(eventTime), now))
    return fail('InvalidData', 'eventData.eventTime must lie within the last 3653 days and at most one day ahead.');
  if (payload.recipientAccountId !== ownerAccountId)
    return fail('InvalidRecipient', 'eventData.recipientAccountId must be the account that owns the channel.');
  return { ok: true, payload, eventTime };
}

/** `yyyy-MM-ddTHH:mm:ssZ`, or null when the value is not a real UTC time in that shape. */
export function normaliseEventTime(value: string): string | null {
  const m = EVENT_TIME.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as unknown as number[];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
