/** The GraphQL documents the console sends (schema/schema.graphql). */

export const CREATE_SESSION = `mutation CreateSession($input: CreateSessionInput!) {
  createSession(input: $input) { token expiration accessKeyId } }`;

export const CALLER_IDENTITY = `query CallerIdentity { getCallerIdentity { account arn userId } }`;

export const LIST_REGIONS = `query Regions { listRegions { regionName description isHomeRegion } }`;

export const LOOKUP_EVENTS = `query LookupEvents($input: LookupEventsInput, $first: Int, $after: String) {
  lookupEvents(input: $input, first: $first, after: $after) {
    edges { cursor node { eventId eventName eventTime eventSource username readOnly accessKeyId
      resources { resourceType resourceName } cloudTrailEvent } }
    pageInfo { hasNextPage endCursor } } }`;

export const LIVE_EVENTS = `subscription LiveEvents { events { eventId eventName eventTime eventSource cloudTrailEvent } }`;

export const LIST_EVENT_DATA_STORES = `query Stores { listEventDataStores { eventDataStores { eventDataStoreArn name } } }`;

export const GET_EVENT_DATA_STORE = `query Store($input: EventDataStoreRefInput!) {
  getEventDataStore(input: $input) { eventDataStoreArn name status retentionPeriod multiRegionEnabled organizationEnabled
    advancedEventSelectors { name fieldSelectors { field equals notEquals startsWith } } } }`;

export const START_QUERY = `mutation StartQuery($input: StartQueryInput!) { startQuery(input: $input) { queryId } }`;

export const DESCRIBE_QUERY = `query DescribeQuery($input: QueryRefInput!) { describeQuery(input: $input) {
  queryId queryStatus queryString errorMessage waitReason
  queryStatistics { eventsMatched eventsScanned bytesScanned executionTimeInMillis } } }`;

export const GET_QUERY_RESULTS = `query QueryResults($input: GetQueryResultsInput!) { getQueryResults(input: $input) {
  queryStatus queryResultRows nextToken errorMessage queryStatistics { resultsCount totalResultsCount bytesScanned } } }`;

export const CANCEL_QUERY = `mutation CancelQuery($input: QueryRefInput!) { cancelQuery(input: $input) { queryId queryStatus } }`;

const TRAIL_FIELDS = `name trailARN homeRegion s3BucketName s3KeyPrefix isMultiRegionTrail includeGlobalServiceEvents
  isOrganizationTrail logFileValidationEnabled kmsKeyId hasCustomEventSelectors`;

export const LIST_TRAILS = `query Trails { describeTrails { trailList { ${TRAIL_FIELDS} } } }`;

export const CREATE_TRAIL = `mutation CreateTrail($input: CreateTrailInput!) { createTrail(input: $input) { ${TRAIL_FIELDS} } }`;

export const UPDATE_TRAIL = `mutation UpdateTrail($input: UpdateTrailInput!) { updateTrail(input: $input) { ${TRAIL_FIELDS} } }`;

export const START_LOGGING = `mutation StartLogging($input: TrailNameInput!) { startLogging(input: $input) }`;

export const STOP_LOGGING = `mutation StopLogging($input: TrailNameInput!) { stopLogging(input: $input) }`;

const SELECTOR_FIELDS = `trailARN
  eventSelectors { readWriteType includeManagementEvents excludeManagementEventSources dataResources { type values } }
  advancedEventSelectors { name fieldSelectors { field equals notEquals startsWith notStartsWith endsWith notEndsWith } }`;

export const GET_EVENT_SELECTORS = `query EventSelectors($input: TrailNameRefInput!) { getEventSelectors(input: $input) { ${SELECTOR_FIELDS} } }`;

export const PUT_EVENT_SELECTORS = `mutation PutEventSelectors($input: PutEventSelectorsInput!) {
  putEventSelectors(input: $input) { ${SELECTOR_FIELDS} } }`;

export const LIST_BUCKETS = `query Buckets { listBuckets { buckets { bucketName region } } }`;

export const CREATE_BUCKET = `mutation CreateBucket($input: BucketNameInput!) { createBucket(input: $input) { bucketName region } }`;

export const PUT_BUCKET_POLICY = `mutation PutBucketPolicy($input: PutBucketPolicyInput!) { putBucketPolicy(input: $input) { bucketName } }`;

export const LIST_KEYS = `query Keys { listKeys(input: { limit: 1000 }) { keys { keyId keyArn } } }`;

export const LIST_ALIASES = `query Aliases { listAliases(input: { limit: 100 }) { aliases { aliasName targetKeyId } } }`;

export const VALIDATE_LOGS = `query ValidateLogs($input: ValidateLogsInput!) { validateLogs(input: $input) {
  trailARN valid summary validDigests invalidDigests validBackfillDigests invalidBackfillDigests validLogFiles invalidLogFiles
  results { kind backfill valid line } } }`;

export const TRAIL_STATUS = `query TrailStatus($input: TrailNameInput!) { getTrailStatus(input: $input) { isLogging
  latestDeliveryTime latestDeliveryError latestDigestDeliveryTime latestDigestDeliveryError startLoggingTime stopLoggingTime } }`;

export const INSIGHTS_METRIC_DATA = `query InsightMetrics($input: ListInsightsMetricDataInput!) {
  listInsightsMetricData(input: $input) { timestamps values nextToken } }`;

export const LIST_QUERIES = `query Queries($input: ListQueriesInput!) { listQueries(input: $input) { queries { queryId queryStatus creationTime } } }`;

// Resources pages (console/src/pages/resources/).

const STORE_FIELDS = `eventDataStoreArn name status retentionPeriod multiRegionEnabled organizationEnabled terminationProtectionEnabled
  billingMode kmsKeyId createdTimestamp updatedTimestamp advancedEventSelectors { name fieldSelectors { field equals notEquals startsWith } }`;

export const LIST_EVENT_DATA_STORES_PAGE = `query StoresPage($input: ListEventDataStoresInput) {
  listEventDataStores(input: $input) { eventDataStores { eventDataStoreArn name } nextToken } }`;

export const GET_EVENT_DATA_STORE_DETAILS = `query StoreDetails($input: EventDataStoreRefInput!) { getEventDataStore(input: $input) { ${STORE_FIELDS} } }`;

export const CREATE_EVENT_DATA_STORE = `mutation CreateStore($input: CreateEventDataStoreInput!) { createEventDataStore(input: $input) { ${STORE_FIELDS} } }`;

export const DELETE_EVENT_DATA_STORE = `mutation DeleteStore($input: EventDataStoreRefInput!) { deleteEventDataStore(input: $input) }`;

const CHANNEL_FIELDS = `channelArn name source destinations { type location }`;

export const LIST_CHANNELS = `query Channels($input: ListChannelsInput) { listChannels(input: $input) { channels { channelArn name } nextToken } }`;

export const GET_CHANNEL = `query Channel($input: ChannelRefInput!) { getChannel(input: $input) { ${CHANNEL_FIELDS}
  ingestionStatus { latestIngestionSuccessTime latestIngestionSuccessEventID latestIngestionErrorCode latestIngestionAttemptTime } } }`;

export const CREATE_CHANNEL = `mutation CreateChannel($input: CreateChannelInput!) { createChannel(input: $input) { ${CHANNEL_FIELDS} } }`;

export const DELETE_CHANNEL = `mutation DeleteChannel($input: ChannelRefInput!) { deleteChannel(input: $input) }`;

export const LIST_BUCKETS_DETAILS = `query BucketList { listBuckets { buckets { bucketName region creationDate } } }`;

export const DELETE_BUCKET = `mutation DeleteBucket($input: BucketNameInput!) { deleteBucket(input: $input) }`;

export const LIST_OBJECTS = `query Objects($input: ListObjectsInput!, $first: Int, $after: String) {
  listObjects(input: $input, first: $first, after: $after) { edges { node { key size lastModified } } pageInfo { hasNextPage endCursor } } }`;

export const GET_OBJECT = `query Object($input: GetObjectInput!) { getObject(input: $input) {
  key body contentLength contentType contentEncoding lastModified serverSideEncryption ssekmsKeyId metadata { key value } } }`;

const KEY_FIELDS = `keyId arn description keyState enabled creationDate deletionDate pendingDeletionWindowInDays keySpec keyUsage
  keyManager origin multiRegion`;

export const LIST_KEYS_PAGE = `query KeysPage($input: ListKeysInput) { listKeys(input: $input) { keys { keyId keyArn } nextMarker truncated } }`;

export const DESCRIBE_KEY = `query DescribeKey($input: KeyIdInput!) { describeKey(input: $input) { keyMetadata { ${KEY_FIELDS} } } }`;

export const CREATE_KEY = `mutation CreateKey($input: CreateKeyInput) { createKey(input: $input) { keyMetadata { ${KEY_FIELDS} } } }`;

export const ENABLE_KEY = `mutation EnableKey($input: KeyIdInput!) { enableKey(input: $input) }`;

export const DISABLE_KEY = `mutation DisableKey($input: KeyIdInput!) { disableKey(input: $input) }`;

export const SCHEDULE_KEY_DELETION = `mutation ScheduleKeyDeletion($input: ScheduleKeyDeletionInput!) {
  scheduleKeyDeletion(input: $input) { keyId keyState deletionDate pendingWindowInDays } }`;

export const CANCEL_KEY_DELETION = `mutation CancelKeyDeletion($input: KeyIdInput!) { cancelKeyDeletion(input: $input) { keyId } }`;

export const LIST_USERS = `query Users($input: ListPrincipalsInput) { listUsers(input: $input) {
  users { userName userId arn path createDate } isTruncated marker } }`;

export const CREATE_USER = `mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { userName userId arn path createDate } }`;

export const LIST_ROLES = `query Roles($input: ListPrincipalsInput) { listRoles(input: $input) {
  roles { roleName roleId arn path createDate description maxSessionDuration assumeRolePolicyDocument } isTruncated marker } }`;

export const CREATE_ROLE = `mutation CreateRole($input: CreateRoleInput!) { createRole(input: $input) {
  roleName roleId arn path createDate description maxSessionDuration assumeRolePolicyDocument } }`;

export const LIST_POLICIES = `query Policies { listPolicies { policies { policyName arn path description attachmentCount isAttachable
  defaultVersionId policyDocument } isTruncated } }`;

export const ATTACH_USER_POLICY = `mutation AttachUserPolicy($input: AttachUserPolicyInput!) { attachUserPolicy(input: $input) }`;

export const ATTACH_ROLE_POLICY = `mutation AttachRolePolicy($input: AttachRolePolicyInput!) { attachRolePolicy(input: $input) }`;

export const LIST_ACCESS_KEYS = `query AccessKeys($input: UserNameInput) { listAccessKeys(input: $input) {
  accessKeyMetadata { accessKeyId userName status createDate } isTruncated } }`;

export const CREATE_ACCESS_KEY = `mutation CreateAccessKey($input: UserNameInput) { createAccessKey(input: $input) {
  accessKey { accessKeyId secretAccessKey userName status createDate } } }`;

export const DELETE_ACCESS_KEY = `mutation DeleteAccessKey($input: DeleteAccessKeyInput!) { deleteAccessKey(input: $input) }`;

const ACCOUNT_FIELDS = `id arn name email status joinedMethod joinedTimestamp`;

export const LIST_ACCOUNTS = `query Accounts($input: ListAccountsInput) { listAccounts(input: $input) { accounts { ${ACCOUNT_FIELDS} } nextToken } }`;

export const CREATE_ACCOUNT = `mutation CreateAccount($input: CreateAccountInput!) { createAccount(input: $input) { ${ACCOUNT_FIELDS} } }`;

export const REMOVE_ACCOUNT = `mutation RemoveAccount($input: RemoveAccountFromOrganizationInput!) { removeAccountFromOrganization(input: $input) }`;

export const LIST_DELEGATED_ADMINISTRATORS = `query DelegatedAdmins { listDelegatedAdministrators {
  delegatedAdministrators { ${ACCOUNT_FIELDS} delegationEnabledDate } } }`;

export const REGISTER_DELEGATED_ADMIN = `mutation RegisterDelegatedAdmin($input: RegisterOrganizationDelegatedAdminInput!) {
  registerOrganizationDelegatedAdmin(input: $input) }`;

export const DEREGISTER_DELEGATED_ADMIN = `mutation DeregisterDelegatedAdmin($input: DeregisterOrganizationDelegatedAdminInput!) {
  deregisterOrganizationDelegatedAdmin(input: $input) }`;

const DASHBOARD_FIELDS = `dashboardArn name type status lastRefreshId lastRefreshFailureReason updatedTimestamp
  widgets { queryAlias queryStatement queryParameters viewProperties { key value } queryId queryStatus }`;

export const LIST_DASHBOARDS = `query Dashboards($input: ListDashboardsInput) { listDashboards(input: $input) {
  dashboards { dashboardArn type } nextToken } }`;

export const GET_DASHBOARD = `query Dashboard($input: DashboardRefInput!) { getDashboard(input: $input) { ${DASHBOARD_FIELDS} } }`;

export const CREATE_DASHBOARD = `mutation CreateDashboard($input: CreateDashboardInput!) { createDashboard(input: $input) { ${DASHBOARD_FIELDS} } }`;

export const UPDATE_DASHBOARD = `mutation UpdateDashboard($input: UpdateDashboardInput!) { updateDashboard(input: $input) { ${DASHBOARD_FIELDS} } }`;

export const START_DASHBOARD_REFRESH = `mutation RefreshDashboard($input: StartDashboardRefreshInput!) {
  startDashboardRefresh(input: $input) { refreshId } }`;
