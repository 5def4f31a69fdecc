import { createStore, lakeEvent, qCall, query, runStatement, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/** Rows as plain objects, the way CloudTrail Lake's getQueryResults reads. */
const objects = (rows: Array<Array<Record<string, string | null>>>) => rows.map((r) => Object.assign({}, ...r));

/** Lake SQL answers as CloudTrail Lake (Trino) gives them (issue 16 §1). */
describe('lake SQL answers', () => {
  let app: TestApp;
  let s: LakeSession;
  let store: { id: string };
  const q = async (sql: string) => objects(await query(app, s, sql.split('$EDS').join(store.id)));

  beforeAll(async () => {
    app = await startTestApp();
    s = { token: await app.login(app.admin) };
    store = await createStore(app, s, 'answers');
    const acct = app.admin.accountId;
    await seed(app, store.id, acct, [
      // Read calls: CloudTrail writes "responseElements": null and often "requestParameters": null.
      lakeEvent({ eventID: 'e-1', eventTime: '2023-01-22T10:00:00Z', eventName: 'ListBuckets', readOnly: true }),
      lakeEvent({
        eventID: 'e-2',
        eventTime: '2023-01-22T10:01:00Z',
        eventName: 'GetBucketAcl',
        readOnly: true,
        requestParameters: { bucketName: 'b1' },
        additionalEventData: null,
      }),
      lakeEvent({
        eventID: 'e-3',
        eventTime: '2023-01-22T10:02:00Z',
        eventName: 'CreateBucket',
        requestParameters: { bucketName: 'b2', acl: null },
        responseElements: { location: '/b2' },
        resources: [{ ARN: 'arn:aws:s3:::b2', accountId: acct, type: 'AWS::S3::Bucket' }],
      }),
      lakeEvent({
        eventID: 'e-4',
        eventTime: '2023-01-22T10:03:00Z',
        eventName: 'AssumeRole',
        eventSource: 'sts.amazonaws.com',
        userIdentity: { type: 'AWSService', invokedBy: 'ec2.amazonaws.com', sessionContext: null },
        requestParameters: { roleArn: 'arn:aws:iam::1:role/r', roleSessionName: 's' },
        responseElements: { credentials: { accessKeyId: 'ASIA1' } },
      }),
    ]);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('reads JSON null and absent fields as SQL NULL in predicates, projections, aggregates and coalesce', async () => {
    expect(await q(`SELECT count(*) AS n FROM $EDS WHERE responseElements IS NOT NULL`)).toEqual([{ n: '2' }]);
    expect(await q(`SELECT count(*) AS n FROM $EDS WHERE requestParameters IS NULL`)).toEqual([{ n: '1' }]);
    expect(
      await q(`SELECT count(responseElements) AS r, count(requestParameters) AS p, count(additionalEventData) AS a FROM $EDS`),
    ).toEqual([{ r: '2', p: '3', a: '0' }]);
    expect(await q(`SELECT eventName, responseElements FROM $EDS WHERE eventName = 'ListBuckets'`)).toEqual([
      { eventName: 'ListBuckets', responseElements: null },
    ]);
    expect(await q(`SELECT coalesce(responseElements, requestParameters) AS v FROM $EDS WHERE eventName = 'ListBuckets'`)).toEqual([
      { v: null },
    ]);
    expect(await q(`SELECT count(*) AS n FROM $EDS WHERE userIdentity.sessionContext IS NULL`)).toEqual([{ n: '4' }]);
    expect(await q(`SELECT count(userIdentity.sessionContext.sessionIssuer) AS n FROM $EDS`)).toEqual([{ n: '0' }]);
    expect(
      await q(`SELECT requestParameters['acl'] AS acl, element_at(requestParameters, 'acl') AS e FROM $EDS WHERE eventID = 'e-3'`),
    ).toEqual([{ acl: null, e: null }]);
    expect(await q(`SELECT count(*) AS n FROM $EDS WHERE resources IS NULL`)).toEqual([{ n: '3' }]);
  });

  it('keeps the case of aliases, also when an alias matches a column', async () => {
    const [row] = await q(
      `SELECT userIdentity.userName AS UserName, eventName AS EVENTNAME, eventSource AS "eventsource", count(*) AS Total FROM $EDS WHERE eventID = 'e-1' GROUP BY 1, 2, 3`,
    );
    expect(Object.keys(row)).toEqual(['UserName', 'EVENTNAME', 'eventsource', 'Total']);
    expect(row).toEqual({ UserName: 'alice', EVENTNAME: 'ListBuckets', eventsource: 's3.amazonaws.com', Total: '1' });
  });

  it('runs window functions: rank, row_number, lag, lead and aggregates over partitions', async () => {
    expect(
      await q(`SELECT eventID, eventSource,
        row_number() OVER (PARTITION BY eventSource ORDER BY eventTime) AS rn,
        rank() OVER (ORDER BY readOnly DESC) AS rk,
        dense_rank() OVER (ORDER BY readOnly) AS drk,
        lag(eventName) OVER (ORDER BY eventTime) AS prev,
        lead(eventName, 1, 'none') OVER (ORDER BY eventTime) AS next,
        count(*) OVER (PARTITION BY eventSource) AS perSource,
        count(*) OVER (ORDER BY eventTime ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS pair,
        first_value(eventName) OVER (PARTITION BY readOnly ORDER BY eventTime DESC) AS latest
        FROM $EDS ORDER BY eventTime`),
    ).toEqual([
      {
        eventID: 'e-1',
        eventSource: 's3.amazonaws.com',
        rn: '1',
        rk: '1',
        drk: '2',
        prev: null,
        next: 'GetBucketAcl',
        perSource: '3',
        pair: '1',
        latest: 'GetBucketAcl',
      },
      {
        eventID: 'e-2',
        eventSource: 's3.amazonaws.com',
        rn: '2',
        rk: '1',
        drk: '2',
        prev: 'ListBuckets',
        next: 'CreateBucket',
        perSource: '3',
        pair: '2',
        latest: 'GetBucketAcl',
      },
      {
        eventID: 'e-3',
        eventSource: 's3.amazonaws.com',
        rn: '3',
        rk: '3',
        drk: '1',
        prev: 'GetBucketAcl',
        next: 'AssumeRole',
        perSource: '3',
        pair: '2',
        latest: 'AssumeRole',
      },
      {
        eventID: 'e-4',
        eventSource: 'sts.amazonaws.com',
        rn: '1',
        rk: '3',
        drk: '1',
        prev: 'CreateBucket',
        next: 'none',
        perSource: '1',
        pair: '2',
        latest: 'AssumeRole',
      },
    ]);
    // the top event per source, the common use of row_number
    expect(
      await q(`SELECT eventSource, eventName FROM (SELECT eventSource, eventName,
        row_number() OVER (PARTITION BY eventSource ORDER BY eventTime DESC) AS n FROM $EDS) WHERE n = 1 ORDER BY eventSource`),
    ).toEqual([
      { eventSource: 's3.amazonaws.com', eventName: 'CreateBucket' },
      { eventSource: 'sts.amazonaws.com', eventName: 'AssumeRole' },
    ]);
  });

  it('sorts NULLs last in either direction, as Trino does', async () => {
    const names = async (dir: string) =>
      (await q(`SELECT eventName, requestParameters['bucketName'] AS b FROM $EDS ORDER BY b ${dir}, eventName`)).map((r) => r.eventName);
    expect(await names('ASC')).toEqual(['GetBucketAcl', 'CreateBucket', 'AssumeRole', 'ListBuckets']);
    expect(await names('DESC')).toEqual(['CreateBucket', 'GetBucketAcl', 'AssumeRole', 'ListBuckets']);
  });

  it('reads a field of any expression, not only of a column or a parenthesized one', async () => {
    expect(
      await q(`SELECT element_at(resources, 1).arn AS arn, element_at(resources, 1).type AS type,
        (element_at(resources, 1)).accountId AS acct, json_parse('{"a": {"b": 1}}').a.b AS ab
        FROM $EDS WHERE eventID = 'e-3'`),
    ).toEqual([{ arn: 'arn:aws:s3:::b2', type: 'AWS::S3::Bucket', acct: app.admin.accountId, ab: '1' }]);
    expect(await q(`SELECT count(*) AS n FROM $EDS WHERE element_at(resources, 1).arn LIKE 'arn:aws:s3:::%'`)).toEqual([{ n: '1' }]);
  });

  it('describes measured statistics: events scanned and matched, bytes scanned', async () => {
    const stats = async (sql: string) => {
      const { queryId, status } = await runStatement(app, s, sql.split('$EDS').join(store.id));
      expect(status).toBe('FINISHED');
      return (await qCall(app, 'describeQuery', { queryId }, s)).queryStatistics;
    };
    const one = await createStore(app, s, 'answers-one');
    await seed(app, one.id, app.admin.accountId, [lakeEvent({ eventID: 'only', eventTime: '2023-01-22T10:00:00Z' })]);
    const single = await stats(`SELECT eventName FROM ${one.id}`);
    expect(single).toMatchObject({ eventsScanned: 1, eventsMatched: 1 });
    expect(single.bytesScanned).toBeGreaterThan(100);

    const filtered = await stats(`SELECT count(*) AS n FROM $EDS WHERE eventName = 'ListBuckets'`);
    expect(filtered).toMatchObject({ eventsScanned: 4, eventsMatched: 1 });
    const all = await stats(`SELECT eventSource, count(*) FROM $EDS GROUP BY eventSource`);
    expect(all).toMatchObject({ eventsScanned: 4, eventsMatched: 4, bytesScanned: filtered.bytesScanned });
    expect(all.bytesScanned).toBeGreaterThan(single.bytesScanned * 3);
    // Two references scan the store twice; a sub-query counts what its own WHERE keeps.
    expect(
      await stats(`SELECT count(*) FROM $EDS a JOIN (SELECT eventID FROM $EDS WHERE readOnly) b ON a.eventID = b.eventID`),
    ).toMatchObject({ eventsScanned: 8, eventsMatched: 6, bytesScanned: 2 * all.bytesScanned });
  });

  it('applies lambdas: transform, filter, any_match, all_match, none_match', async () => {
    expect(
      await q(`SELECT array_join(transform(map_keys(requestParameters), k -> upper(k)), ',') AS keys,
        cardinality(filter(split('a,,b', ','), x -> x <> '')) AS kept,
        array_join(filter(split('a,,b', ','), x -> x <> ''), '+') AS joined,
        all_match(split('x,y', ','), x -> length(x) = 1) AS allOne,
        none_match(split('x,y', ','), x -> x = 'y') AS noY,
        any_match(resources, r -> r.type = 'AWS::S3::Bucket') AS bucket
        FROM $EDS WHERE eventID = 'e-4'`),
    ).toEqual([{ keys: 'ROLEARN,ROLESESSIONNAME', kept: '2', joined: 'a+b', allOne: 'true', noY: 'false', bucket: null }]);
    expect(await q(`SELECT eventID FROM $EDS WHERE any_match(resources, r -> r.type = 'AWS::S3::Bucket' AND r.arn LIKE '%b2')`)).toEqual([
      { eventID: 'e-3' },
    ]);
    expect(await q(`SELECT count(*) AS n FROM $EDS WHERE any_match(map_keys(requestParameters), k -> k = 'bucketName')`)).toEqual([
      { n: '2' },
    ]);
  });

  it('formats JSON compactly, as Trino does', async () => {
    expect(
      await q(`SELECT json_format(json_parse('{"a": [1, 2, {"b": null}], "c": "x, y: z"}')) AS j,
        json_format(json_extract(eventjson, '$.requestParameters')) AS p FROM $EDS WHERE eventID = 'e-4'`),
    ).toEqual([{ j: '{"a":[1,2,{"b":null}],"c":"x, y: z"}', p: '{"roleArn":"arn:aws:iam::1:role/r","roleSessionName":"s"}' }]);
  });

  it('casts to map(varchar, json), map(varchar, varchar) and array(…)', async () => {
    expect(
      await q(`SELECT json_format(CAST(json_parse('{"a": {"b": 1}, "c": "x"}') AS map(varchar, json))['a']) AS a,
        json_format(CAST(json_parse('{"a": {"b": 1}, "c": "x"}') AS map(varchar, json))['c']) AS c,
        CAST(json_parse('{"c": "x"}') AS map(varchar, varchar))['c'] AS v,
        cardinality(CAST(json_parse('[1, 2, 3]') AS ARRAY(bigint))) AS n,
        CAST(json_parse('[1]') AS map(varchar, json)) IS NULL AS notMap,
        json_format(CAST(requestParameters AS map(varchar, json))['bucketName']) AS b
        FROM $EDS WHERE eventID = 'e-2'`),
    ).toEqual([{ a: '{"b":1}', c: '"x"', v: 'x', n: '3', notMap: 'true', b: '"b1"' }]);
  });
});
