import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../../graphql/context';
import type { LakeQueryEntity } from './lake-query.entity';
import {
  CancelQueryResult,
  DescribeQueryResult,
  GetQueryResultsInput,
  GetQueryResultsResult,
  ListQueriesInput,
  ListQueriesResult,
  QueryRefInput,
  StartQueryInput,
  StartQueryResult,
} from './lake-query.types';

@Resolver()
export class LakeQueryResolver {
  @Mutation(() => StartQueryResult, { description: 'Starts a CloudTrail Lake SQL query; poll describeQuery, then read getQueryResults.' })
  async startQuery(@Arg('input', () => StartQueryInput) input: StartQueryInput, @Ctx() ctx: GraphQLContext): Promise<StartQueryResult> {
    const { queryId } = await ctx.services.lakeQueries.startQuery(requestContext(ctx), input);
    return { queryId, eventDataStoreOwnerAccountId: null };
  }

  @Query(() => DescribeQueryResult, { description: 'Status, statistics and error of a query of the last 7 days.' })
  async describeQuery(@Arg('input', () => QueryRefInput) input: QueryRefInput, @Ctx() ctx: GraphQLContext): Promise<DescribeQueryResult> {
    const { query, waitReason } = await ctx.services.lakeQueries.describeQuery(requestContext(ctx), input.queryId);
    return { ...toDescribe(query), waitReason };
  }

  @Query(() => GetQueryResultsResult, { description: 'A page of result rows (rows so far while the query runs).' })
  async getQueryResults(@Arg('input', () => GetQueryResultsInput) input: GetQueryResultsInput, @Ctx() ctx: GraphQLContext): Promise<GetQueryResultsResult> {
    const page = await ctx.services.lakeQueries.getQueryResults(requestContext(ctx), input);
    return {
      queryStatus: page.query.status,
      queryStatistics: { resultsCount: page.rows.length, totalResultsCount: page.totalResultsCount, bytesScanned: page.query.statistics?.bytesScanned ?? 0 },
      queryResultRows: page.rows,
      nextToken: page.nextToken,
      errorMessage: page.query.errorMessage,
    };
  }

  @Query(() => ListQueriesResult, { description: 'Queries of the last 7 days run against an event data store, newest first.' })
  async listQueries(@Arg('input', () => ListQueriesInput) input: ListQueriesInput, @Ctx() ctx: GraphQLContext): Promise<ListQueriesResult> {
    const page = await ctx.services.lakeQueries.listQueries(requestContext(ctx), input);
    return { queries: page.queries.map((q) => ({ queryId: q.id, queryStatus: q.status, creationTime: q.createdAt })), nextToken: page.nextToken };
  }

  @Mutation(() => CancelQueryResult, { description: 'Cancels a queued or running query; its statement is stopped in the database.' })
  async cancelQuery(@Arg('input', () => QueryRefInput) input: QueryRefInput, @Ctx() ctx: GraphQLContext): Promise<CancelQueryResult> {
    const q = await ctx.services.lakeQueries.cancelQuery(requestContext(ctx), input.queryId);
    return { queryId: q.id, queryStatus: q.status, eventDataStoreOwnerAccountId: null };
  }
}

function toDescribe(q: LakeQueryEntity): Omit<DescribeQueryResult, 'waitReason'> {
  const s = q.statistics;
  return {
    queryId: q.id,
    queryString: q.statement,
    queryStatus: q.status,
    queryStatistics: {
      eventsMatched: s?.eventsMatched ?? 0,
      eventsScanned: s?.eventsScanned ?? 0,
      bytesScanned: s?.bytesScanned ?? 0,
      executionTimeInMillis: s?.executionTimeInMillis ?? 0,
      creationTime: q.createdAt,
    },
    errorMessage: q.errorMessage,
    deliveryS3Uri: q.deliveryS3Uri,
    deliveryStatus: q.deliveryStatus,
    eventDataStoreOwnerAccountId: null,
  };
}
