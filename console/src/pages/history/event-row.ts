import type { Attribute } from './history-filter';

/** One lookupEvents node as the history page asks for it. */
export interface HistoryEventNode {
  eventId: string;
  eventTime: string;
  eventName: string;
  eventSource: string;
  username: string | null;
  accessKeyId: string | null;
  readOnly: string | null;
  resources: Array<{ resourceType: string | null; resourceName: string | null }>;
  cloudTrailEvent: string;
}

/** One event history row: lookupEvents' fields plus what the table shows from the record itself. */
export interface EventRow extends HistoryEventNode {
  awsRegion: string;
  errorCode: string;
  /** Arrived through the live subscription. */
  live?: boolean;
}

type Rec = Record<string, unknown>;

function parse(json: string): Rec {
  try {
    const value = JSON.parse(json) as unknown;
    return value && typeof value === 'object' ? (value as Rec) : {};
  } catch {
    return {};
  }
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function rowFromHistory(node: HistoryEventNode): EventRow {
  const record = parse(node.cloudTrailEvent);
  return { ...node, awsRegion: str(record.awsRegion) ?? '', errorCode: str(record.errorCode) ?? '' };
}

/** The lookup user name of a record (the server's rule: IAM user, role session, root, else userName/principalId). */
function usernameOf(identity: Rec | undefined): string | null {
  if (!identity) return null;
  if (identity.type === 'Root') return 'root';
  if (identity.type === 'AssumedRole') {
    const arn = str(identity.arn);
    if (arn) return arn.slice(arn.lastIndexOf('/') + 1);
    const principalId = str(identity.principalId);
    return principalId ? principalId.slice(principalId.indexOf(':') + 1) : null;
  }
  return str(identity.userName) ?? str(identity.principalId);
}

/** A live event (only its record) as a row. */
export function rowFromRecord(
  cloudTrailEvent: string,
  base: { eventId: string; eventTime: string; eventName: string; eventSource: string },
): EventRow {
  const record = parse(cloudTrailEvent);
  const identity = record.userIdentity as Rec | undefined;
  const resources = Array.isArray(record.resources)
    ? (record.resources as Rec[]).map((r) => ({ resourceType: str(r?.type), resourceName: str(r?.ARN) ?? str(r?.ARNPrefix) }))
    : [];
  return {
    ...base,
    username: usernameOf(identity),
    accessKeyId: str(identity?.accessKeyId),
    readOnly: typeof record.readOnly === 'boolean' ? String(record.readOnly) : null,
    resources,
    awsRegion: str(record.awsRegion) ?? '',
    errorCode: str(record.errorCode) ?? '',
    cloudTrailEvent,
    live: true,
  };
}

/** Whether a live row matches the filter's attributes (ANDed, exact, as lookupEvents matches). */
export function rowMatches(row: EventRow, attributes: Attribute[], readOnly: string, insights: boolean): boolean {
  const isInsight = parse(row.cloudTrailEvent).eventCategory === 'Insight';
  if (isInsight !== insights) return false;
  if (readOnly && row.readOnly !== readOnly) return false;
  return attributes.every((a) => {
    switch (a.key) {
      case 'Username':
        return row.username === a.value;
      case 'EventName':
        return row.eventName === a.value;
      case 'EventSource':
        return row.eventSource === a.value;
      case 'EventId':
        return row.eventId === a.value;
      case 'AccessKeyId':
        return row.accessKeyId === a.value;
      case 'ResourceName':
        return row.resources.some((r) => r.resourceName === a.value);
      case 'ResourceType':
        return row.resources.some((r) => r.resourceType === a.value);
      case 'ReadOnly':
        return row.readOnly === a.value;
    }
  });
}
