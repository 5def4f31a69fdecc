import { defineOperations } from '../graphql/operation-spec';

export const INSIGHTS_OPERATIONS = defineOperations({
  // CloudTrail authorizes ListInsightsMetricData as an event-history read (spec §3.4).
  listInsightsMetricData: { eventSource: 'cloudtrail.amazonaws.com', eventName: 'ListInsightsMetricData', action: 'cloudtrail:LookupEvents' },
});
