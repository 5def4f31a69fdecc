import { Arg, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../common/request-context';
import { formatEventTime } from '../events/event-record';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import type { InsightsMetricsService } from './insights-metrics.service';
import { ListInsightsMetricDataInput, ListInsightsMetricDataResult } from './insights.types';

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class InsightsResolver {
  constructor(private readonly metrics: InsightsMetricsService) {}

  // CloudTrail authorizes ListInsightsMetricData as an event-history read (spec §3.4).
  @Operation({ action: 'cloudtrail:LookupEvents' })
  @Query(() => ListInsightsMetricDataResult, {
    description: "The series behind Insights of the caller's account and region (ListInsightsMetricData).",
  })
  async listInsightsMetricData(
    @Arg('input', () => ListInsightsMetricDataInput) input: ListInsightsMetricDataInput,
    @CallerRequest() request: RequestContext,
  ): Promise<ListInsightsMetricDataResult> {
    const r = await this.metrics.listInsightsMetricData(request, input);
    return { ...r, trailARN: null, timestamps: r.timestamps.map(formatEventTime) };
  }
}
