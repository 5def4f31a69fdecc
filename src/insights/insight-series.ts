/** The two Insights types (spec §10). */
export type InsightType = 'ApiCallRateInsight' | 'ApiErrorRateInsight';
export const INSIGHT_TYPES: readonly InsightType[] = ['ApiCallRateInsight', 'ApiErrorRateInsight'];

/**
 * One counted series: per (account, region, event source, event name) the write-call series of
 * ApiCallRateInsight (errorCode ''), and for ApiErrorRateInsight one series per error code.
 */
export interface SeriesKey {
  eventSource: string;
  eventName: string;
  insightType: InsightType;
  /** '' for the call-rate series. */
  errorCode: string;
}

export const seriesId = (k: SeriesKey): string => JSON.stringify([k.eventSource, k.eventName, k.insightType, k.errorCode]);

export function parseSeriesId(id: string): SeriesKey {
  const [eventSource, eventName, insightType, errorCode] = JSON.parse(id) as [string, string, InsightType, string];
  return { eventSource, eventName, insightType, errorCode };
}

/** Attributes CloudTrail attributes an insight to (spec §2.7). */
export type AttributionAttribute = 'userIdentityArn' | 'userAgent' | 'errorCode';
export const ATTRIBUTES: readonly AttributionAttribute[] = ['userIdentityArn', 'userAgent', 'errorCode'];

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
/** CloudTrail's baselineDuration: the 7 whole days before the day of the insight, in minutes. */
export const BASELINE_DAYS = 7;
export const BASELINE_MINUTES = BASELINE_DAYS * 1440;

export const HOUR_MS = 3_600_000;
export const floorHour = (d: Date): Date => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);
export const floorMinute = (d: Date): Date => new Date(Math.floor(d.getTime() / MINUTE_MS) * MINUTE_MS);
export const floorDay = (d: Date): Date => new Date(Math.floor(d.getTime() / DAY_MS) * DAY_MS);
