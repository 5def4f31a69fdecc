import { createHash } from 'node:crypto';
import { OpenTrailError } from '../common/errors';
import { decodePageToken, encodePageToken } from '../common/page-token';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { parseUtcTimestamp } from '../events/event-record';
import { type LookupColumn, type StoredEventRow, eventRepository } from '../events/event.repository';
import { authorize } from '../policies/authorize';
import type { InsightSelector } from '../selectors/event-selectors';
import { resolveTrail } from '../trails/trail-access';
import { InsightsErrors } from './insights.errors';
import { DAY_MS } from './insight-series';

export interface InsightsDataQuery {
  insightSource: string;
  dataType: string;
  /** CloudTrail's Dimensions map: exactly one of the keys when given. */
  dimensions?: { eventId?: string | null; eventName?: string | null; eventSource?: string | null } | null;
  startTime?: string | null;
  endTime?: string | null;
  maxResults?: number | null;
  nextToken?: string | null;
}

export interface InsightsDataPage {
  events: StoredEventRow[];
  nextToken: string | null;
}

// ListInsightsData's limits (botocore model): InsightSource is a ResourceArn, DataType only
// InsightsEvents, one dimension of 1 to 2000 characters, 1 to 50 events a page (default 50).
const RESOURCE_ARN = /^[a-zA-Z0-9._/\-:]+$/;
const TRAIL_ARN = /^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:\d{12}:trail\//;
const MAX_RESULTS = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DIMENSIONS: Record<'eventId' | 'eventName' | 'eventSource', { key: string; column: LookupColumn }> = {
  eventId: { key: 'EventId', column: 'event_id' },
  eventName: { key: 'EventName', column: 'event_name' },
  eventSource: { key: 'EventSource', column: 'event_source' },
};
// The trail lookups' own refusals: to ListInsightsData they are a bad InsightSource.
const SOURCE_ERRORS = new Set(['TrailNotFoundException', 'CloudTrailARNInvalidException', 'InvalidTrailNameException']);

/**
 * listInsightsData (spec §3.4): the Insights events of a trail, newest first. They are the
 * Insights events of the caller's account and region (kept with the event history, 90 days) of
 * the types the trail's insight selectors enable for management events: OpenTrail generates no
 * data-event Insights (docs/adr/0002-insights-detection.md), so these are what a trail has.
 */
export class InsightsDataService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
  ) {}

  /** One page; cloudtrail:LookupEvents is checked by the operation, cloudtrail:ListInsightsData on the trail here. */
  async listInsightsData(ctx: RequestContext, q: InsightsDataQuery): Promise<InsightsDataPage> {
    const source = q.insightSource;
    if (typeof source !== 'string' || source.length < 3 || source.length > 256 || !RESOURCE_ARN.test(source)) {
      throw InsightsErrors.invalidParameter('InsightSource must be a trail ARN of 3 to 256 characters matching ^[a-zA-Z0-9._/\\-:]+$.');
    }
    if (!TRAIL_ARN.test(source)) throw InsightsErrors.invalidParameter('InsightSource must be the ARN of a trail.');
    if (q.dataType !== 'InsightsEvents') throw InsightsErrors.invalidParameter('DataType must be InsightsEvents.');
    const attributes = dimensionFilter(q.dimensions);
    const maxResults = q.maxResults ?? MAX_RESULTS;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS) {
      throw InsightsErrors.invalidParameter(`MaxResults must be 1 to ${MAX_RESULTS}.`);
    }
    const now = new Date();
    const oldest = new Date(now.getTime() - this.config.eventHistoryRetentionDays * DAY_MS);
    const start = q.startTime ? time(q.startTime, 'StartTime') : oldest;
    const end = q.endTime ? time(q.endTime, 'EndTime') : now;
    if (start > end) throw InsightsErrors.invalidParameter('StartTime must not be after EndTime.');
    const binding = bindingOf(ctx, q);
    const after = q.nextToken === undefined || q.nextToken === null ? null : decodeCursor(q.nextToken, binding);

    const trail = await this.db.inTenant(tenantOf(ctx), (m) =>
      resolveTrail(m, ctx, source).catch((err: unknown) => {
        if (err instanceof OpenTrailError && SOURCE_ERRORS.has(err.code)) {
          throw InsightsErrors.invalidParameter(`InsightSource ${source} does not name a trail of this account seen from ${ctx.region}.`);
        }
        throw err;
      }),
    );
    authorize(ctx, 'cloudtrail:ListInsightsData', trail.trailArn);
    const insightTypes = managementInsightTypes(trail.insightSelectors);
    if (insightTypes.length === 0) return { events: [], nextToken: null };
    const filter = {
      accountId: ctx.caller.accountId,
      region: ctx.region,
      startTime: start < oldest ? oldest : start,
      endTime: end,
      insight: true,
      attributes,
      insightTypes,
      after,
      limit: maxResults + 1,
    };
    const rows = await this.db.inTenantRaw(tenantOf(ctx), (client) => eventRepository.lookup(client, filter), { readOnly: true });
    const events = rows.slice(0, maxResults);
    const last = events[events.length - 1];
    return {
      events,
      nextToken: rows.length > maxResults ? encodePageToken(`${last.event_time.toISOString()}|${last.event_id}|${binding}`) : null,
    };
  }
}

/** The insight types a trail's selectors enable for management events (EventCategories absent means Management). */
function managementInsightTypes(selectors: InsightSelector[] | null): string[] {
  return [
    ...new Set((selectors ?? []).filter((s) => !s.EventCategories || s.EventCategories.includes('Management')).map((s) => s.InsightType)),
  ];
}

function dimensionFilter(dimensions: InsightsDataQuery['dimensions']): Array<{ column: LookupColumn; value: string }> {
  if (dimensions === undefined || dimensions === null) return [];
  const given = (Object.keys(DIMENSIONS) as Array<keyof typeof DIMENSIONS>).filter(
    (k) => dimensions[k] !== undefined && dimensions[k] !== null,
  );
  if (given.length !== 1) throw InsightsErrors.invalidParameter('Dimensions must hold exactly one of EventId, EventName or EventSource.');
  const { key, column } = DIMENSIONS[given[0]];
  const value = dimensions[given[0]]!;
  if (value.length < 1 || value.length > 2000) throw InsightsErrors.invalidParameter(`The ${key} dimension must be 1 to 2000 characters.`);
  if (key === 'EventId' && !UUID.test(value)) throw InsightsErrors.invalidParameter('The EventId dimension must be an event ID (a UUID).');
  return [{ column, value: key === 'EventId' ? value.toLowerCase() : value }];
}

function time(value: string, name: string): Date {
  const date = parseUtcTimestamp(value);
  if (!date) throw InsightsErrors.invalidParameter(`${name} must be an ISO-8601 UTC timestamp.`);
  return date;
}

/** A NextToken is good only with the parameters of the call that issued it (spec §3.4). */
function bindingOf(ctx: RequestContext, q: InsightsDataQuery): string {
  const d = q.dimensions ?? null;
  return createHash('sha256')
    .update(
      JSON.stringify([
        ctx.caller.accountId,
        ctx.region,
        q.insightSource,
        d && [d.eventId ?? null, d.eventName ?? null, d.eventSource ?? null],
        q.startTime ?? null,
        q.endTime ?? null,
      ]),
    )
    .digest('base64url')
    .slice(0, 16);
}

function decodeCursor(token: string, binding: string): { eventTime: Date; eventId: string } {
  const key = decodePageToken(token);
  const [t, eventId, b] = key ? key.split('|') : [];
  const eventTime = new Date(t ?? '');
  if (b !== binding || !UUID.test(eventId ?? '') || Number.isNaN(eventTime.getTime())) {
    throw InsightsErrors.invalidParameter('NextToken is not valid: pass it with the same parameters as the call that returned it.');
  }
  return { eventTime, eventId };
}
