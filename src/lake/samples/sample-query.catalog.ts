/**
 * The built-in catalog of CloudTrail Lake sample queries that searchSampleQueries ranks (spec
 * §8.2.3). Every statement names its event data store as `$EDS_ID`, the placeholder CloudTrail's
 * sample queries use: the caller puts the store's id there before startQuery. Each one compiles
 * with the Lake SQL compiler once a store id is substituted (test/unit/sample-query-catalog.test.ts).
 */

/** The store placeholder of every catalog statement. */
export const EDS_PLACEHOLDER = '$EDS_ID';

export interface SampleQuery {
  name: string;
  description: string;
  sql: string;
}

export const SAMPLE_QUERIES: readonly SampleQuery[] = [
  // Console sign-ins
  {
    name: 'Console sign-ins without MFA',
    description: 'Successful AWS Management Console sign-ins of the past week made without multi-factor authentication.',
    sql: `SELECT eventTime, userIdentity.arn, sourceIPAddress, userAgent
FROM $EDS_ID
WHERE eventName = 'ConsoleLogin'
  AND element_at(additionalEventData, 'MFAUsed') = 'No'
  AND element_at(responseElements, 'ConsoleLogin') = 'Success'
  AND eventTime > date_add('day', -7, now())
ORDER BY eventTime DESC`,
  },
  {
    name: 'Failed console sign-ins by source IP',
    description: 'Counts failed console sign-in attempts per source IP address over the past day, to spot password guessing.',
    sql: `SELECT sourceIPAddress, count(*) AS failedSignIns
FROM $EDS_ID
WHERE eventName = 'ConsoleLogin'
  AND element_at(responseElements, 'ConsoleLogin') = 'Failure'
  AND eventTime > date_add('day', -1, now())
GROUP BY sourceIPAddress
ORDER BY failedSignIns DESC`,
  },
  {
    name: 'Root user console sign-ins',
    description: 'Every console sign-in by the account root user in the past 30 days, with its source IP and outcome.',
    sql: `SELECT eventTime, sourceIPAddress, element_at(responseElements, 'ConsoleLogin') AS outcome, recipientAccountId
FROM $EDS_ID
WHERE eventName = 'ConsoleLogin'
  AND userIdentity.type = 'Root'
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
  },
  {
    name: 'Console sign-ins per user',
    description: 'How often each IAM user or federated identity signed in to the console during the past week.',
    sql: `SELECT userIdentity.arn, count(*) AS signIns, max(eventTime) AS lastSignIn
FROM $EDS_ID
WHERE eventName = 'ConsoleLogin'
  AND eventTime > date_add('day', -7, now())
GROUP BY userIdentity.arn
ORDER BY signIns DESC`,
  },
  {
    name: 'Console sign-ins from several IP addresses',
    description:
      'Users who signed in to the console from more than one distinct source IP address in one day, a sign of shared or stolen credentials.',
    sql: `SELECT userIdentity.arn, date_trunc('day', eventTime) AS signInDay, count(DISTINCT sourceIPAddress) AS addresses
FROM $EDS_ID
WHERE eventName = 'ConsoleLogin'
  AND eventTime > date_add('day', -7, now())
GROUP BY userIdentity.arn, date_trunc('day', eventTime)
HAVING count(DISTINCT sourceIPAddress) > 1
ORDER BY addresses DESC`,
  },
  // Root and identity activity
  {
    name: 'API calls made by the root user',
    description: 'Management API calls signed with root user credentials in the past week, excluding console sign-ins.',
    sql: `SELECT eventTime, eventSource, eventName, sourceIPAddress, errorCode
FROM $EDS_ID
WHERE userIdentity.type = 'Root'
  AND eventName <> 'ConsoleLogin'
  AND eventTime > date_add('day', -7, now())
ORDER BY eventTime DESC`,
  },
  {
    name: 'Root access keys created',
    description: 'Access keys created for the root user, which security guidance says should not exist.',
    sql: `SELECT eventTime, sourceIPAddress, userAgent, recipientAccountId
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName = 'CreateAccessKey'
  AND userIdentity.type = 'Root'
ORDER BY eventTime DESC`,
  },
  {
    name: 'IAM users created or deleted',
    description: 'Creation and deletion of IAM users in the past 30 days, with who made the change.',
    sql: `SELECT eventTime, eventName, element_at(requestParameters, 'userName') AS targetUser, userIdentity.arn AS actor
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName IN ('CreateUser', 'DeleteUser')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
  },
  {
    name: 'Access keys created per user',
    description: 'Which principals created IAM access keys for which users in the past 30 days.',
    sql: `SELECT userIdentity.arn AS creator, element_at(requestParameters, 'userName') AS keyOwner, count(*) AS keysCreated
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName = 'CreateAccessKey'
  AND eventTime > date_add('day', -30, now())
GROUP BY userIdentity.arn, element_at(requestParameters, 'userName')
ORDER BY keysCreated DESC`,
  },
  {
    name: 'IAM policy changes',
    description: 'Creation, attachment, detachment and versioning of IAM policies on users, groups and roles in the past week.',
    sql: `SELECT eventTime, eventName, userIdentity.arn, element_at(requestParameters, 'policyArn') AS policyArn
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName IN ('CreatePolicy', 'CreatePolicyVersion', 'DeletePolicy', 'AttachUserPolicy', 'DetachUserPolicy',
    'AttachRolePolicy', 'DetachRolePolicy', 'AttachGroupPolicy', 'DetachGroupPolicy', 'PutUserPolicy', 'PutRolePolicy')
  AND eventTime > date_add('day', -7, now())
ORDER BY eventTime DESC`,
  },
  {
    name: 'Administrator policy attached',
    description: 'Attachments of the AdministratorAccess managed policy to any user, group or role: privilege escalation to full access.',
    sql: `SELECT eventTime, eventName, userIdentity.arn AS actor, requestParameters
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy')
  AND element_at(requestParameters, 'policyArn') LIKE '%AdministratorAccess'
ORDER BY eventTime DESC`,
  },
  {
    name: 'Role trust policies updated',
    description: 'Changes to who may assume an IAM role (UpdateAssumeRolePolicy), which can open a role to another account.',
    sql: `SELECT eventTime, element_at(requestParameters, 'roleName') AS roleName, userIdentity.arn AS actor, sourceIPAddress
FROM $EDS_ID
WHERE eventSource = 'iam.amazonaws.com'
  AND eventName = 'UpdateAssumeRolePolicy'
ORDER BY eventTime DESC`,
  },
  {
    name: 'Roles assumed from other accounts',
    description: 'AssumeRole calls whose caller belongs to a different account than the one that recorded the event.',
    sql: `SELECT eventTime, userIdentity.accountId AS callerAccount, recipientAccountId, element_at(requestParameters, 'roleArn') AS roleArn
FROM $EDS_ID
WHERE eventSource = 'sts.amazonaws.com'
  AND eventName = 'AssumeRole'
  AND userIdentity.accountId <> recipientAccountId
  AND eventTime > date_add('day', -7, now())
ORDER BY eventTime DESC`,
  },
  {
    name: 'Most active IAM principals',
    description: 'The principals that made the most API calls in the past day, with how many of the calls failed.',
    sql: `SELECT userIdentity.arn, count(*) AS calls, count_if(errorCode IS NOT NULL) AS failedCalls
FROM $EDS_ID
WHERE eventTime > date_add('day', -1, now())
  AND userIdentity.arn IS NOT NULL
GROUP BY userIdentity.arn
ORDER BY calls DESC
LIMIT 20`,
  },
  {
    name: 'Activity of one access key',
    description: 'Everything done with a given access key ID, newest first: replace the key id to trace a leaked credential.',
    sql: `SELECT eventTime, eventSource, eventName, sourceIPAddress, userAgent, errorCode
FROM $EDS_ID
WHERE userIdentity.accessKeyId = 'AKIAIOSFODNN7EXAMPLE'
ORDER BY eventTime DESC`,
  },
  {
    name: 'Actions of one user over the last day',
    description: 'An investigation timeline of a single IAM user name: every call, its source IP and result in the past 24 hours.',
    sql: `SELECT eventTime, eventSource, eventName, sourceIPAddress, errorCode
FROM $EDS_ID
WHERE userIdentity.userName = 'alice'
  AND eventTime > date_add('hour', -24, now())
ORDER BY eventTime`,
  },
  // Errors and denied access
  {
    name: 'Access denied errors by principal',
    description: 'Principals whose calls were refused with AccessDenied or UnauthorizedOperation in the past week, and how often.',
    sql: `SELECT userIdentity.arn, eventSource, eventName, count(*) AS denials
FROM $EDS_ID
WHERE errorCode IN ('AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'Client.UnauthorizedOperation')
  AND eventTime > date_add('day', -7, now())
GROUP BY userIdentity.arn, eventSource, eventName
ORDER BY denials DESC`,
  },
  {
    name: 'Most frequent error codes',
    description: 'Error codes returned by AWS APIs in the past day, ranked by number of failed calls.',
    sql: `SELECT errorCode, count(*) AS failures
FROM $EDS_ID
WHERE errorCode IS NOT NULL
  AND eventTime > date_add('day', -1, now())
GROUP BY errorCode
ORDER BY failures DESC`,
  },
  {
    name: 'Failed API calls with their messages',
    description: 'The latest API calls that ended in an error, with the error message CloudTrail recorded.',
    sql: `SELECT eventTime, eventSource, eventName, errorCode, errorMessage, userIdentity.arn
FROM $EDS_ID
WHERE errorCode IS NOT NULL
ORDER BY eventTime DESC
LIMIT 100`,
  },
  {
    name: 'Throttled API calls by service',
    description: 'Calls rejected for exceeding request rate limits (throttling) per service and API over the past day.',
    sql: `SELECT eventSource, eventName, count(*) AS throttled
FROM $EDS_ID
WHERE errorCode IN ('ThrottlingException', 'Throttling', 'RequestLimitExceeded', 'TooManyRequestsException')
  AND eventTime > date_add('day', -1, now())
GROUP BY eventSource, eventName
ORDER BY throttled DESC`,
  },
  {
    name: 'Error rate per API',
    description: 'For each API called more than 100 times in the past day, the share of calls that failed.',
    sql: `SELECT eventSource, eventName, count(*) AS calls, round(100.0 * count_if(errorCode IS NOT NULL) / count(*), 2) AS errorPercent
FROM $EDS_ID
WHERE eventTime > date_add('day', -1, now())
GROUP BY eventSource, eventName
HAVING count(*) > 100
ORDER BY errorPercent DESC`,
  },
  // S3 data events
  {
    name: 'S3 objects read per bucket',
    description: 'GetObject data events per bucket over the past day, to see which buckets are read most.',
    sql: `SELECT element_at(requestParameters, 'bucketName') AS bucket, count(*) AS reads
FROM $EDS_ID
WHERE eventSource = 's3.amazonaws.com'
  AND eventName = 'GetObject'
  AND eventTime > date_add('day', -1, now())
GROUP BY element_at(requestParameters, 'bucketName')
ORDER BY reads DESC`,
  },
  {
    name: 'S3 objects deleted',
    description: 'Who deleted which S3 objects in the past week (DeleteObject and DeleteObjects data events).',
    sql: `SELECT eventTime, userIdentity.arn, element_at(requestParameters, 'bucketName') AS bucket, element_at(requestParameters, 'key') AS objectKey
FROM $EDS_ID
WHERE eventSource = 's3.amazonaws.com'
  AND eventName IN ('DeleteObject', 'DeleteObjects')
  AND eventTime > date_add('day', -7, now())
ORDER BY eventTime DESC`,
  },
  {
    name: 'S3 downloads by principal',
    description: 'Principals that downloaded the most S3 objects in the past day: a first look for data exfiltration.',
    sql: `SELECT userIdentity.arn, count(*) AS objectsRead, count(DISTINCT element_at(requestParameters, 'bucketName')) AS buckets
FROM $EDS_ID
WHERE eventSource = 's3.amazonaws.com'
  AND eventName = 'GetObject'
  AND eventTime > date_add('day', -1, now())
GROUP BY userIdentity.arn
ORDER BY objectsRead DESC
LIMIT 20`,
  },
  {
    name: 'S3 bucket policy and ACL changes',
    description: 'Changes to bucket policies, ACLs and public access blocks that can make S3 data public.',
    sql: `SELECT eventTime, eventName, element_at(requestParameters, 'bucketName') AS bucket, userIdentity.arn, sourceIPAddress
FROM $EDS_ID
WHERE eventSource = 's3.amazonaws.com'
  AND eventName IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl', 'PutObjectAcl', 'DeletePublicAccessBlock',
    'PutPublicAccessBlock')
ORDER BY eventTime DESC`,
  },
  {
    name: 'S3 buckets created or deleted',
    description: 'CreateBucket and DeleteBucket calls in the past 30 days with the bucket name and the caller.',
    sql: `SELECT eventTime, eventName, element_at(requestParameters, 'bucketName') AS bucket, userIdentity.arn, awsRegion
FROM $EDS_ID
WHERE eventSource = 's3.amazonaws.com'
  AND eventName IN ('CreateBucket', 'DeleteBucket')
  AND eventTime > date_add('day', -30, now())
ORDER BY eventTime DESC`,
  },
  {
    name: 'S3 requests from outside the organization',
    description: 'S3 data events whose caller account differs from the bucket owner account recorded with the event.',
    sql: `SELECT userIdentity.accountId AS callerAccount, element_at(requestParameters, 'bucketName') AS bucket, eventName, count(*) AS requests
FROM $EDS_ID
WHERE eventSource = 's3.amazonaws.com'
  AND eventCategory = 'Data'
  AND userIdentity.accountId <> recipientAccountId
GROUP BY userIdentity.accountId, element_at(requestParameters, 'bucketName'), eventName
ORDER BY requests DESC`,
  },
  // Security investigations: defense evasion and infrastructure
  {
    name: 'CloudTrail logging stopped or trails deleted',
    description: 'StopLogging, DeleteTrail and UpdateTrail calls: attempts to blind auditing.',
    sql: `SELECT eventTime, eventName, element_at(requestParameters, 'name') AS trail, userIdentity.arn, sourceIPAddress
FROM $EDS_ID
WHERE eventSource = 'cloudtrail.amazonaws.com'
  AND eventName IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors')
ORDER BY eventTime DESC`,
  },
  {
    name: 'Security group ingress opened to the internet',
    description: 'Security group rules authorized for 0.0.0.0/0, which expose instances to any address.',
    sql: `SELECT eventTime, element_at(requestParameters, 'groupId') AS groupId, userIdentity.arn, requestParameters
FROM $EDS_ID
WHERE eventSource = 'ec2.amazonaws.com'
  AND eventName = 'AuthorizeSecurityGroupIngress'
  AND json_format(json_parse(element_at(requestParameters, 'ipPermissions'))) LIKE '%0.0.0.0/0%'
ORDER BY eventTime DESC`,
  },
  {
    name: 'KMS keys scheduled for deletion or disabled',
    description: 'ScheduleKeyDeletion and DisableKey calls on KMS keys: data encrypted under them becomes unreadable.',
    sql: `SELECT eventTime, eventName, element_at(requestParameters, 'keyId') AS keyId, userIdentity.arn
FROM $EDS_ID
WHERE eventSource = 'kms.amazonaws.com'
  AND eventName IN ('ScheduleKeyDeletion', 'DisableKey')
ORDER BY eventTime DESC`,
  },
  {
    name: 'GuardDuty or Config disabled',
    description: 'Calls that delete GuardDuty detectors or stop AWS Config recorders, which turn off threat detection.',
    sql: `SELECT eventTime, eventSource, eventName, userIdentity.arn, awsRegion
FROM $EDS_ID
WHERE (eventSource = 'guardduty.amazonaws.com' AND eventName IN ('DeleteDetector', 'UpdateDetector'))
   OR (eventSource = 'config.amazonaws.com' AND eventName IN ('StopConfigurationRecorder', 'DeleteConfigurationRecorder'))
ORDER BY eventTime DESC`,
  },
  {
    name: 'Calls from unusual regions',
    description: 'API calls per AWS Region in the past week, least used first, to spot activity in regions you do not operate in.',
    sql: `SELECT awsRegion, count(*) AS calls, count(DISTINCT userIdentity.arn) AS principals
FROM $EDS_ID
WHERE eventTime > date_add('day', -7, now())
GROUP BY awsRegion
ORDER BY calls ASC`,
  },
  {
    name: 'Calls from a given source IP',
    description: 'All activity that came from one source IP address, to follow an attacker across services.',
    sql: `SELECT eventTime, userIdentity.arn, eventSource, eventName, errorCode
FROM $EDS_ID
WHERE sourceIPAddress = '203.0.113.10'
ORDER BY eventTime DESC`,
  },
  {
    name: 'EC2 instances launched',
    description: 'RunInstances calls of the past week with the instance type requested and the caller.',
    sql: `SELECT eventTime, userIdentity.arn, awsRegion, element_at(requestParameters, 'instanceType') AS instanceType, errorCode
FROM $EDS_ID
WHERE eventSource = 'ec2.amazonaws.com'
  AND eventName = 'RunInstances'
  AND eventTime > date_add('day', -7, now())
ORDER BY eventTime DESC`,
  },
  {
    name: 'Secrets read from Secrets Manager',
    description: 'Who retrieved secret values (GetSecretValue) and how often, per secret, in the past day.',
    sql: `SELECT userIdentity.arn, element_at(requestParameters, 'secretId') AS secretId, count(*) AS reads
FROM $EDS_ID
WHERE eventSource = 'secretsmanager.amazonaws.com'
  AND eventName = 'GetSecretValue'
  AND eventTime > date_add('day', -1, now())
GROUP BY userIdentity.arn, element_at(requestParameters, 'secretId')
ORDER BY reads DESC`,
  },
  // Insights
  {
    name: 'Insights events by API',
    description:
      'Unusual API call rate and error rate activity detected by CloudTrail Insights, grouped per event source, API and insight type.',
    sql: `SELECT element_at(insightDetails, 'eventSource') AS insightSource, element_at(insightDetails, 'eventName') AS insightApi,
  element_at(insightDetails, 'insightType') AS insightType, count(*) AS insightsEvents
FROM $EDS_ID
WHERE eventCategory = 'Insight'
GROUP BY element_at(insightDetails, 'eventSource'), element_at(insightDetails, 'eventName'), element_at(insightDetails, 'insightType')
ORDER BY insightsEvents DESC`,
  },
  {
    name: 'Latest Insights start events',
    description: 'The most recent start of each unusual activity that Insights reported, with its shared event ID to find the end.',
    sql: `SELECT eventTime, sharedEventID, element_at(insightDetails, 'eventName') AS insightApi, element_at(insightDetails, 'insightType') AS insightType
FROM $EDS_ID
WHERE eventCategory = 'Insight'
  AND element_at(insightDetails, 'state') = 'Start'
ORDER BY eventTime DESC
LIMIT 50`,
  },
  {
    name: 'Error rate Insights',
    description: 'Insights events of type ApiErrorRateInsight: bursts of failing calls with the error code involved.',
    sql: `SELECT eventTime, element_at(insightDetails, 'state') AS state, element_at(insightDetails, 'eventName') AS insightApi,
  element_at(insightDetails, 'errorCode') AS errorCode
FROM $EDS_ID
WHERE eventCategory = 'Insight'
  AND element_at(insightDetails, 'insightType') = 'ApiErrorRateInsight'
ORDER BY eventTime DESC`,
  },
  // API volume and cost
  {
    name: 'Top APIs by call volume',
    description: 'The most called APIs of the past day, useful to find what drives request costs and CloudTrail event volume.',
    sql: `SELECT eventSource, eventName, count(*) AS calls
FROM $EDS_ID
WHERE eventTime > date_add('day', -1, now())
GROUP BY eventSource, eventName
ORDER BY calls DESC
LIMIT 25`,
  },
  {
    name: 'Daily API volume per service',
    description: 'Number of recorded events per service per day over the past 30 days, to follow usage and ingestion cost trends.',
    sql: `SELECT date_trunc('day', eventTime) AS eventDay, eventSource, count(*) AS events
FROM $EDS_ID
WHERE eventTime > date_add('day', -30, now())
GROUP BY date_trunc('day', eventTime), eventSource
ORDER BY eventDay, events DESC`,
  },
  {
    name: 'Hourly call volume',
    description: 'Events per hour over the past two days, to see traffic peaks and quiet periods.',
    sql: `SELECT date_trunc('hour', eventTime) AS eventHour, count(*) AS events
FROM $EDS_ID
WHERE eventTime > date_add('day', -2, now())
GROUP BY date_trunc('hour', eventTime)
ORDER BY eventHour`,
  },
  {
    name: 'Read versus write calls',
    description: 'How many read-only and mutating management calls each service received in the past week.',
    sql: `SELECT eventSource, count_if(readOnly) AS readCalls, count_if(NOT readOnly) AS writeCalls
FROM $EDS_ID
WHERE managementEvent = true
  AND eventTime > date_add('day', -7, now())
GROUP BY eventSource
ORDER BY writeCalls DESC`,
  },
  {
    name: 'Event volume by category',
    description: 'Recorded events per category (management, data, Insight) and type, which determines Lake ingestion charges.',
    sql: `SELECT eventCategory, eventType, count(*) AS events
FROM $EDS_ID
WHERE eventTime > date_add('day', -30, now())
GROUP BY eventCategory, eventType
ORDER BY events DESC`,
  },
  {
    name: 'KMS decrypt calls by caller',
    description: 'KMS Decrypt and GenerateDataKey request volume per principal: a frequent source of KMS request charges.',
    sql: `SELECT userIdentity.arn, eventName, count(*) AS requests
FROM $EDS_ID
WHERE eventSource = 'kms.amazonaws.com'
  AND eventName IN ('Decrypt', 'GenerateDataKey', 'Encrypt')
  AND eventTime > date_add('day', -1, now())
GROUP BY userIdentity.arn, eventName
ORDER BY requests DESC`,
  },
  {
    name: 'Calls by user agent',
    description: 'Which SDKs, tools and consoles (user agents) made calls in the past day, and how many.',
    sql: `SELECT userAgent, count(*) AS calls
FROM $EDS_ID
WHERE eventTime > date_add('day', -1, now())
GROUP BY userAgent
ORDER BY calls DESC
LIMIT 25`,
  },
  {
    name: 'Lambda functions invoked most',
    description: 'Invoke data events per Lambda function over the past day.',
    sql: `SELECT element_at(requestParameters, 'functionName') AS functionName, count(*) AS invocations
FROM $EDS_ID
WHERE eventSource = 'lambda.amazonaws.com'
  AND eventName = 'Invoke'
  AND eventTime > date_add('day', -1, now())
GROUP BY element_at(requestParameters, 'functionName')
ORDER BY invocations DESC`,
  },
  {
    name: 'Resources changed by event type',
    description: 'The resource types named in events of the past week, with how many events touched each.',
    sql: `SELECT r.resource.type AS resourceType, count(*) AS events
FROM $EDS_ID, UNNEST(resources) AS r(resource)
WHERE eventTime > date_add('day', -7, now())
GROUP BY r.resource.type
ORDER BY events DESC`,
  },
  {
    name: 'AWS service calls on your behalf',
    description: 'Events made by AWS services for you (AwsServiceEvent or invokedBy a service principal), per service.',
    sql: `SELECT coalesce(userIdentity.invokedBy, eventSource) AS service, eventType, count(*) AS events
FROM $EDS_ID
WHERE eventType = 'AwsServiceEvent' OR userIdentity.invokedBy IS NOT NULL
GROUP BY coalesce(userIdentity.invokedBy, eventSource), eventType
ORDER BY events DESC`,
  },
];
