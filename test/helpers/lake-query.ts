import { randomUUID } from 'node:crypto';
import { ensureLakePartitionsFor, insertLakeEvents, type LakeRecord } from '../../src/lake/lake-event.repository';
import { lakeCall, type LakeSession } from './lake-store';
import type { GqlResult, TestApp } from './test-app';

/** GraphQL documents and helpers of the Lake query operations (tests named *lake-query*, *lake-hostile*). */
export const QUERY_OPS = {
  startQuery: `mutation($input: StartQueryInput!) { startQuery(input: $input) { queryId } }`,
  describeQuery: `query($input: QueryRefInput!) { describeQuery(input: $input) { queryId queryString queryStatus errorMessage deliveryS3Uri deliveryStatus waitReason
    queryStatistics { eventsMatched eventsScanned bytesScanned executionTimeInMillis creationTime } } }`,
  getQueryResults: `query($input: GetQueryResultsInput!) { getQueryResults(input: $input) { queryStatus queryResultRows nextToken errorMessage
    queryStatistics { resultsCount totalResultsCount bytesScanned } } }`,
  listQueries: `query($input: ListQueriesInput!) { listQueries(input: $input) { queries { queryId queryStatus creationTime } nextToken } }`,
  cancelQuery: `mutation($input: QueryRefInput!) { cancelQuery(input: $input) { queryId queryStatus } }`,
} as const;
export type QueryOp = keyof typeof QUERY_OPS;

export async function qCall<T = any>(app: TestApp, op: QueryOp, input: Record<string, unknown>, s: LakeSession): Promise<T> {
  const result = await app.gql(QUERY_OPS[op], { input }, { token: s.token, region: s.region });
  if (result.errors?.length || !result.data) throw new Error(`${op} failed: ${JSON.stringify(result.errors)}`);
  return result.data[op] as T;
}

/** Runs an operation that must fail; returns the error code and message. */
export async function qError(
  app: TestApp,
  op: QueryOp,
  input: Record<string, unknown>,
  s: LakeSession,
): Promise<{ code: string; message: string }> {
  const result: GqlResult = await app.gql(QUERY_OPS[op], { input }, { token: s.token, region: s.region });
  const error = result.errors?.[0];
  if (!error) throw new Error(`${op} was expected to fail but returned ${JSON.stringify(result.data)}`);
  return { code: String(error.extensions?.code), message: error.message };
}

/** An ENABLED store of the session's account. */
export async function createStore(app: TestApp, s: LakeSession, name: string): Promise<{ id: string; arn: string }> {
  const store = await lakeCall(app, 'createEventDataStore', { name, retentionPeriod: 3653, terminationProtectionEnabled: false }, s);
  return { id: store.eventDataStoreArn.split('/').pop(), arn: store.eventDataStoreArn };
}

/** Writes records straight into a store, as the service does. */
export async function seed(app: TestApp, storeId: string, accountId: string, records: LakeRecord[]): Promise<void> {
  await ensureLakePartitionsFor(
    app.db.pool,
    records.map((r) => new Date(String(r.eventTime))),
  );
  const client = await app.db.pool.connect();
  try {
    await insertLakeEvents(client, storeId, accountId, records);
  } finally {
    client.release();
  }
}

export function lakeEvent(over: Record<string, unknown>): LakeRecord {
  return {
    eventVersion: '1.09',
    eventTime: '2023-01-22T10:00:00Z',
    eventSource: 's3.amazonaws.com',
    eventName: 'CreateBucket',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDADEFAULT',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
      accessKeyId: 'AKIAEXAMPLE',
      userName: 'alice',
    },
    requestParameters: null,
    responseElements: null,
    requestID: randomUUID(),
    eventID: randomUUID(),
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    ...over,
  };
}

/** Starts a statement and runs it to its end in-process (what the lake-query worker does). */
export async function runStatement(app: TestApp, s: LakeSession, statement: string): Promise<{ queryId: string; status: string | null }> {
  const { queryId } = await qCall(app, 'startQuery', { queryStatement: statement }, s);
  const status = await app.services.lakeQueries.run(queryId);
  return { queryId, status };
}

/** Every result row of a query, following nextTokens. */
export async function allRows(
  app: TestApp,
  s: LakeSession,
  queryId: string,
  pageSize = 1000,
): Promise<Array<Array<Record<string, string | null>>>> {
  const rows: Array<Array<Record<string, string | null>>> = [];
  let nextToken: string | null = null;
  do {
    const page: { queryResultRows: Array<Array<Record<string, string | null>>>; nextToken: string | null } = await qCall(
      app,
      'getQueryResults',
      { queryId, maxQueryResults: pageSize, nextToken },
      s,
    );
    rows.push(...page.queryResultRows);
    nextToken = page.nextToken;
  } while (nextToken);
  return rows;
}

/** Runs a statement that must finish; returns its rows. */
export async function query(app: TestApp, s: LakeSession, statement: string): Promise<Array<Array<Record<string, string | null>>>> {
  const { queryId, status } = await runStatement(app, s, statement);
  if (status !== 'FINISHED') {
    const d = await qCall(app, 'describeQuery', { queryId }, s);
    throw new Error(`query ${status}: ${d.errorMessage}\n${statement}`);
  }
  return allRows(app, s, queryId);
}
