import { TopicEntity } from '../../src/streaming/topic.entity';
import type { GqlResult, TestApp } from './test-app';

const TRAIL_FIELDS =
  'name s3BucketName s3KeyPrefix snsTopicName snsTopicARN includeGlobalServiceEvents isMultiRegionTrail homeRegion trailARN logFileValidationEnabled cloudWatchLogsLogGroupArn cloudWatchLogsRoleArn kmsKeyId hasCustomEventSelectors hasInsightSelectors isOrganizationTrail';
const SELECTORS =
  'trailARN eventSelectors { readWriteType includeManagementEvents dataResources { type values } excludeManagementEventSources } advancedEventSelectors { name fieldSelectors { field equals startsWith endsWith notEquals notStartsWith notEndsWith } }';

/** GraphQL documents of the trail operations. */
export const TRAIL_OPS = {
  createTrail: `mutation($input: CreateTrailInput!) { createTrail(input: $input) { ${TRAIL_FIELDS} } }`,
  updateTrail: `mutation($input: UpdateTrailInput!) { updateTrail(input: $input) { ${TRAIL_FIELDS} } }`,
  deleteTrail: 'mutation($input: TrailNameInput!) { deleteTrail(input: $input) }',
  getTrail: `query($input: TrailNameInput!) { getTrail(input: $input) { ${TRAIL_FIELDS} } }`,
  describeTrails: `query($input: DescribeTrailsInput) { describeTrails(input: $input) { trailList { ${TRAIL_FIELDS} } } }`,
  listTrails: 'query($input: ListTrailsInput) { listTrails(input: $input) { trails { trailARN name homeRegion } nextToken } }',
  getTrailStatus:
    'query($input: TrailNameInput!) { getTrailStatus(input: $input) { isLogging latestDeliveryTime latestDeliveryError latestNotificationTime latestNotificationError latestDigestDeliveryTime latestDigestDeliveryError startLoggingTime stopLoggingTime latestDeliveryAttemptTime latestDeliveryAttemptSucceeded timeLoggingStarted timeLoggingStopped } }',
  startLogging: 'mutation($input: TrailNameInput!) { startLogging(input: $input) }',
  stopLogging: 'mutation($input: TrailNameInput!) { stopLogging(input: $input) }',
  putEventSelectors: `mutation($input: PutEventSelectorsInput!) { putEventSelectors(input: $input) { ${SELECTORS} } }`,
  getEventSelectors: `query($input: TrailNameRefInput!) { getEventSelectors(input: $input) { ${SELECTORS} } }`,
  putInsightSelectors:
    'mutation($input: PutInsightSelectorsInput!) { putInsightSelectors(input: $input) { trailARN insightSelectors { insightType eventCategories } } }',
  getInsightSelectors:
    'query($input: GetInsightSelectorsInput!) { getInsightSelectors(input: $input) { trailARN insightSelectors { insightType eventCategories } } }',
  addTags: 'mutation($input: TagsInput!) { addTags(input: $input) }',
  removeTags: 'mutation($input: TagsInput!) { removeTags(input: $input) }',
  listTags: 'query($input: ListTagsInput!) { listTags(input: $input) { resourceTagList { resourceId tagsList { key value } } } }',
  createBucket: 'mutation($input: BucketNameInput!) { createBucket(input: $input) { bucketName } }',
  putBucketPolicy: 'mutation($input: PutBucketPolicyInput!) { putBucketPolicy(input: $input) { bucketName } }',
} as const;

export type TrailOp = keyof typeof TRAIL_OPS;

export interface Session {
  token: string;
  region?: string;
}

export async function trailCall<T = any>(app: TestApp, op: TrailOp, input: Record<string, unknown> | undefined, s: Session): Promise<T> {
  const result = await app.gql(TRAIL_OPS[op], input === undefined ? {} : { input }, { token: s.token, region: s.region });
  if (result.errors?.length || !result.data) throw new Error(`${op} failed: ${JSON.stringify(result.errors)}`);
  return result.data[op] as T;
}

/** Runs an operation that must fail with `code`; returns the message. */
export async function trailFails(
  app: TestApp,
  op: TrailOp,
  input: Record<string, unknown> | undefined,
  s: Session,
  code: string,
): Promise<string> {
  const result: GqlResult = await app.gql(TRAIL_OPS[op], input === undefined ? {} : { input }, { token: s.token, region: s.region });
  const error = result.errors?.[0];
  if (!error) throw new Error(`${op} was expected to fail with ${code} but returned ${JSON.stringify(result.data)}`);
  expect({ op, code: error.extensions?.code, message: error.message }).toEqual({ op, code, message: error.message });
  expect(result.data?.[op] ?? null).toBeNull();
  return error.message;
}

/**
 * CloudTrail's recommended bucket policy (spec §5.3) for the write paths of `owners` (accounts, or
 * an organization id for an organization trail), with its aws:SourceArn condition: by default the
 * trails of the accounts among `owners` (`arn:aws:cloudtrail:*:<account>:trail/*`; an organization
 * trail's ARN holds the management account), or the given ARN patterns (a Lake query's stores).
 */
export function cloudTrailBucketPolicy(bucket: string, owners: string[], prefix?: string, sourceArns?: string[]): string {
  const base = prefix ? `${prefix}/` : '';
  const arns = sourceArns ?? owners.filter((o) => /^\d{12}$/.test(o)).map((a) => `arn:aws:cloudtrail:*:${a}:trail/*`);
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck20150319',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { ArnLike: { 'aws:SourceArn': arns } },
      },
      {
        Sid: 'AWSCloudTrailWrite20150319',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: owners.map((o) => `arn:aws:s3:::${bucket}/${base}AWSLogs/${o}/*`),
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' }, ArnLike: { 'aws:SourceArn': arns } },
      },
    ],
  });
}

/** Creates a bucket through the storage API with CloudTrail's policy for `owners` (cloudTrailBucketPolicy). */
export async function createTrailBucket(
  app: TestApp,
  s: Session,
  bucket: string,
  owners: string[],
  prefix?: string,
  sourceArns?: string[],
): Promise<void> {
  await trailCall(app, 'createBucket', { bucketName: bucket }, s);
  await trailCall(app, 'putBucketPolicy', { bucketName: bucket, policy: cloudTrailBucketPolicy(bucket, owners, prefix, sourceArns) }, s);
}

/** A notification topic row (the topic API belongs to the streaming module). */
export async function insertTopic(app: Pick<TestApp, 'db'>, accountId: string, region: string, name: string): Promise<void> {
  await app.db.dataSource.getRepository(TopicEntity).save({
    accountId,
    region,
    name,
    topicArn: `arn:aws:sns:${region}:${accountId}:${name}`,
    endpoint: 'http://127.0.0.1:9/',
    signingSecret: 'x'.repeat(32),
  });
}
