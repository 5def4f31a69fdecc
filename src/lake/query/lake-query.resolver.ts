import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { namedCloudTrailResource, type OperationResource } from '../../common/cloudtrail-resources';
import type { RequestContext } from '../../common/request-context';
import { Operation, OperationService } from '../../graphql/operation.decorator';
import { CallerRequest } from '../../graphql/request-context.decorator';
import { EVENT_DATA_STORE_RESOURCE, eventDataStoreArn } from '../event-data-store-names';
import { compileLakeQuery } from '../sql/lake-sql.compiler';
import type { LakeQueryEntity } from './lake-query.entity';
import type { LakeQueryService } from './lake-query.service';
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

/**
 * StartQuery is authorized against the first store the statement names (the service then checks
 * cloudtrail:StartQuery on every store it names); a statement that does not compile is checked
 * against the account's stores and rejected by the service with InvalidQueryStatementException.
 */
const firstStoreOfStatement: OperationResource = (args, caller, meta) => {
  try {
    const ids = compileLakeQuery(String(args.input?.queryStatement ?? '')).storeIds;
    if (ids.length) return eventDataStoreArn(meta.region, caller.accountId, ids[0]);
  } catch {
    // fall through
  }
  return eventDataStoreArn(meta.region, caller.accountId, '*');
};
const byStore = namedCloudTrailResource(EVENT_DATA_STORE_RESOURCE, 'input.eventDataStore');

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class LakeQueryResolver {
  constructor(private readonly queries: LakeQueryService) {}

  @Operation({ resource: firstStoreOfStatement })
  @Mutation(() => StartQueryResult, { description: 'Starts a CloudTrail Lake SQL query; poll describeQuery, then read getQueryResults.' })
  async startQuery(
    @Arg('input', () => StartQueryInput) input: StartQueryInput,
    @CallerRequest() request: RequestContext,
  ): Promise<StartQueryResult> {
    const { queryId } = await this.queries.startQuery(request, input);
    return { queryId, eventDataStoreOwnerAccountId: null };
  }

  @Operation({ resource: byStore })
  @Query(() => DescribeQueryResult, { description: 'Status, statistics and error of a query of the last 7 days.' })
  async describeQuery(
    @Arg('input', () => QueryRefInput) input: QueryRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<DescribeQueryResult> {
    const { query, waitReason } = await this.queries.describeQuery(request, input.queryId);
    return { ...toDescribe(query), waitReason };
  }

  @Operation({ resource: byStore })
  @Query(() => GetQueryResultsResult, { description: 'A page of result rows (rows so far while the query runs).' })
  async getQueryResults(
    @Arg('input', () => GetQueryResultsInput) input: GetQueryResultsInput,
    @CallerRequest() request: RequestContext,
  ): Promise<GetQueryResultsResult> {
    const page = await this.queries.getQueryResults(request, input);
    return {
      queryStatus: page.query.status,
      queryStatistics: {
        resultsCount: page.rows.length,
        totalResultsCount: page.totalResultsCount,
        bytesScanned: page.query.statistics?.bytesScanned ?? 0,
      },
      queryResultRows: page.rows,
      nextToken: page.nextToken,
      errorMessage: page.query.errorMessage,
    };
  }

  @Operation({ resource: byStore })
  @Query(() => ListQueriesResult, { description: 'Queries of the last 7 days run against an event data store, newest first.' })
  async listQueries(
    @Arg('input', () => ListQueriesInput) input: ListQueriesInput,
    @CallerRequest() request: RequestContext,
  ): Promise<ListQueriesResult> {
    const page = await this.queries.listQueries(request, input);
    return {
      queries: page.queries.map((q) => ({ queryId: q.id, queryStatus: q.status, creationTime: q.createdAt })),
      nextToken: page.nextToken,
    };
  }

  @Operation({ resource: byStore })
  @Mutation(() => CancelQueryResult, { description: 'Cancels a queued or running query; its statement is stopped in the database.' })
  async cancelQuery(
    @Arg('input', () => QueryRefInput) input: QueryRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<CancelQueryResult> {
    const q = await this.queries.cancelQuery(request, input.queryId);
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
