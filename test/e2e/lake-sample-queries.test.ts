import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createStore, query, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { SAMPLE_ACCOUNT, SAMPLE_RECORDS } from '../fixtures/lake-sample-records';

jest.setTimeout(300_000);

/**
 * CloudTrail Lake queries of the kinds AWS publishes (its sample-query collection, the console's
 * samples and the user guide's examples: sign-ins, root and IAM activity, errors, S3 data events,
 * resources, windows), written here after them with a literal time window instead of the
 * published `$date` placeholders, each run on OpenTrail's Lake and on DuckDB over the same
 * records exported as JSON; the answers must agree (rows sorted unless the query orders them).
 * DuckDB reads Trino's SQL as is for most of them; where its dialect differs (element_at of an
 * array, cardinality, json_extract_scalar, approx_distinct, from_iso8601_timestamp, regexp_like,
 * integer division) `duck` is the same question in DuckDB's words.
 */
interface Sample {
  name: string;
  sql: string;
  duck?: string;
  /** the published query orders its rows completely: compare in order */
  ordered?: boolean;
}

const W = `eventTime >= '2024-05-01 00:00:00' AND eventTime < '2024-05-04 00:00:00'`;

const SAMPLES: Sample[] = [
  // --- AWS sample queries (aws-samples/cloudtrail-lake-sample-queries, console "Sample queries")
  {
    name: 'Top 10 APIs by count',
    sql: `SELECT eventName, count(*) AS apiCount FROM $EDS_ID WHERE ${W} GROUP BY eventName ORDER BY apiCount DESC, eventName LIMIT 10`,
    ordered: true,
  },
  {
    name: 'Console logins',
    sql: `SELECT eventTime, useridentity.arn, sourceIPAddress FROM $EDS_ID WHERE eventName = 'ConsoleLogin' AND ${W}`,
  },
  {
    name: 'Console logins without MFA',
    sql: `SELECT useridentity.arn, sourceIPAddress, eventTime FROM $EDS_ID WHERE eventName = 'ConsoleLogin' AND element_at(additionalEventData, 'MFAUsed') = 'No' AND ${W}`,
    duck: `SELECT useridentity.arn, sourceIPAddress, eventTime FROM ev WHERE eventName = 'ConsoleLogin' AND additionalEventData['MFAUsed'] = 'No' AND ${W}`,
  },
  {
    name: 'Failed console logins',
    sql: `SELECT useridentity.username, sourceIPAddress, errorMessage FROM $EDS_ID WHERE eventName = 'ConsoleLogin' AND responseElements['ConsoleLogin'] = 'Failure' AND ${W}`,
  },
  {
    name: 'Failed console logins by IP',
    sql: `SELECT sourceIPAddress, count(*) AS failures FROM $EDS_ID WHERE eventSource = 'signin.amazonaws.com' AND eventName = 'ConsoleLogin' AND errorMessage = 'Failed authentication' AND ${W} GROUP BY sourceIPAddress`,
  },
  {
    name: 'Root account activity',
    sql: `SELECT eventTime, eventName, sourceIPAddress FROM $EDS_ID WHERE userIdentity.type = 'Root' AND ${W} ORDER BY eventTime`,
    ordered: true,
  },
  {
    name: 'Root console logins',
    sql: `SELECT eventTime, sourceIPAddress, additionalEventData['MFAUsed'] AS mfa FROM $EDS_ID WHERE userIdentity.type = 'Root' AND eventName = 'ConsoleLogin' AND ${W}`,
  },
  {
    name: 'Access denied errors',
    sql: `SELECT eventSource, eventName, userIdentity.arn, errorCode FROM $EDS_ID WHERE errorCode IN ('AccessDenied', 'Client.UnauthorizedOperation', 'UnauthorizedOperation') AND ${W}`,
  },
  {
    name: 'Access denied by principal',
    sql: `SELECT userIdentity.arn, count(*) AS denied FROM $EDS_ID WHERE errorCode LIKE '%AccessDenied%' OR errorCode LIKE '%Unauthorized%' GROUP BY userIdentity.arn`,
  },
  {
    name: 'Errors by event source',
    sql: `SELECT eventSource, errorCode, count(*) AS errors FROM $EDS_ID WHERE errorCode IS NOT NULL AND ${W} GROUP BY eventSource, errorCode`,
  },
  {
    name: 'IAM user creation',
    sql: `SELECT eventTime, userIdentity.arn AS creator, requestParameters['userName'] AS newUser FROM $EDS_ID WHERE eventSource = 'iam.amazonaws.com' AND eventName = 'CreateUser' AND ${W}`,
  },
  {
    name: 'Access keys created',
    sql: `SELECT eventTime, userIdentity.userName, element_at(requestParameters, 'userName') AS keyOwner FROM $EDS_ID WHERE eventName = 'CreateAccessKey' AND ${W}`,
    duck: `SELECT eventTime, userIdentity.userName, requestParameters['userName'] AS keyOwner FROM ev WHERE eventName = 'CreateAccessKey' AND ${W}`,
  },
  {
    name: 'Admin policy attachments',
    sql: `SELECT eventTime, userIdentity.arn, requestParameters['userName'], requestParameters['policyArn'] FROM $EDS_ID WHERE eventName IN ('AttachUserPolicy', 'AttachRolePolicy', 'AttachGroupPolicy') AND requestParameters['policyArn'] LIKE '%AdministratorAccess%'`,
  },
  {
    name: 'IAM changes',
    sql: `SELECT eventName, count(*) AS n FROM $EDS_ID WHERE eventSource = 'iam.amazonaws.com' AND readOnly = false AND ${W} GROUP BY eventName`,
  },
  {
    name: 'CloudTrail tampering',
    sql: `SELECT eventTime, eventName, userIdentity.arn, requestParameters['name'] AS trail FROM $EDS_ID WHERE eventSource = 'cloudtrail.amazonaws.com' AND eventName IN ('StopLogging', 'DeleteTrail', 'UpdateTrail', 'PutEventSelectors') AND ${W}`,
  },
  {
    name: 'KMS key deletion scheduled',
    sql: `SELECT eventTime, userIdentity.arn, requestParameters['keyId'], requestParameters['pendingWindowInDays'] FROM $EDS_ID WHERE eventSource = 'kms.amazonaws.com' AND eventName = 'ScheduleKeyDeletion'`,
  },
  {
    name: 'Security group ingress changes',
    sql: `SELECT eventTime, awsRegion, requestParameters['groupId'] AS groupId, userIdentity.arn FROM $EDS_ID WHERE eventName IN ('AuthorizeSecurityGroupIngress', 'RevokeSecurityGroupIngress') AND ${W}`,
  },
  {
    name: 'EC2 instances launched',
    sql: `SELECT eventTime, awsRegion, requestParameters['instanceType'] AS instanceType, userIdentity.arn FROM $EDS_ID WHERE eventName = 'RunInstances' AND errorCode IS NULL AND ${W}`,
  },
  {
    name: 'Failed RunInstances',
    sql: `SELECT userIdentity.arn, requestParameters['instanceType'], errorCode, errorMessage FROM $EDS_ID WHERE eventName = 'RunInstances' AND errorCode IS NOT NULL`,
  },
  {
    name: 'Activity per region',
    sql: `SELECT awsRegion, count(*) AS events FROM $EDS_ID WHERE ${W} GROUP BY awsRegion ORDER BY events DESC`,
    ordered: true,
  },
  {
    name: 'Activity per service',
    sql: `SELECT eventSource, count(*) AS events FROM $EDS_ID WHERE ${W} GROUP BY 1 ORDER BY 2 DESC, 1`,
    ordered: true,
  },
  {
    name: 'Calls per principal',
    sql: `SELECT userIdentity.arn AS principal, count(*) AS calls FROM $EDS_ID WHERE ${W} GROUP BY userIdentity.arn ORDER BY calls DESC, principal`,
    ordered: true,
  },
  {
    name: 'Distinct APIs per user',
    sql: `SELECT userIdentity.principalId, count(DISTINCT eventName) AS apis FROM $EDS_ID WHERE userIdentity.principalId IS NOT NULL GROUP BY 1`,
  },
  {
    name: 'Approx distinct source IPs per user',
    sql: `SELECT userIdentity.arn, approx_distinct(sourceIPAddress) AS ips FROM $EDS_ID GROUP BY userIdentity.arn`,
    duck: `SELECT userIdentity.arn, count(DISTINCT sourceIPAddress) AS ips FROM ev GROUP BY userIdentity.arn`,
  },
  { name: 'Read versus write calls', sql: `SELECT readOnly, count(*) AS n FROM $EDS_ID WHERE ${W} GROUP BY readOnly` },
  {
    name: 'Management and data events',
    sql: `SELECT eventCategory, managementEvent, count(*) FROM $EDS_ID GROUP BY eventCategory, managementEvent`,
  },
  {
    name: 'Events per day',
    sql: `SELECT date_trunc('day', eventTime) AS day, count(*) AS events FROM $EDS_ID WHERE ${W} GROUP BY 1 ORDER BY 1`,
    ordered: true,
  },
  {
    name: 'Events per hour of a day',
    sql: `SELECT hour(eventTime) AS h, count(*) AS events FROM $EDS_ID WHERE eventTime >= '2024-05-01 00:00:00' AND eventTime < '2024-05-02 00:00:00' GROUP BY 1`,
  },
  {
    name: 'S3 objects read per bucket',
    sql: `SELECT requestParameters['bucketName'] AS bucket, count(*) AS reads FROM $EDS_ID WHERE eventSource = 's3.amazonaws.com' AND eventName = 'GetObject' GROUP BY 1`,
  },
  {
    name: 'S3 objects deleted',
    sql: `SELECT eventTime, userIdentity.arn, requestParameters['bucketName'], requestParameters['key'] FROM $EDS_ID WHERE eventName IN ('DeleteObject', 'DeleteObjects') AND ${W}`,
  },
  {
    name: 'S3 data events by user',
    sql: `SELECT userIdentity.arn, eventName, count(*) FROM $EDS_ID WHERE eventCategory = 'Data' AND eventSource = 's3.amazonaws.com' GROUP BY 1, 2`,
  },
  {
    name: 'Bytes downloaded from S3',
    sql: `SELECT requestParameters['bucketName'] AS bucket, sum(CAST(additionalEventData['bytesTransferredOut'] AS bigint)) AS bytesOut FROM $EDS_ID WHERE eventName = 'GetObject' GROUP BY 1`,
  },
  {
    name: 'Bucket policy changes',
    sql: `SELECT eventTime, requestParameters['bucketName'], userIdentity.arn FROM $EDS_ID WHERE eventSource = 's3.amazonaws.com' AND eventName IN ('PutBucketPolicy', 'DeleteBucketPolicy', 'PutBucketAcl')`,
  },
  {
    name: 'Buckets created or deleted',
    sql: `SELECT eventName, requestParameters['bucketName'] AS bucket, errorCode FROM $EDS_ID WHERE eventName IN ('CreateBucket', 'DeleteBucket')`,
  },
  {
    name: 'Assumed role sessions by role',
    sql: `SELECT userIdentity.sessionContext.sessionIssuer.arn AS role, count(*) AS calls FROM $EDS_ID WHERE userIdentity.type = 'AssumedRole' AND ${W} GROUP BY 1`,
  },
  {
    name: 'Role sessions with MFA',
    sql: `SELECT userIdentity.arn, userIdentity.sessionContext.attributes.mfaAuthenticated AS mfa, count(*) FROM $EDS_ID WHERE userIdentity.sessionContext.attributes.mfaAuthenticated = 'true' GROUP BY 1, 2`,
  },
  {
    name: 'AssumeRole by services',
    sql: `SELECT userIdentity.invokedBy, requestParameters['roleArn'], requestParameters['roleSessionName'] FROM $EDS_ID WHERE eventName = 'AssumeRole' AND userIdentity.type = 'AWSService'`,
  },
  {
    name: 'Activity by access key',
    sql: `SELECT userIdentity.accessKeyId, count(*) FROM $EDS_ID WHERE userIdentity.accessKeyId IS NOT NULL AND userIdentity.accessKeyId <> '' GROUP BY 1`,
  },
  { name: 'User agents', sql: `SELECT userAgent, count(*) AS n FROM $EDS_ID WHERE ${W} GROUP BY userAgent` },
  { name: 'CLI callers', sql: `SELECT DISTINCT userIdentity.arn FROM $EDS_ID WHERE userAgent LIKE 'aws-cli%'` },
  {
    name: 'Source IPs outside a range',
    sql: `SELECT DISTINCT sourceIPAddress FROM $EDS_ID WHERE sourceIPAddress NOT LIKE '198.51.100.%' AND sourceIPAddress NOT LIKE '%.amazonaws.com'`,
  },
  {
    name: 'Events of one user',
    sql: `SELECT eventTime, eventName, eventSource FROM $EDS_ID WHERE userIdentity.userName = 'alice' AND ${W} ORDER BY eventTime DESC`,
    ordered: true,
  },
  {
    name: 'Latest event per principal',
    sql: `SELECT userIdentity.arn, max(eventTime) AS lastSeen, min(eventTime) AS firstSeen FROM $EDS_ID GROUP BY 1`,
  },
  {
    name: 'Principals with more than 5 calls',
    sql: `SELECT userIdentity.arn, count(*) AS calls FROM $EDS_ID GROUP BY userIdentity.arn HAVING count(*) > 5`,
  },
  {
    name: 'Resources touched',
    sql: `SELECT r.type, r.arn FROM $EDS_ID, UNNEST(resources) AS t(r) WHERE ${W}`,
    duck: `SELECT r.type, r.ARN FROM (SELECT unnest(resources) AS r FROM ev WHERE ${W})`,
  },
  {
    name: 'Resource types',
    sql: `SELECT type, count(*) FROM $EDS_ID CROSS JOIN UNNEST(resources) AS t(accountId, type, arn, arnPrefix) GROUP BY type`,
    duck: `SELECT r.type, count(*) FROM (SELECT unnest(resources) AS r FROM ev) GROUP BY r.type`,
  },
  {
    name: 'First resource of S3 data events',
    sql: `SELECT element_at(resources, 1).arn AS objectArn FROM $EDS_ID WHERE eventCategory = 'Data'`,
    duck: `SELECT resources[1].ARN AS objectArn FROM ev WHERE eventCategory = 'Data'`,
  },
  {
    name: 'Events with several resources',
    sql: `SELECT eventName, cardinality(resources) AS n FROM $EDS_ID WHERE cardinality(resources) > 1`,
    duck: `SELECT eventName, len(resources) AS n FROM ev WHERE len(resources) > 1`,
  },
  // --- CloudTrail Lake user guide examples (query examples and SQL constraints pages)
  {
    name: 'Guide: events of a store in a window',
    sql: `SELECT eventID, eventTime FROM $EDS_ID WHERE eventTime > '2024-05-02 00:00:00' AND eventTime < '2024-05-03 00:00:00'`,
  },
  { name: 'Guide: count of events', sql: `SELECT COUNT(*) FROM $EDS_ID WHERE ${W}` },
  {
    name: 'Guide: count_if of errors',
    sql: `SELECT eventSource, count_if(errorCode IS NOT NULL) AS errors, count(*) AS total FROM $EDS_ID GROUP BY eventSource`,
  },
  {
    name: 'Guide: CASE over outcomes',
    sql: `SELECT CASE WHEN errorCode IS NULL THEN 'ok' ELSE 'error' END AS outcome, count(*) FROM $EDS_ID GROUP BY 1`,
  },
  {
    name: 'Guide: if and coalesce',
    sql: `SELECT eventID, if(errorCode IS NULL, 'ok', errorCode) AS outcome, coalesce(userIdentity.userName, userIdentity.type) AS who FROM $EDS_ID`,
  },
  {
    name: 'Guide: string functions',
    sql: `SELECT DISTINCT lower(eventName) AS n, upper(substr(eventSource, 1, 3)) AS s, split_part(eventSource, '.', 1) AS svc, length(eventName) AS len FROM $EDS_ID`,
  },
  {
    name: 'Guide: concat and replace',
    sql: `SELECT DISTINCT concat(awsRegion, '/', replace(eventSource, '.amazonaws.com', '')) AS k FROM $EDS_ID`,
  },
  {
    name: 'Guide: strpos and starts_with',
    sql: `SELECT eventName FROM $EDS_ID WHERE strpos(eventName, 'Object') > 0 OR starts_with(eventName, 'Create')`,
  },
  {
    name: 'Guide: regexp_like',
    sql: `SELECT eventName FROM $EDS_ID WHERE regexp_like(eventName, '^(Create|Delete)')`,
    duck: `SELECT eventName FROM ev WHERE regexp_matches(eventName, '^(Create|Delete)')`,
  },
  {
    name: 'Guide: date_diff from first login',
    sql: `SELECT eventID, date_diff('hour', from_iso8601_timestamp('2024-05-01T00:00:00Z'), eventTime) AS hours FROM $EDS_ID WHERE eventName = 'ConsoleLogin'`,
    duck: `SELECT eventID, date_diff('hour', TIMESTAMP '2024-05-01 00:00:00', eventTime) AS hours FROM ev WHERE eventName = 'ConsoleLogin'`,
  },
  {
    name: 'Guide: json_extract_scalar on eventJson',
    sql: `SELECT json_extract_scalar(eventjson, '$.userIdentity.userName') AS u, count(*) FROM $EDS_ID GROUP BY 1`,
    duck: `SELECT userIdentity.userName AS u, count(*) FROM ev GROUP BY 1`,
  },
  {
    name: 'Guide: IN sub-query',
    sql: `SELECT eventName, sourceIPAddress FROM $EDS_ID WHERE sourceIPAddress IN (SELECT sourceIPAddress FROM $EDS_ID WHERE eventName = 'ConsoleLogin' AND errorMessage IS NOT NULL)`,
  },
  {
    name: 'Guide: WITH query',
    sql: `WITH failed AS (SELECT userIdentity.userName AS u, count(*) AS n FROM $EDS_ID WHERE responseElements['ConsoleLogin'] = 'Failure' GROUP BY 1) SELECT u, n FROM failed WHERE n >= 2`,
  },
  {
    name: 'Guide: self join of sign-ins and calls',
    sql: `SELECT DISTINCT l.sourceIPAddress, c.eventName FROM $EDS_ID l JOIN $EDS_ID c ON l.sourceIPAddress = c.sourceIPAddress AND c.eventName <> 'ConsoleLogin' WHERE l.eventName = 'ConsoleLogin'`,
    duck: `SELECT DISTINCT l.sourceIPAddress, c.eventName FROM ev l JOIN ev c ON l.sourceIPAddress = c.sourceIPAddress AND c.eventName <> 'ConsoleLogin' WHERE l.eventName = 'ConsoleLogin'`,
  },
  {
    name: 'Guide: UNION of two services',
    sql: `SELECT eventName FROM $EDS_ID WHERE eventSource = 'kms.amazonaws.com' UNION SELECT eventName FROM $EDS_ID WHERE eventSource = 'sts.amazonaws.com'`,
  },
  {
    name: 'Guide: share of errors per service',
    sql: `SELECT eventSource, round(100.0 * count_if(errorCode IS NOT NULL) / count(*), 2) AS pct FROM $EDS_ID GROUP BY eventSource`,
  },
  {
    name: 'Guide: top call per principal (row_number)',
    sql: `SELECT arn, eventName, n FROM (SELECT userIdentity.arn AS arn, eventName, count(*) AS n, row_number() OVER (PARTITION BY userIdentity.arn ORDER BY count(*) DESC, eventName) AS rk FROM $EDS_ID GROUP BY 1, 2) WHERE rk = 1`,
  },
  {
    name: 'Guide: time between calls of a user (lag)',
    sql: `SELECT eventID, date_diff('minute', lag(eventTime) OVER (PARTITION BY userIdentity.arn ORDER BY eventTime), eventTime) AS gap FROM $EDS_ID WHERE userIdentity.userName = 'alice'`,
  },
  {
    name: 'Guide: running count per day (window aggregate)',
    sql: `SELECT eventID, count(*) OVER (PARTITION BY date_trunc('day', eventTime) ORDER BY eventTime) AS nth FROM $EDS_ID`,
  },
  {
    name: 'Guide: null responseElements of reads',
    sql: `SELECT readOnly, count(responseElements) AS withResponse, count(*) AS total FROM $EDS_ID GROUP BY readOnly`,
  },
];

const EDS = '$EDS_ID';

/** A value as both engines can be compared: timestamps without Trino's zero milliseconds, numbers as numbers. */
function normal(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = String(v);
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(s)) return String(Number(Number(s).toPrecision(12)));
  const ts = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(\.000)?$/.exec(s);
  if (ts) return ts[1];
  return s;
}

describe('Lake sample queries agree with DuckDB on the same records', () => {
  let app: TestApp;
  let s: LakeSession;
  let store: { id: string };
  let duck: DuckDBConnection;
  let dir: string;

  beforeAll(async () => {
    app = await startTestApp();
    s = { token: await app.login(app.admin) };
    store = await createStore(app, s, 'samples-duckdb');
    await seed(app, store.id, SAMPLE_ACCOUNT, SAMPLE_RECORDS);
    // The same records, exported as JSON lines, read by DuckDB with CloudTrail Lake's column types.
    dir = mkdtempSync(join(tmpdir(), 'lake-duckdb-'));
    const file = join(dir, 'events.json');
    writeFileSync(file, SAMPLE_RECORDS.map((r) => JSON.stringify({ ...r, eventjson: JSON.stringify(r) })).join('\n'));
    duck = await (await DuckDBInstance.create(':memory:')).connect();
    const STR = 'VARCHAR';
    const MAP = 'MAP(VARCHAR, VARCHAR)';
    const columns: Record<string, string> = {
      eventVersion: STR,
      userIdentity: `STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, accessKeyId VARCHAR, userName VARCHAR, invokedBy VARCHAR,
        sessionContext STRUCT(attributes STRUCT(creationDate VARCHAR, mfaAuthenticated VARCHAR), sessionIssuer STRUCT(type VARCHAR, principalId VARCHAR, arn VARCHAR, accountId VARCHAR, userName VARCHAR)))`,
      eventTime: 'TIMESTAMP',
      eventSource: STR,
      eventName: STR,
      awsRegion: STR,
      sourceIPAddress: STR,
      userAgent: STR,
      errorCode: STR,
      errorMessage: STR,
      requestParameters: MAP,
      responseElements: MAP,
      additionalEventData: MAP,
      requestID: STR,
      eventID: STR,
      readOnly: 'BOOLEAN',
      resources: 'STRUCT(accountId VARCHAR, type VARCHAR, ARN VARCHAR)[]',
      eventType: STR,
      managementEvent: 'BOOLEAN',
      recipientAccountId: STR,
      eventCategory: STR,
      eventjson: STR,
    };
    const spec = Object.entries(columns)
      .map(([k, t]) => `${k}: '${t.replace(/\s+/g, ' ')}'`)
      .join(', ');
    await duck.run(`CREATE TABLE ev AS SELECT * FROM read_json('${file}', format = 'newline_delimited', columns = {${spec}})`);
  });
  afterAll(async () => {
    duck?.closeSync();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await app?.close();
  });

  it('collects at least 60 published queries', () => {
    expect(SAMPLES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(SAMPLES.map((x) => x.name)).size).toBe(SAMPLES.length);
  });

  it.each(SAMPLES.map((x) => [x.name, x] as const))('%s', async (_name, sample) => {
    const lake = (await query(app, s, sample.sql.split(EDS).join(store.id))).map((row) =>
      row.map((cell) => normal(Object.values(cell)[0])),
    );
    const reader = await duck.runAndReadAll(sample.duck ?? sample.sql.split(EDS).join('ev'));
    const other = (reader.getRowsJson() as unknown[][]).map((row) => row.map(normal));
    const key = (rows: Array<Array<string | null>>) =>
      sample.ordered ? rows : [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    expect(other.length).toBeGreaterThan(0);
    expect(key(lake)).toEqual(key(other));
  });
});
