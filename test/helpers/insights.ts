import { randomUUID } from 'node:crypto';
import type { Services } from '../../src/app/services';
import { normaliseRecord } from '../../src/events/event-record';
import { buildInsightRecord } from '../../src/insights/insight-event';
import type { InsightType } from '../../src/insights/insight-series';

/** Writes a Start Insights event of an EC2 API through the event writer, as detection does; returns its eventID. */
export async function writeInsightEvent(
  services: Services,
  tenant: { accountId: string; organizationId: string | null },
  insight: { eventName: string; insightType: InsightType; eventTime: Date; region?: string },
): Promise<string> {
  const record = buildInsightRecord({
    accountId: tenant.accountId,
    region: insight.region ?? 'us-east-1',
    series: {
      eventSource: 'ec2.amazonaws.com',
      eventName: insight.eventName,
      insightType: insight.insightType,
      errorCode: insight.insightType === 'ApiErrorRateInsight' ? 'AccessDenied' : '',
    },
    state: 'Start',
    sharedEventId: randomUUID(),
    eventTime: insight.eventTime,
    baselineAverage: 0.01,
    insightAverage: 4,
    insightDuration: 1,
    attributions: {},
  });
  const normalised = normaliseRecord(record, { accountId: tenant.accountId, now: new Date(), retentionDays: 90 });
  if ('error' in normalised) throw new Error(normalised.error.errorMessage);
  await services.eventWriter.write(tenant, [normalised.row], 'insights');
  return String(record.eventID);
}
