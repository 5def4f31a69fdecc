import { createHash } from 'node:crypto';
import { OpenTrailError } from '../common/errors';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { formatEventTime, parseUtcTimestamp } from './event-record';
import { type EventKey, type LookupColumn, type LookupFilter, type StoredEventRow, eventRepository } from './event.repository';

/** LookupEvents attribute keys (spec §3.2) and the column each filters. */
export const LOOKUP_ATTRIBUTE_COLUMNS: Record<string, LookupColumn> = {
  EventId: 'event_id',
  EventName: 'event_name',
  ReadOnly: 'read_only',
  Username: 'username',
  ResourceType: 'resource_types',
  ResourceName: 'resource_names',
  EventSource: 'event_source',
  AccessKeyId: 'access_key_id',
};
const INSIGHT_KEYS = ['EventId', 'EventName', 'EventSource'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_PAGE_SIZE = 50;
const DAY_MS = 86_400_000;

export interface LookupQuery {
  lookupAttributes?: Array<{ attributeKey: string; attributeValue: string }> | null;
  startTime?: string | Date | null;
  endTime?: string | Date | null;
  eventCategory?: string | null;
}

export interface LookupPage {
  rows: StoredEventRow[];
  /** Keyset cursor after each row (parallel to rows). */
  cursors: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

const invalidAttributes = (message: string) => new OpenTrailError('InvalidLookupAttributesException', message);

/** Counts `_`, space, `,` and newline twice, as CloudTrail does for the 2000-character limit. */
function attributeLength(value: string): number {
  return value.length + (value.match(/[_ ,\n]/g)?.length ?? 0);
}

/** Event history (spec §3): the caller's account and region, management events, newest first. */
export class EventHistoryService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
  ) {}

  /**
   * One LookupEvents page. `after` must come from a page of the same query (same attributes,
   * times and category); anything else is InvalidNextTokenException.
   */
  async lookupEvents(
    ctx: RequestContext,
    query: LookupQuery,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<LookupPage> {
    const limit = first ?? MAX_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new OpenTrailError('InvalidMaxResultsException', `first must be between 1 and ${MAX_PAGE_SIZE}.`);
    }
    const filter = this.filterFor(ctx, query);
    const binding = bindingOf(ctx, query);
    filter.after = after ? decodeCursor(after, binding) : null;
    filter.limit = limit + 1;
    const rows = await this.db.inTenantRaw(tenantOf(ctx), (client) => eventRepository.lookup(client, filter), { readOnly: true });
    const hasNextPage = rows.length > limit;
    const page = rows.slice(0, limit);
    const cursors = page.map((r) => encodeCursor({ eventId: r.event_id, eventTime: r.event_time }, binding));
    return { rows: page, cursors, hasNextPage, endCursor: cursors[cursors.length - 1] ?? null };
  }

  /** Every matching event, in pages of `pageSize` (for export); stops when the slice is exhausted. */
  async *iterateEvents(ctx: RequestContext, query: LookupQuery, pageSize = 1000): AsyncGenerator<StoredEventRow[]> {
    const filter = this.filterFor(ctx, query);
    filter.limit = pageSize;
    for (;;) {
      const rows = await this.db.inTenantRaw(tenantOf(ctx), (client) => eventRepository.lookup(client, filter), { readOnly: true });
      if (rows.length > 0) yield rows;
      if (rows.length < pageSize) return;
      const last = rows[rows.length - 1];
      filter.after = { eventId: last.event_id, eventTime: last.event_time };
    }
  }

  /** Validates a query into a repository filter (time-bounded to the retention window). */
  filterFor(ctx: RequestContext, query: LookupQuery): LookupFilter {
    const now = new Date();
    const oldest = new Date(now.getTime() - this.config.eventHistoryRetentionDays * DAY_MS);
    const start = query.startTime ? toDate(query.startTime, 'startTime') : oldest;
    const end = query.endTime ? toDate(query.endTime, 'endTime') : now;
    if (start > end) throw new OpenTrailError('InvalidTimeRangeException', 'startTime must not be after endTime.');

    if (query.eventCategory !== undefined && query.eventCategory !== null && query.eventCategory !== 'insight') {
      throw new OpenTrailError('InvalidEventCategoryException', `eventCategory must be 'insight' or omitted.`);
    }
    const insight = query.eventCategory === 'insight';
    const attributes = query.lookupAttributes ?? [];
    if (attributes.length > Object.keys(LOOKUP_ATTRIBUTE_COLUMNS).length) {
      throw invalidAttributes(`At most ${Object.keys(LOOKUP_ATTRIBUTE_COLUMNS).length} lookup attributes may be given.`);
    }
    const filters = attributes.map(({ attributeKey, attributeValue }) => {
      const column = LOOKUP_ATTRIBUTE_COLUMNS[attributeKey];
      if (!column) throw invalidAttributes(`Unknown attributeKey '${String(attributeKey).slice(0, 64)}'.`);
      if (insight && !INSIGHT_KEYS.includes(attributeKey))
        throw invalidAttributes(`For Insights events only ${INSIGHT_KEYS.join(', ')} are supported.`);
      if (typeof attributeValue !== 'string' || attributeValue.length === 0 || attributeLength(attributeValue) > 2000) {
        throw invalidAttributes(`attributeValue of ${attributeKey} must be 1 to 2000 characters.`);
      }
      if (attributeKey === 'ReadOnly') {
        if (attributeValue !== 'true' && attributeValue !== 'false') throw invalidAttributes(`ReadOnly must be "true" or "false".`);
        return { column, value: attributeValue === 'true' };
      }
      if (attributeKey === 'EventId' && !UUID.test(attributeValue)) throw invalidAttributes('EventId must be an event ID (a UUID).');
      return { column, value: attributeKey === 'EventId' ? attributeValue.toLowerCase() : attributeValue };
    });
    return {
      accountId: ctx.caller.accountId,
      region: ctx.region,
      startTime: start < oldest ? oldest : start,
      endTime: end,
      insight,
      attributes: filters,
      after: null,
      limit: MAX_PAGE_SIZE,
    };
  }
}

function toDate(value: string | Date, name: string): Date {
  const date = value instanceof Date ? value : (parseUtcTimestamp(value) ?? new Date(Number.NaN));
  if (Number.isNaN(date.getTime())) throw new OpenTrailError('InvalidTimeRangeException', `${name} must be an ISO-8601 UTC timestamp.`);
  return date;
}

/** What a cursor is bound to: the caller's tenant and region and the query as given. */
function bindingOf(ctx: RequestContext, q: LookupQuery): string {
  const time = (t: string | Date | null | undefined) => (t ? (t instanceof Date ? t.toISOString() : t) : null);
  return createHash('sha256')
    .update(
      JSON.stringify([
        ctx.caller.accountId,
        ctx.region,
        q.lookupAttributes ?? [],
        time(q.startTime),
        time(q.endTime),
        q.eventCategory ?? null,
      ]),
    )
    .digest('base64url')
    .slice(0, 16);
}

function encodeCursor(key: EventKey, binding: string): string {
  return Buffer.from(JSON.stringify({ t: key.eventTime.toISOString(), i: key.eventId, b: binding })).toString('base64url');
}

function decodeCursor(cursor: string, binding: string): EventKey {
  const invalid = () =>
    new OpenTrailError('InvalidNextTokenException', 'The cursor is invalid or was issued for different query parameters.');
  let parsed: { t?: unknown; i?: unknown; b?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed.t !== 'string' || typeof parsed.i !== 'string' || parsed.b !== binding || !UUID.test(parsed.i)) throw invalid();
  const eventTime = new Date(parsed.t);
  if (Number.isNaN(eventTime.getTime())) throw invalid();
  return { eventId: parsed.i, eventTime };
}

/** `EventTime` as LookupEvents returns it, and the console's CSV columns use it too. */
export const eventTimeOf = (row: StoredEventRow) => formatEventTime(row.event_time);
