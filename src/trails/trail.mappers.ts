import { PARTITION } from '../common/arn';
import type {
  AdvancedEventSelector as AdvancedEntity,
  EventSelector as EventEntity,
  InsightSelector as InsightEntity,
  TrailEntity,
} from './trail.entity';
import type { EventSelectorInput as EventSelectorParams } from '../selectors/selector-validation';
import type { TrailStatus } from './trail-read.service';
import type {
  AdvancedEventSelector,
  AdvancedEventSelectorInput,
  EventSelector,
  EventSelectorInput,
  InsightSelector,
  InsightSelectorInput,
} from './trail-selectors.types';
import type { Trail, TrailInfo, TrailStatusResult } from './trail.types';

/** Storage shapes (CloudTrail's PascalCase JSON) <-> GraphQL shapes (lower camel case). */

export function toTrail(t: TrailEntity): Trail {
  return {
    name: t.name,
    s3BucketName: t.s3BucketName,
    s3KeyPrefix: t.s3KeyPrefix,
    snsTopicName: t.snsTopicName,
    // Topics live in the trail's home region and owner account (checked when it was set).
    snsTopicARN: t.snsTopicName ? `arn:${PARTITION}:sns:${t.homeRegion}:${t.accountId}:${t.snsTopicName}` : null,
    includeGlobalServiceEvents: t.includeGlobalServiceEvents,
    isMultiRegionTrail: t.isMultiRegionTrail,
    homeRegion: t.homeRegion,
    trailARN: t.trailArn,
    logFileValidationEnabled: t.logFileValidationEnabled,
    cloudWatchLogsLogGroupArn: t.cloudWatchLogsLogGroupArn,
    cloudWatchLogsRoleArn: t.cloudWatchLogsRoleArn,
    kmsKeyId: t.kmsKeyId,
    hasCustomEventSelectors: t.hasCustomEventSelectors,
    hasInsightSelectors: (t.insightSelectors ?? []).length > 0,
    isOrganizationTrail: t.isOrganizationTrail,
  };
}

export const toTrailInfo = (t: TrailEntity): TrailInfo => ({ trailARN: t.trailArn, name: t.name, homeRegion: t.homeRegion });

const legacy = (d: Date | null | undefined) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '');

export function toTrailStatus({ trail, delivery }: TrailStatus): TrailStatusResult {
  return {
    isLogging: trail.isLogging,
    latestDeliveryTime: delivery?.latestDeliveryTime ?? null,
    latestDeliveryError: delivery?.latestDeliveryError ?? null,
    latestNotificationTime: delivery?.latestNotificationTime ?? null,
    latestNotificationError: delivery?.latestNotificationError ?? null,
    // No CloudWatch Logs delivery exists yet: nothing to report.
    latestCloudWatchLogsDeliveryTime: null,
    latestCloudWatchLogsDeliveryError: null,
    latestDigestDeliveryTime: delivery?.latestDigestDeliveryTime ?? null,
    latestDigestDeliveryError: delivery?.latestDigestDeliveryError ?? null,
    startLoggingTime: trail.startLoggingTime,
    stopLoggingTime: trail.stopLoggingTime,
    latestDeliveryAttemptTime: legacy(delivery?.latestDeliveryAttemptTime),
    latestNotificationAttemptTime: legacy(delivery?.latestNotificationAttemptTime),
    latestNotificationAttemptSucceeded: legacy(delivery?.latestNotificationTime),
    latestDeliveryAttemptSucceeded: legacy(delivery?.latestDeliveryTime),
    timeLoggingStarted: legacy(trail.startLoggingTime),
    timeLoggingStopped: legacy(trail.stopLoggingTime),
  };
}

export const toEventSelector = (s: EventEntity): EventSelector => ({
  readWriteType: s.ReadWriteType,
  includeManagementEvents: s.IncludeManagementEvents,
  dataResources: s.DataResources.map((d) => ({ type: d.Type, values: d.Values })),
  excludeManagementEventSources: s.ExcludeManagementEventSources,
});

export const fromEventSelectorInput = (s: EventSelectorInput): EventSelectorParams => ({
  ReadWriteType: s.readWriteType,
  IncludeManagementEvents: s.includeManagementEvents,
  DataResources: s.dataResources?.map((d) => ({ Type: d.type, Values: d.values })) ?? null,
  ExcludeManagementEventSources: s.excludeManagementEventSources,
});

export const toAdvancedEventSelector = (s: AdvancedEntity): AdvancedEventSelector => ({
  name: s.Name ?? null,
  fieldSelectors: s.FieldSelectors.map((f) => ({
    field: f.Field,
    equals: f.Equals ?? null,
    startsWith: f.StartsWith ?? null,
    endsWith: f.EndsWith ?? null,
    notEquals: f.NotEquals ?? null,
    notStartsWith: f.NotStartsWith ?? null,
    notEndsWith: f.NotEndsWith ?? null,
  })),
});

export function fromAdvancedEventSelectorInput(s: AdvancedEventSelectorInput): AdvancedEntity {
  const out: AdvancedEntity = {
    FieldSelectors: s.fieldSelectors.map((f) => {
      const fs: AdvancedEntity['FieldSelectors'][number] = { Field: f.field };
      if (f.equals != null) fs.Equals = f.equals;
      if (f.startsWith != null) fs.StartsWith = f.startsWith;
      if (f.endsWith != null) fs.EndsWith = f.endsWith;
      if (f.notEquals != null) fs.NotEquals = f.notEquals;
      if (f.notStartsWith != null) fs.NotStartsWith = f.notStartsWith;
      if (f.notEndsWith != null) fs.NotEndsWith = f.notEndsWith;
      return fs;
    }),
  };
  if (s.name != null) out.Name = s.name;
  return out;
}

export const toInsightSelector = (s: InsightEntity): InsightSelector => ({
  insightType: s.InsightType,
  eventCategories: s.EventCategories ?? null,
});

export const fromInsightSelectorInput = (s: InsightSelectorInput) => ({
  InsightType: s.insightType,
  EventCategories: s.eventCategories ?? null,
});
