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

export const LIST_TRAILS = `query Trails { describeTrails { trailList { name trailARN homeRegion s3BucketName isMultiRegionTrail
  isOrganizationTrail logFileValidationEnabled kmsKeyId } } }`;

export const TRAIL_STATUS = `query TrailStatus($input: TrailNameInput!) { getTrailStatus(input: $input) { isLogging
  latestDeliveryTime latestDeliveryError latestDigestDeliveryTime latestDigestDeliveryError startLoggingTime stopLoggingTime } }`;

export const INSIGHTS_METRIC_DATA = `query InsightMetrics($input: ListInsightsMetricDataInput!) {
  listInsightsMetricData(input: $input) { timestamps values nextToken } }`;

export const LIST_QUERIES = `query Queries($input: ListQueriesInput!) { listQueries(input: $input) { queries { queryId queryStatus creationTime } } }`;
