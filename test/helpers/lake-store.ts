import { policyJson } from './iam-ops';
import type { GqlResult, TestApp } from './test-app';

/** GraphQL documents and helpers of the Lake storage operations (event data stores, imports, channels). */
const EDS_FIELDS = `eventDataStoreArn name status multiRegionEnabled organizationEnabled retentionPeriod terminationProtectionEnabled
  kmsKeyId billingMode federationStatus createdTimestamp updatedTimestamp
  advancedEventSelectors { name fieldSelectors { field equals notEquals startsWith } }`;
const IMPORT_FIELDS = `importId destinations importStatus startEventTime endEventTime createdTimestamp updatedTimestamp
  importSource { s3 { s3LocationUri s3BucketRegion s3BucketAccessRoleArn } }
  importStatistics { prefixesFound prefixesCompleted filesCompleted eventsCompleted failedEntries }`;
const CHANNEL_FIELDS = `channelArn name source destinations { type location }`;

export const LAKE_OPS = {
  createEventDataStore: `mutation($input: CreateEventDataStoreInput!) { createEventDataStore(input: $input) { ${EDS_FIELDS} tagsList { key value } } }`,
  getEventDataStore: `query($input: EventDataStoreRefInput!) { getEventDataStore(input: $input) { ${EDS_FIELDS} } }`,
  listEventDataStores: `query($input: ListEventDataStoresInput) { listEventDataStores(input: $input) { eventDataStores { eventDataStoreArn name } nextToken } }`,
  updateEventDataStore: `mutation($input: UpdateEventDataStoreInput!) { updateEventDataStore(input: $input) { ${EDS_FIELDS} } }`,
  deleteEventDataStore: `mutation($input: EventDataStoreRefInput!) { deleteEventDataStore(input: $input) }`,
  restoreEventDataStore: `mutation($input: EventDataStoreRefInput!) { restoreEventDataStore(input: $input) { ${EDS_FIELDS} } }`,
  startEventDataStoreIngestion: `mutation($input: EventDataStoreRefInput!) { startEventDataStoreIngestion(input: $input) }`,
  stopEventDataStoreIngestion: `mutation($input: EventDataStoreRefInput!) { stopEventDataStoreIngestion(input: $input) }`,
  addTags: `mutation($input: TagsInput!) { addTags(input: $input) }`,
  removeTags: `mutation($input: TagsInput!) { removeTags(input: $input) }`,
  listTags: `query($input: ListTagsInput!) { listTags(input: $input) { resourceTagList { resourceId tagsList { key value } } } }`,
  startImport: `mutation($input: StartImportInput!) { startImport(input: $input) { ${IMPORT_FIELDS} } }`,
  getImport: `query($input: ImportIdInput!) { getImport(input: $input) { ${IMPORT_FIELDS} } }`,
  stopImport: `mutation($input: ImportIdInput!) { stopImport(input: $input) { ${IMPORT_FIELDS} } }`,
  listImports: `query($input: ListImportsInput) { listImports(input: $input) { imports { importId importStatus destinations createdTimestamp updatedTimestamp } nextToken } }`,
  listImportFailures: `query($input: ListImportFailuresInput!) { listImportFailures(input: $input) { failures { location status errorType errorMessage lastUpdatedTime } nextToken } }`,
  createChannel: `mutation($input: CreateChannelInput!) { createChannel(input: $input) { ${CHANNEL_FIELDS} tags { key value } } }`,
  getChannel: `query($input: ChannelRefInput!) { getChannel(input: $input) { ${CHANNEL_FIELDS}
    ingestionStatus { latestIngestionSuccessTime latestIngestionSuccessEventID latestIngestionErrorCode latestIngestionAttemptTime latestIngestionAttemptEventID } } }`,
  listChannels: `query($input: ListChannelsInput) { listChannels(input: $input) { channels { channelArn name } nextToken } }`,
  updateChannel: `mutation($input: UpdateChannelInput!) { updateChannel(input: $input) { ${CHANNEL_FIELDS} } }`,
  deleteChannel: `mutation($input: ChannelRefInput!) { deleteChannel(input: $input) }`,
  putResourcePolicy: `mutation($input: PutResourcePolicyInput!) { putResourcePolicy(input: $input) { resourceArn resourcePolicy delegatedAdminResourcePolicy } }`,
  getResourcePolicy: `query($input: ResourcePolicyRefInput!) { getResourcePolicy(input: $input) { resourceArn resourcePolicy delegatedAdminResourcePolicy } }`,
  deleteResourcePolicy: `mutation($input: ResourcePolicyRefInput!) { deleteResourcePolicy(input: $input) }`,
  putAuditEvents: `mutation($input: PutAuditEventsInput!) { putAuditEvents(input: $input) { successful { id eventID } failed { id errorCode errorMessage } } }`,
} as const;

export type LakeOp = keyof typeof LAKE_OPS;

export interface LakeSession {
  token: string;
  region?: string;
}

export async function lakeCall<T = any>(app: TestApp, op: LakeOp, input: Record<string, unknown> | undefined, s: LakeSession): Promise<T> {
  const result = await app.gql(LAKE_OPS[op], input === undefined ? {} : { input }, { token: s.token, region: s.region });
  if (result.errors?.length || !result.data) throw new Error(`${op} failed: ${JSON.stringify(result.errors)}`);
  return result.data[op] as T;
}

/** Runs an operation that must fail with `code`; returns the message. */
export async function lakeFails(
  app: TestApp,
  op: LakeOp,
  input: Record<string, unknown> | undefined,
  s: LakeSession,
  code: string,
): Promise<string> {
  const result: GqlResult = await app.gql(LAKE_OPS[op], input === undefined ? {} : { input }, { token: s.token, region: s.region });
  const error = result.errors?.[0];
  if (!error) throw new Error(`${op} was expected to fail with ${code} but returned ${JSON.stringify(result.data)}`);
  expect({ op, code: error.extensions?.code, message: error.message }).toEqual({ op, code, message: error.message });
  return error.message;
}

/** Routes every unrouted outbox row now, in-process (no workers needed). */
export async function routeAll(app: TestApp): Promise<void> {
  const { rows } = await app.db.pool.query(`SELECT id FROM event_outbox WHERE routed_at IS NULL ORDER BY id`);
  for (const r of rows) await app.services.outbox.route(String(r.id));
}

/** The event ids stored in a store (as the owner, bypassing row-level security). */
export async function lakeEventIds(app: TestApp, storeArn: string): Promise<Set<string>> {
  const id = storeArn.split('/').pop();
  const { rows } = await app.db.pool.query(`SELECT event_id FROM lake_events WHERE event_data_store_id = $1`, [id]);
  return new Set(rows.map((r) => r.event_id as string));
}

/** The key policy an event data store's key needs (spec §7): the owner's root, and CloudTrail kms:GenerateDataKey and kms:Decrypt. */
export function storeKeyPolicy(account: string, cloudTrailActions: string[] = ['kms:GenerateDataKey', 'kms:Decrypt']): string {
  return policyJson(
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'Allow CloudTrail Lake',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: cloudTrailActions,
      Resource: '*',
    },
  );
}
