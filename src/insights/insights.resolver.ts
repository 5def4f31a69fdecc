import { Arg, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../common/request-context';
import { formatEventTime } from '../events/event-record';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import { toHistoryEvent } from '../events/history-event.mappers';
import type { InsightsDataService } from './insights-data.service';
import type { InsightsMetricsService } from './insights-metrics.service';
import { ListInsightsDataInput, ListInsightsDataResult, ListInsightsMetricDataInput, ListInsightsMetricDataResult } from './insights.types';

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class InsightsResolver {
  constructor(
    private readonly metrics: InsightsMetricsService,
    private readonly data: InsightsDataService,
  ) {}

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

  // As ListInsightsMetricData; the service also checks cloudtrail:ListInsightsData on the trail (spec §3.4).
  @Operation({ action: 'cloudtrail:LookupEvents' })
  @Query(() => ListInsightsDataResult, { description: 'Insights events of a trail in this region, newest first (ListInsightsData).' })
  async listInsightsData(
    @Arg('input', () => ListInsightsDataInput) input: ListInsightsDataInput,
    @CallerRequest() request: RequestContext,
  ): Promise<ListInsightsDataResult> {
    const page = await this.data.listInsightsData(request, input);
    return { events: page.events.map(toHistoryEvent), nextToken: page.nextToken };
  }
}
