import { OpenTrailError } from '../common/errors';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Config } from '../config';
import { type EventRow, type RecordError, normaliseRecord } from './event-record';
import type { EventWriter } from './event-writer';

export const MAX_EVENTS_PER_CALL = 100;
export const MAX_BYTES_PER_CALL = 1024 * 1024;

export interface RecordEventsResult {
  successful: Array<{ id: string; eventId: string }>;
  failed: Array<{ id: string; errorCode: string; errorMessage: string }>;
}

/** recordEvents: PutAuditEvents semantics for full CloudTrail records (spec §9.2). */
export class EventRecorderService {
  constructor(
    private readonly config: Config,
    private readonly writer: EventWriter,
  ) {}

  /**
   * Validates each record, stores the valid ones durably for the caller's account and reports
   * per event; `id` is the event's index in the input. A repeated eventID (same eventTime) is
   * stored once and still reported as successful with that eventId.
   */
  async recordEvents(ctx: RequestContext, events: unknown[]): Promise<RecordEventsResult> {
    if (events.length === 0 || events.length > MAX_EVENTS_PER_CALL) {
      throw new OpenTrailError(
        'InvalidParameterException',
        `recordEvents takes 1 to ${MAX_EVENTS_PER_CALL} events per call; got ${events.length}.`,
      );
    }
    const bytes = Buffer.byteLength(JSON.stringify(events));
    if (bytes > MAX_BYTES_PER_CALL) {
      throw new OpenTrailError(
        'InvalidParameterException',
        `recordEvents takes at most ${MAX_BYTES_PER_CALL} bytes of events per call; got ${bytes}.`,
      );
    }
    const now = new Date();
    const rows: EventRow[] = [];
    const result: RecordEventsResult = { successful: [], failed: [] };
    events.forEach((raw, index) => {
      const normalised = normaliseRecord(raw, {
        accountId: ctx.caller.accountId,
        now,
        retentionDays: this.config.eventHistoryRetentionDays,
      });
      if ('error' in normalised) {
        result.failed.push({ id: String(index), ...(normalised.error as RecordError) });
      } else {
        rows.push(normalised.row);
        result.successful.push({ id: String(index), eventId: normalised.row.eventId });
      }
    });
    await this.writer.write(tenantOf(ctx), rows, 'record');
    return result;
  }
}
