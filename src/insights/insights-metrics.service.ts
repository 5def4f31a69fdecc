import { decodePageToken, encodePageToken } from '../common/page-token';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Database } from '../db/database';
import { parseUtcTimestamp } from '../events/event-record';
import { InsightsErrors } from './insights.errors';
import { insightMinuteCountRepository } from './insight-minute-count.repository';
import { DAY_MS, INSIGHT_TYPES, type InsightType } from './insight-series';

export interface MetricDataQuery {
  trailName?: string | null;
  eventSource: string;
  eventName: string;
  insightType: string;
  errorCode?: string | null;
  startTime?: string | null;
  endTime?: string | null;
  period?: number | null;
  dataType?: string | null;
  maxResults?: number | null;
  nextToken?: string | null;
}

export interface MetricData {
  eventSource: string;
  eventName: string;
  insightType: InsightType;
  errorCode: string | null;
  timestamps: Date[];
  values: number[];
  nextToken: string | null;
}

const EVENT_SOURCE = /^[a-z0-9_-]+\.amazonaws\.com$/;
const EVENT_NAME = /^[A-Za-z0-9_]+$/;
const ERROR_CODE = /^[\w\d\s_.,\-:[\]]+$/;
/** How far back each period is available (spec §3.4): 1-minute points 15 days, 5-minute 63, hourly 90. */
const AVAILABILITY_DAYS: Record<number, number> = { 60: 15, 300: 63, 3600: 90 };
const MAX_RESULTS = 21_600;

/**
 * listInsightsMetricData (spec §3.4): the per-period series behind Insights of the caller's
 * account and region. Values are the number of write calls (ApiCallRateInsight) or of calls that
 * ended in `errorCode` (ApiErrorRateInsight) in each period.
 */
export class InsightsMetricsService {
  constructor(private readonly db: Database) {}

  async listInsightsMetricData(ctx: RequestContext, q: MetricDataQuery): Promise<MetricData> {
    if (q.trailName !== undefined && q.trailName !== null) {
      throw InsightsErrors.unsupported(
        'TrailName applies to data-event Insights, which OpenTrail does not generate; omit it for management-event Insights.',
      );
    }
    if (typeof q.eventSource !== 'string' || q.eventSource.length > 256 || !EVENT_SOURCE.test(q.eventSource)) {
      throw InsightsErrors.invalidParameter('EventSource must match ^[a-z0-9_-]+\\.amazonaws\\.com$ (at most 256 characters).');
    }
    if (typeof q.eventName !== 'string' || q.eventName.length > 128 || !EVENT_NAME.test(q.eventName)) {
      throw InsightsErrors.invalidParameter('EventName must match ^[A-Za-z0-9_]+$ (at most 128 characters).');
    }
    if (!INSIGHT_TYPES.includes(q.insightType as InsightType))
      throw InsightsErrors.invalidParameter('InsightType must be ApiCallRateInsight or ApiErrorRateInsight.');
    const insightType = q.insightType as InsightType;
    const errorCode = q.errorCode ?? null;
    if (insightType === 'ApiErrorRateInsight') {
      if (errorCode === null) throw InsightsErrors.invalidParameter('ErrorCode is required when InsightType is ApiErrorRateInsight.');
      if (errorCode.length > 128 || !ERROR_CODE.test(errorCode))
        throw InsightsErrors.invalidParameter('ErrorCode must match ^[\\w\\d\\s_.,\\-:\\[\\]]+$ (at most 128 characters).');
    } else if (errorCode !== null) {
      throw InsightsErrors.invalidParameter('ErrorCode applies only to ApiErrorRateInsight.');
    }
    const period = q.period ?? 3600;
    if (!(period in AVAILABILITY_DAYS)) throw InsightsErrors.invalidParameter('Period must be 60, 300 or 3600 seconds.');
    const dataType = q.dataType ?? 'NonZeroData';
    if (dataType !== 'NonZeroData' && dataType !== 'FillWithZeros')
      throw InsightsErrors.invalidParameter('DataType must be NonZeroData or FillWithZeros.');
    const maxResults = q.maxResults ?? MAX_RESULTS;
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_RESULTS)
      throw InsightsErrors.invalidParameter(`MaxResults must be 1 to ${MAX_RESULTS}.`);

    const now = new Date();
    const oldest = new Date(now.getTime() - AVAILABILITY_DAYS[period] * DAY_MS);
    let start = q.startTime ? time(q.startTime, 'StartTime') : new Date(now.getTime() - 90 * DAY_MS);
    const end = q.endTime ? time(q.endTime, 'EndTime') : now;
    if (start >= end) throw InsightsErrors.invalidParameter('StartTime must be before EndTime.');
    if (start < oldest) start = oldest;
    // Points are period-aligned (epoch origin); the first is the period holding StartTime.
    const periodMs = period * 1000;
    let firstBin = new Date(Math.floor(start.getTime() / periodMs) * periodMs);
    if (q.nextToken !== undefined && q.nextToken !== null) {
      const key = decodePageToken(q.nextToken);
      const after = key ? new Date(key) : null;
      if (!after || Number.isNaN(after.getTime())) throw InsightsErrors.invalidParameter('NextToken is not valid for this request.');
      if (after >= firstBin) firstBin = new Date(after.getTime() + periodMs);
    }

    const key = { eventSource: q.eventSource, eventName: q.eventName, insightType, errorCode: errorCode ?? '' };
    const rows = await this.db.inTenantRaw(
      tenantOf(ctx),
      (client) =>
        insightMinuteCountRepository.periodSums(client, ctx.caller.accountId, ctx.region, key, {
          periodSeconds: period,
          firstBin,
          end,
          start,
          fillWithZeros: dataType === 'FillWithZeros',
          limit: maxResults + 1,
        }),
      { readOnly: true },
    );
    const page = rows.slice(0, maxResults);
    return {
      eventSource: q.eventSource,
      eventName: q.eventName,
      insightType,
      errorCode,
      timestamps: page.map((r) => r.t),
      values: page.map((r) => Number(r.v)),
      nextToken: rows.length > maxResults ? encodePageToken(page[page.length - 1].t.toISOString()) : null,
    };
  }
}

function time(value: string, name: string): Date {
  const date = parseUtcTimestamp(value);
  if (!date) throw InsightsErrors.invalidParameter(`${name} must be an ISO-8601 UTC timestamp.`);
  return date;
}
