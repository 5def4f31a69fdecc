import { createHash } from 'node:crypto';
import { formatEventTime } from '../events/event-record';
import { ATTRIBUTES, BASELINE_MINUTES, type SeriesKey } from './insight-series';

/** At most this many values per attribute and period (spec §2.7). */
export const MAX_ATTRIBUTION_VALUES = 5;

/**
 * A UUID derived from `parts` (SHA-256, version nibble 5). Insights events get deterministic ids:
 * an analysis repeated after a crash writes the same (eventID, eventTime), which the events
 * table stores once.
 */
export function deterministicUuid(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const sharedEventIdOf = (accountId: string, region: string, k: SeriesKey, startedAt: Date) =>
  deterministicUuid('insight', accountId, region, k.eventSource, k.eventName, k.insightType, k.errorCode, startedAt.toISOString());

export interface AttributionValue {
  value: string;
  average: number;
}

export interface InsightEventInput {
  accountId: string;
  region: string;
  series: SeriesKey;
  state: 'Start' | 'End';
  sharedEventId: string;
  /** Start: first minute of the insight; End: the minute after its last unusual minute. */
  eventTime: Date;
  baselineAverage: number;
  insightAverage: number;
  insightDuration: number;
  /** attribute → values of the insight period and of the baseline, each sorted by average desc. */
  attributions: Record<string, { insight: AttributionValue[]; baseline: AttributionValue[] }>;
}

/** The CloudTrail Insights event record (spec §2.7): no userIdentity/eventName/eventSource at the top level. */
export function buildInsightRecord(i: InsightEventInput): Record<string, unknown> {
  const details: Record<string, unknown> = {
    state: i.state,
    eventSource: i.series.eventSource,
    eventName: i.series.eventName,
    insightType: i.series.insightType,
  };
  if (i.series.insightType === 'ApiErrorRateInsight') details.errorCode = i.series.errorCode;
  details.insightContext = {
    statistics: {
      baseline: { average: i.baselineAverage },
      insight: { average: i.insightAverage },
      insightDuration: i.insightDuration,
      baselineDuration: BASELINE_MINUTES,
    },
    attributions: ATTRIBUTES.map((attribute) => ({
      attribute,
      insight: (i.attributions[attribute]?.insight ?? []).slice(0, MAX_ATTRIBUTION_VALUES),
      baseline: (i.attributions[attribute]?.baseline ?? []).slice(0, MAX_ATTRIBUTION_VALUES),
    })),
  };
  return {
    eventVersion: '1.08',
    eventTime: formatEventTime(i.eventTime),
    awsRegion: i.region,
    eventID: deterministicUuid('insight-event', i.sharedEventId, i.state),
    eventType: 'AwsCloudTrailInsight',
    recipientAccountId: i.accountId,
    sharedEventID: i.sharedEventId,
    insightDetails: details,
    eventCategory: 'Insight',
  };
}
