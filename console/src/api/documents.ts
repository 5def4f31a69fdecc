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
