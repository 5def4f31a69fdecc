import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { formatEventTime } from '../events/event-record';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { ListInsightsMetricDataInput, ListInsightsMetricDataResult } from './insights.types';

@Resolver()
export class InsightsResolver {
  @Query(() => ListInsightsMetricDataResult, { description: "The series behind Insights of the caller's account and region (ListInsightsMetricData)." })
  async listInsightsMetricData(
    @Arg('input', () => ListInsightsMetricDataInput) input: ListInsightsMetricDataInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ListInsightsMetricDataResult> {
    const r = await ctx.services.insights.metrics.listInsightsMetricData(requestContext(ctx), input);
    return { ...r, trailARN: null, timestamps: r.timestamps.map(formatEventTime) };
  }
}
