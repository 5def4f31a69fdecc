import { jsonbSafe } from '../common/jsonb';
import type { ApiCall, ApiCallRecorder } from '../common/api-call';
import type { TenantScope } from '../common/request-context';
import { newEventId } from '../common/ids';
import { type EventRow, formatEventTime, usernameOf } from './event-record';
import type { EventWriter } from './event-writer';

/** The CloudTrail record of one control-plane call (spec §2.3, §2.9), field order as CloudTrail writes it. */
export function apiCallToRow(call: ApiCall): EventRow {
  const eventId = newEventId();
  const eventTime = formatEventTime(call.eventTime);
  const category = call.managementEvent ? 'Management' : 'Data';
  const eventType = call.eventType ?? 'AwsApiCall';
  const record: Record<string, unknown> = {
    eventVersion: '1.11',
    userIdentity: call.subject.identity,
    eventTime,
    eventSource: call.eventSource,
    eventName: call.eventName,
    awsRegion: call.meta.region,
    sourceIPAddress: call.meta.sourceIp,
    userAgent: call.meta.userAgent,
  };
  if (call.errorCode) record.errorCode = call.errorCode;
  // A failed sign-in carries only errorMessage, as CloudTrail's failed ConsoleLogin does.
  if (call.errorCode || call.errorMessage !== undefined) record.errorMessage = call.errorMessage ?? '';
  Object.assign(record, {
    requestParameters: call.requestParameters,
    responseElements: call.responseElements,
  });
  if (call.additionalEventData) record.additionalEventData = call.additionalEventData;
  Object.assign(record, {
    requestID: call.meta.requestId,
    eventID: eventId,
    readOnly: call.readOnly,
    eventType,
    managementEvent: call.managementEvent,
    recipientAccountId: call.subject.accountId,
    eventCategory: category,
  });
  // No TLS terminates here (a proxy may); the host header is the one detail we truly know.
  if (call.meta.host) record.tlsDetails = { clientProvidedHostHeader: call.meta.host };
  const identity = call.subject.identity;
  return {
    accountId: call.subject.accountId,
    eventId,
    eventTime: new Date(eventTime),
    region: call.meta.region,
    eventName: call.eventName,
    eventSource: call.eventSource,
    eventCategory: category,
    eventType,
    managementEvent: call.managementEvent,
    readOnly: call.readOnly,
    username: usernameOf(identity as unknown as Record<string, unknown>),
    accessKeyId: identity.accessKeyId || null,
    userIdentityArn: 'arn' in identity ? identity.arn : null,
    userAgent: call.meta.userAgent,
    sourceIpAddress: call.meta.sourceIp,
    errorCode: call.errorCode ?? null,
    resourceTypes: [],
    resourceNames: [],
    // Request parameters are the caller's: a NUL or lone surrogate there must not make the record
    // unstorable where it is routed (jsonb in event data stores).
    record: jsonbSafe(JSON.stringify(record)),
  };
}

interface Waiter {
  rows: EventRow[];
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Self-audit: writes each call's record durably before the caller's response goes out. Group
 * commit without a waiting window: an idle account's call is written at once; calls of an account
 * that arrive while its previous commit is in flight are coalesced into the next transaction.
 * Each caller still awaits the commit that holds its own record.
 */
export class SelfAuditRecorder implements ApiCallRecorder {
  private readonly pending = new Map<string, { scope: TenantScope; waiters: Waiter[] }>();
  private readonly flushing = new Set<string>();

  /**
   * @param relaxReadCommits SELF_AUDIT_READ_COMMIT=async: a batch of read-only calls only is
   *   committed without waiting for its WAL flush (docs/adr/0001, "Self-audit of reads").
   */
  constructor(
    private readonly writer: EventWriter,
    private readonly relaxReadCommits = false,
  ) {}

  recordApiCalls(calls: ApiCall[]): Promise<void> {
    if (calls.length === 0) return Promise.resolve();
    const byAccount = new Map<string, ApiCall[]>();
    for (const call of calls) byAccount.set(call.subject.accountId, [...(byAccount.get(call.subject.accountId) ?? []), call]);
    return Promise.all(
      [...byAccount.values()].map(
        (group) =>
          new Promise<void>((resolve, reject) => {
            const subject = group[0].subject;
            let entry = this.pending.get(subject.accountId);
            if (!entry) {
              entry = { scope: { accountId: subject.accountId, organizationId: subject.organizationId }, waiters: [] };
              this.pending.set(subject.accountId, entry);
            }
            entry.waiters.push({ rows: group.map(apiCallToRow), resolve, reject });
            // Calls made in the same tick join this batch; the flush starts right after it.
            if (!this.flushing.has(subject.accountId)) setImmediate(() => void this.flush(subject.accountId));
          }),
      ),
    ).then(() => undefined);
  }

  private async flush(accountId: string): Promise<void> {
    if (this.flushing.has(accountId)) return;
    const entry = this.pending.get(accountId);
    if (!entry) return;
    this.pending.delete(accountId);
    this.flushing.add(accountId);
    try {
      const rows = entry.waiters.flatMap((w) => w.rows);
      await this.writer.write(entry.scope, rows, 'self_audit', { relaxedCommit: this.relaxReadCommits && rows.every((r) => r.readOnly) });
      for (const w of entry.waiters) w.resolve();
    } catch (err) {
      for (const w of entry.waiters) w.reject(err);
    } finally {
      this.flushing.delete(accountId);
      // Whatever arrived during this commit goes out as the next batch.
      if (this.pending.has(accountId)) void this.flush(accountId);
    }
  }
}
