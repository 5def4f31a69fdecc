import { GraphQLJSON } from 'graphql-scalars';
import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { ListPage } from '../../graphql/list-page';

/** GraphQL shapes of the Lake query operations (spec §8.2.3), CloudTrail's names in lower camel case. */

@InputType()
export class StartQueryInput {
  @Field(() => String, { nullable: true, description: 'CloudTrail Lake SQL (1–10 000 characters); the table is the event data store id.' })
  queryStatement?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 's3://bucket[/prefix]: the results are also delivered there as gzip CSV files with a signed result_sign.json.',
  })
  deliveryS3Uri?: string | null;

  @Field(() => String, { nullable: true, description: 'Dashboard queries are not offered (InvalidParameterException).' })
  queryAlias?: string | null;

  @Field(() => [String], { nullable: true })
  queryParameters?: string[] | null;

  @Field(() => String, { nullable: true })
  eventDataStoreOwnerAccountId?: string | null;
}

@ObjectType()
export class StartQueryResult {
  @Field(() => String)
  queryId!: string;

  @Field(() => String, { nullable: true })
  eventDataStoreOwnerAccountId!: string | null;
}

@InputType()
export class QueryRefInput {
  @Field(() => String)
  queryId!: string;

  @Field(() => String, { nullable: true, description: 'Deprecated in CloudTrail: the query id suffices.' })
  eventDataStore?: string | null;

  @Field(() => String, { nullable: true })
  eventDataStoreOwnerAccountId?: string | null;
}

@ObjectType()
export class QueryStatisticsForDescribeQuery {
  @Field(() => Float, { description: 'Events the plan expects to match (estimate).' })
  eventsMatched!: number;

  @Field(() => Float, { description: 'Events the plan expects to read (estimate).' })
  eventsScanned!: number;

  @Field(() => Float)
  bytesScanned!: number;

  @Field(() => Int)
  executionTimeInMillis!: number;

  @Field(() => Date)
  creationTime!: Date;
}

@ObjectType()
export class DescribeQueryResult {
  @Field(() => String)
  queryId!: string;

  @Field(() => String)
  queryString!: string;

  @Field(() => String, { description: 'QUEUED | RUNNING | FINISHED | FAILED | CANCELLED | TIMED_OUT' })
  queryStatus!: string;

  @Field(() => QueryStatisticsForDescribeQuery)
  queryStatistics!: QueryStatisticsForDescribeQuery;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;

  @Field(() => String, { nullable: true })
  deliveryS3Uri!: string | null;

  @Field(() => String, { nullable: true })
  deliveryStatus!: string | null;

  @Field(() => String, { nullable: true })
  eventDataStoreOwnerAccountId!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'OpenTrail addition: why a QUEUED query waits. `ACCOUNT_RUNNING_LIMIT: …` (the account already runs LAKE_QUERY_MAX_RUNNING_PER_ACCOUNT queries) or `WAITING_FOR_RUNNER: …` (every query runner is busy; accounts with fewer running queries go first). Null unless QUEUED.',
  })
  waitReason!: string | null;
}

@InputType()
export class GetQueryResultsInput {
  @Field(() => String)
  queryId!: string;

  @Field(() => Int, { nullable: true, description: '1–1000 (default 1000).' })
  maxQueryResults?: number | null;

  @Field(() => String, { nullable: true })
  nextToken?: string | null;

  @Field(() => String, { nullable: true, description: 'Deprecated in CloudTrail: the query id suffices.' })
  eventDataStore?: string | null;

  @Field(() => String, { nullable: true })
  eventDataStoreOwnerAccountId?: string | null;
}

@ObjectType()
export class QueryStatistics {
  @Field(() => Int)
  resultsCount!: number;

  @Field(() => Int)
  totalResultsCount!: number;

  @Field(() => Float)
  bytesScanned!: number;
}

@ObjectType()
export class GetQueryResultsResult {
  @Field(() => String)
  queryStatus!: string;

  @Field(() => QueryStatistics)
  queryStatistics!: QueryStatistics;

  @Field(() => GraphQLJSON, {
    description:
      'CloudTrail\'s QueryResultRows: a list of rows, each a list of single-key objects {"<column>": "<value as string>"} in select order.',
  })
  queryResultRows!: unknown;

  @Field(() => String, { nullable: true })
  nextToken!: string | null;

  @Field(() => String, { nullable: true })
  errorMessage!: string | null;
}

@InputType()
export class ListQueriesInput {
  @Field(() => String, { description: 'Event data store ARN or id.' })
  eventDataStore!: string;

  @Field(() => String, { nullable: true })
  nextToken?: string | null;

  @Field(() => Int, { nullable: true, description: '1–1000.' })
  maxResults?: number | null;

  @Field(() => Date, { nullable: true })
  startTime?: Date | null;

  @Field(() => Date, { nullable: true })
  endTime?: Date | null;

  @Field(() => String, { nullable: true })
  queryStatus?: string | null;
}

@ObjectType()
export class LakeQuerySummary {
  @Field(() => String)
  queryId!: string;

  @Field(() => String)
  queryStatus!: string;

  @Field(() => Date)
  creationTime!: Date;
}

@ObjectType()
export class ListQueriesResult extends ListPage('queries', LakeQuerySummary, 'nextToken') {}

@ObjectType()
export class CancelQueryResult {
  @Field(() => String)
  queryId!: string;

  @Field(() => String)
  queryStatus!: string;

  @Field(() => String, { nullable: true })
  eventDataStoreOwnerAccountId!: string | null;
}
