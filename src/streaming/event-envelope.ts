import { createHash } from 'node:crypto';

/** EventBridge's limit: CloudTrail does not deliver events larger than this (spec §5.6). */
export const MAX_EVENT_BYTES = 256 * 1024;

/** The EventBridge envelope CloudTrail events arrive in (spec §5.6). */
export interface EventBridgeEnvelope {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

const DETAIL_TYPES: Record<string, string> = {
  AwsApiCall: 'AWS API Call via CloudTrail',
  AwsConsoleSignIn: 'AWS Console Sign In via CloudTrail',
  AwsConsoleAction: 'AWS Console Action via CloudTrail',
  AwsServiceEvent: 'AWS Service Event via CloudTrail',
  AwsCloudTrailInsight: 'AWS Insight via CloudTrail',
};

export function detailTypeOf(eventType: unknown): string {
  return DETAIL_TYPES[String(eventType)] ?? DETAIL_TYPES.AwsApiCall!;
}

/** `s3.amazonaws.com` → `aws.s3`; `cloudtrail-data.amazonaws.com` → `aws.cloudtrail-data`. */
export function sourceOf(eventSource: unknown): string {
  const service =
    String(eventSource ?? '')
      .replace(/\.amazonaws\.com$/, '')
      .split('.')[0] || 'unknown';
  return `aws.${service}`;
}

/** A UUID derived from the event: retries and redrives of one event carry the same envelope id. */
function envelopeId(accountId: string, eventId: string): string {
  const h = createHash('sha256').update(`eventbridge:${accountId}:${eventId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Wraps one CloudTrail record (spec §2) in the envelope a rule's pattern is matched against. */
export function toEventBridgeEnvelope(accountId: string, record: Record<string, unknown>): EventBridgeEnvelope {
  return {
    version: '0',
    id: envelopeId(accountId, String(record.eventID ?? '')),
    'detail-type': detailTypeOf(record.eventType),
    source: sourceOf(record.eventSource),
    account: accountId,
    time: String(record.eventTime ?? ''),
    region: String(record.awsRegion ?? ''),
    resources: [],
    detail: record,
  };
}

/** Read-only management events reach only ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS rules (spec §5.6). */
export function ruleStateAccepts(state: string, record: Record<string, unknown>): boolean {
  if (state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS') return true;
  if (state !== 'ENABLED') return false;
  const readOnly = record.readOnly === true || record.readOnly === 'true';
  const management = record.managementEvent !== false && record.eventCategory !== 'Data';
  return !(readOnly && management);
}
