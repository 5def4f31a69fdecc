import { createHash, createVerify } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { loadPublicKeyDer } from '../../src/integrity/signing-keys.service';
import { LIST_PUBLIC_KEYS } from '../helpers/integrity';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { cloudTrailBucketPolicy, createTrailBucket, trailCall } from '../helpers/trails';
import { call, policyJson } from '../helpers/iam-ops';
import { allRows, createStore, lakeEvent, qCall, qError, query, runStatement, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/** CloudTrail Lake queries through GraphQL (spec §8.2, §8.3): sample queries, paging, cancel, timeout, limits, isolation. */
describe('lake queries', () => {
  let app: TestApp;
  let admin: LakeSession;
  let other: LakeSession & { accountId: string };
  let A: { id: string; arn: string };
  let B: { id: string; arn: string };
  let C: { id: string; arn: string }; // the other tenant's
  let E: { id: string; arn: string }; // 200 events: its 4-way cross join runs for minutes
  const product = () => `SELECT count(*) FROM ${E.id} a, ${E.id} b, ${E.id} c, ${E.id} d`;

  beforeAll(async () => {
    app = await startTestApp({ LAKE_QUERY_TIMEOUT_SECONDS: '3' });
    admin = { token: await app.login(app.admin) };
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'lq-b@example.com'));
    other = { token: await app.login(credsB), accountId: credsB.accountId };
    A = await createStore(app, admin, 'store-a');
    B = await createStore(app, admin, 'store-b');
    C = await createStore(app, other, 'store-c');
    const acct = app.admin.accountId;
    const issuer = (arn: string) => ({
      sessionIssuer: { type: 'Role', principalId: 'AROA1', arn, accountId: acct, userName: 'r' },
      attributes: { creationDate: '2023-01-22T09:00:00Z', mfaAuthenticated: 'false' },
    });
    await seed(app, A.id, acct, [
      lakeEvent({
        eventID: 'a-1',
        eventTime: '2023-01-22T10:00:00Z',
        userIdentity: {
          type: 'AssumedRole',
          principalId: 'AIDA1',
          arn: 'arn:x:1',
          accountId: acct,
          sessionContext: issuer('arn:aws:iam::1:role/r1'),
        },
        requestParameters: { bucketName: 'b1', nested: { a: 1 } },
        resources: [{ ARN: 'arn:aws:s3:::b1', accountId: acct, type: 'AWS::S3::Bucket' }],
      }),
      lakeEvent({
        eventID: 'a-2',
        eventTime: '2023-01-22T11:00:00Z',
        userIdentity: { type: 'IAMUser', principalId: 'AIDA2', arn: 'arn:x:2', accountId: acct, userName: 'dave' },
        requestParameters: { bucketName: 'b2' },
        resources: [
          { ARN: 'arn:aws:s3:::b2', accountId: acct, type: 'AWS::S3::Bucket' },
          { ARN: 'arn:aws:kms:k', accountId: acct, type: 'AWS::KMS::Key' },
        ],
      }),
      lakeEvent({ eventID: 'a-3', eventTime: '2023-01-24T10:00:00Z', userIdentity: { type: 'IAMUser', principalId: 'AIDA3' } }),
      lakeEvent({
        eventID: 'a-4',
        eventTime: '2023-01-05T08:00:00Z',
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        awsRegion: 'us-east-1',
        sourceIPAddress: '1.2.3.4',
        userIdentity: { type: 'IAMUser', userName: 'bob' },
      }),
      lakeEvent({
        eventID: 'a-5',
        eventTime: '2023-01-06T08:00:00Z',
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        awsRegion: 'eu-west-1',
        userIdentity: { type: 'IAMUser', userName: 'eve' },
      }),
      lakeEvent({
        eventID: 'a-6',
        eventTime: '2023-01-07T08:00:00Z',
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        awsRegion: 'us-west-2',
        sourceIPAddress: '5.6.7.8',
        userIdentity: { type: 'IAMUser', userName: 'carol' },
      }),
      ...[1, 2, 3, 4].map((i) =>
        lakeEvent({
          eventID: `a-ec2-${i}`,
          eventTime: `2023-02-0${i}T00:00:00Z`,
          eventSource: 'ec2.amazonaws.com',
          eventName: 'DescribeInstances',
          readOnly: true,
        }),
      ),
    ]);
    await seed(
      app,
      B.id,
      acct,
      [1, 2, 3].map((i) =>
        lakeEvent({ eventID: `b-${i}`, eventTime: `2023-01-1${i}T00:00:00Z`, eventName: i === 1 ? 'CreateBucket' : 'PutObject' }),
      ),
    );
    await seed(app, C.id, other.accountId, [lakeEvent({ eventID: 'c-secret', eventName: 'SecretThing' })]);
    E = await createStore(app, admin, 'store-e');
    await seed(
      app,
      E.id,
      acct,
      Array.from({ length: 200 }, (_, i) => lakeEvent({ eventID: `e-${i}` })),
    );
  });
  afterAll(async () => {
    await app?.close();
  });

  const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();

  describe('sample queries of the spec (§8.3.6)', () => {
    it('principals that called CreateBucket on a given day', async () => {
      const rows = await query(
        app,
        admin,
        `SELECT userIdentity.principalid, eventName
        FROM ${A.id}
        WHERE userIdentity.principalid IS NOT NULL
          AND eventTime > '2023-01-22 00:00:00' AND eventTime < '2023-01-23 00:00:00'
          AND eventName = 'CreateBucket'`,
      );
      expect(sorted(rows)).toEqual(
        sorted([
          [{ principalid: 'AIDA1' }, { eventName: 'CreateBucket' }],
          [{ principalid: 'AIDA2' }, { eventName: 'CreateBucket' }],
        ]),
      );
    });

    it('API call counts by source and name, ordered by count', async () => {
      const rows = await query(
        app,
        admin,
        `SELECT eventSource, eventName, COUNT(*) AS apiCount
        FROM ${A.id} WHERE eventTime > '2023-01-01 00:00:00'
        GROUP BY eventSource, eventName ORDER BY apiCount DESC`,
      );
      expect(rows[0]).toEqual([{ eventSource: 'ec2.amazonaws.com' }, { eventName: 'DescribeInstances' }, { apiCount: '4' }]);
      expect(sorted(rows.slice(1))).toEqual(
        sorted([
          [{ eventSource: 's3.amazonaws.com' }, { eventName: 'CreateBucket' }, { apiCount: '3' }],
          [{ eventSource: 'signin.amazonaws.com' }, { eventName: 'ConsoleLogin' }, { apiCount: '3' }],
        ]),
      );
    });

    it('console logins in a set of Regions, timestamps as Trino prints them', async () => {
      const rows = await query(
        app,
        admin,
        `SELECT eventTime, useridentity.username, sourceIPAddress
        FROM ${A.id}
        WHERE eventName = 'ConsoleLogin' AND awsRegion IN ('us-east-1','us-west-2') ORDER BY eventTime`,
      );
      expect(rows).toEqual([
        [{ eventTime: '2023-01-05 08:00:00.000' }, { username: 'bob' }, { sourceIPAddress: '1.2.3.4' }],
        [{ eventTime: '2023-01-07 08:00:00.000' }, { username: 'carol' }, { sourceIPAddress: '5.6.7.8' }],
      ]);
    });

    it('multi-store UNION ALL ordered by eventId', async () => {
      const rows = await query(
        app,
        admin,
        `SELECT eventId, eventName FROM ${A.id} UNION ALL SELECT eventId, eventName FROM ${B.id}
        ORDER BY eventId LIMIT 10`,
      );
      expect(rows.map((r) => r[0].eventId)).toEqual(['a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6', 'a-ec2-1', 'a-ec2-2', 'a-ec2-3', 'a-ec2-4']);
      const tail = await query(
        app,
        admin,
        `SELECT eventId FROM ${A.id} UNION ALL SELECT eventId FROM "${B.id}" ORDER BY eventId DESC LIMIT 3`,
      );
      expect(tail).toEqual([[{ eventId: 'b-3' }], [{ eventId: 'b-2' }], [{ eventId: 'b-1' }]]);
    });
  });

  describe('the dialect', () => {
    it('joins two stores', async () => {
      const rows = await query(
        app,
        admin,
        `SELECT a.eventId AS x, b.eventId AS y FROM ${A.id} a JOIN ${B.id} b ON a.eventName = b.eventName
        WHERE b.eventId = 'b-1' ORDER BY x`,
      );
      expect(rows).toEqual([
        [{ x: 'a-1' }, { y: 'b-1' }],
        [{ x: 'a-2' }, { y: 'b-1' }],
        [{ x: 'a-3' }, { y: 'b-1' }],
      ]);
    });

    it('reads struct paths, map values, UNNEST of resources, CTEs, sub-queries and Trino functions', async () => {
      expect(await query(app, admin, `SELECT userIdentity.sessionContext.sessionIssuer.arn FROM ${A.id} WHERE eventId = 'a-1'`)).toEqual([
        [{ arn: 'arn:aws:iam::1:role/r1' }],
      ]);
      expect(
        await query(
          app,
          admin,
          `SELECT requestParameters['bucketName'] AS b, element_at(requestParameters, 'bucketName') AS c,
          element_at(requestParameters, 'nested') AS n FROM ${A.id} WHERE eventId = 'a-1'`,
        ),
      ).toEqual([[{ b: 'b1' }, { c: 'b1' }, { n: '{"a": 1}' }]]);
      expect(
        sorted(
          await query(
            app,
            admin,
            `SELECT eventId, r.arn, r.type FROM ${A.id} CROSS JOIN UNNEST(resources) AS r(accountid, type, arn, arnprefix) ORDER BY 2`,
          ),
        ),
      ).toEqual(
        sorted([
          [{ eventId: 'a-1' }, { arn: 'arn:aws:s3:::b1' }, { type: 'AWS::S3::Bucket' }],
          [{ eventId: 'a-2' }, { arn: 'arn:aws:kms:k' }, { type: 'AWS::KMS::Key' }],
          [{ eventId: 'a-2' }, { arn: 'arn:aws:s3:::b2' }, { type: 'AWS::S3::Bucket' }],
        ]),
      );
      expect(
        await query(
          app,
          admin,
          `WITH c AS (SELECT eventName, count(*) AS n FROM ${A.id} GROUP BY eventName)
          SELECT eventName, n FROM c WHERE n > 3`,
        ),
      ).toEqual([[{ eventName: 'DescribeInstances' }, { n: '4' }]]);
      expect(
        await query(
          app,
          admin,
          `SELECT eventId FROM ${A.id} WHERE eventName IN (SELECT eventName FROM ${B.id} WHERE eventId = 'b-1')
          AND eventTime BETWEEN '2023-01-22 00:00:00' AND '2023-01-22 10:30:00'`,
        ),
      ).toEqual([[{ eventId: 'a-1' }]]);
      expect(
        await query(
          app,
          admin,
          `SELECT DISTINCT date_trunc('month', eventTime) AS m, year(eventTime) AS y, cardinality(resources) AS k,
          json_extract_scalar(eventJson, '$.requestParameters.bucketName') AS j, readOnly
          FROM ${A.id} WHERE eventId = 'a-2'`,
        ),
      ).toEqual([[{ m: '2023-01-01 00:00:00.000' }, { y: '2023' }, { k: '2' }, { j: 'b2' }, { readOnly: 'false' }]]);
      expect(
        await query(
          app,
          admin,
          `SELECT count(*) AS n FROM ${A.id} WHERE eventTime > date_add('day', -1, from_iso8601_timestamp('2023-02-04T00:00:00Z'))
          HAVING count(*) > 0`,
        ),
      ).toEqual([[{ n: '1' }]]);
    });
  });

  describe('integration events (§8.3.5)', () => {
    it('reads eventData and metadata fields of ActivityAuditLog records', async () => {
      const F = await createStore(app, admin, 'store-f');
      await seed(app, F.id, app.admin.accountId, [
        {
          eventVersion: '1.0',
          eventCategory: 'ActivityAuditLog',
          eventType: 'ActivityLog',
          eventID: 'f-1',
          eventTime: '2024-03-01T10:00:00Z',
          awsRegion: 'us-east-1',
          recipientAccountId: app.admin.accountId,
          metadata: { ingestionTime: '2024-03-01T10:00:01Z', channelARN: 'arn:aws:cloudtrail:us-east-1:1:channel/c1' },
          eventData: {
            version: '1',
            UID: 'u-7',
            eventSource: 'okta',
            eventName: 'user.login',
            eventTime: '2024-03-01T10:00:00Z',
            userIdentity: { type: 'User', principalId: 'p-9', details: { team: 'blue' } },
            requestParameters: { app: 'crm' },
          },
        },
      ]);
      expect(
        await query(
          app,
          admin,
          `SELECT eventData.uid, eventData.eventName, eventData.userIdentity.principalId, metadata.channelArn,
          element_at(eventData.requestParameters, 'app') AS app, eventCategory FROM ${F.id}`,
        ),
      ).toEqual([
        [
          { uid: 'u-7' },
          { eventName: 'user.login' },
          { principalId: 'p-9' },
          { channelArn: 'arn:aws:cloudtrail:us-east-1:1:channel/c1' },
          { app: 'crm' },
          { eventCategory: 'ActivityAuditLog' },
        ],
      ]);
    });
  });

  describe('lifecycle', () => {
    it('describes a finished query with statistics, lists it, and pages its results with opaque tokens', async () => {
      const { queryId, status } = await runStatement(app, admin, `SELECT eventId FROM ${A.id} ORDER BY eventId`);
      expect(status).toBe('FINISHED');
      const d = await qCall(app, 'describeQuery', { queryId }, admin);
      expect(d).toMatchObject({
        queryId,
        queryStatus: 'FINISHED',
        errorMessage: null,
        queryString: `SELECT eventId FROM ${A.id} ORDER BY eventId`,
      });
      expect(d.queryStatistics.eventsScanned).toBeGreaterThan(0);
      expect(d.queryStatistics.executionTimeInMillis).toBeGreaterThanOrEqual(0);
      const p1 = await qCall(app, 'getQueryResults', { queryId, maxQueryResults: 4 }, admin);
      expect(p1.queryResultRows.map((r: any) => r[0].eventId)).toEqual(['a-1', 'a-2', 'a-3', 'a-4']);
      expect(p1.queryStatistics).toMatchObject({ resultsCount: 4, totalResultsCount: 10 });
      expect(p1.nextToken).toEqual(expect.any(String));
      const all = await allRows(app, admin, queryId, 3);
      expect(all.map((r) => r[0].eventId)).toEqual(['a-1', 'a-2', 'a-3', 'a-4', 'a-5', 'a-6', 'a-ec2-1', 'a-ec2-2', 'a-ec2-3', 'a-ec2-4']);
      expect((await qError(app, 'getQueryResults', { queryId, nextToken: 'garbage-token' }, admin)).code).toBe('InvalidNextTokenException');
      expect((await qError(app, 'getQueryResults', { queryId, maxQueryResults: 1001 }, admin)).code).toBe('InvalidMaxResultsException');
      const listed = await qCall(app, 'listQueries', { eventDataStore: A.arn, queryStatus: 'FINISHED' }, admin);
      expect(listed.queries.map((q: any) => q.queryId)).toContain(queryId);
      expect(
        (await qCall(app, 'listQueries', { eventDataStore: A.arn, queryStatus: 'FAILED' }, admin)).queries.map((q: any) => q.queryId),
      ).not.toContain(queryId);
      expect((await qError(app, 'listQueries', { eventDataStore: A.arn, queryStatus: 'DONE' }, admin)).code).toBe(
        'InvalidQueryStatusException',
      );
      expect(
        (
          await qError(
            app,
            'listQueries',
            { eventDataStore: A.arn, startTime: '2024-01-02T00:00:00Z', endTime: '2024-01-01T00:00:00Z' },
            admin,
          )
        ).code,
      ).toBe('InvalidDateRangeException');
      expect((await qError(app, 'cancelQuery', { queryId }, admin)).code).toBe('InactiveQueryException');
    });

    it('cancels a running statement in the database: CANCELLED, and its backend is gone', async () => {
      // A cartesian product of 1.6e9 rows, with a long timeout so that only the cancel stops it.
      const { queryId } = await qCall(app, 'startQuery', { queryStatement: product() }, admin);
      await app.db.pool.query(`UPDATE lake_queries SET timeout_seconds = 600 WHERE id = $1`, [queryId]);
      const running = app.services.lakeQueries.run(queryId);
      let pid: number | null = null;
      for (let i = 0; i < 200 && pid === null; i++) {
        const { rows } = await app.db.pool.query(
          `SELECT a.pid FROM pg_stat_activity a WHERE a.application_name = $1 AND a.state = 'active'`,
          [`lake-query:${queryId}`],
        );
        pid = rows[0]?.pid ?? null;
        if (pid === null) await new Promise((r) => setTimeout(r, 50));
      }
      expect(pid).not.toBeNull();
      const cancelled = await qCall(app, 'cancelQuery', { queryId }, admin);
      expect(cancelled).toEqual({ queryId, queryStatus: 'CANCELLED' });
      expect(await running).toBe('CANCELLED');
      const { rows } = await app.db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND application_name = $2`, [
        pid,
        `lake-query:${queryId}`,
      ]);
      expect(rows).toHaveLength(0);
      expect((await qCall(app, 'describeQuery', { queryId }, admin)).queryStatus).toBe('CANCELLED');
    });

    it('ends TIMED_OUT past LAKE_QUERY_TIMEOUT_SECONDS', async () => {
      const { queryId, status } = await runStatement(app, admin, product());
      expect(status).toBe('TIMED_OUT');
      const d = await qCall(app, 'describeQuery', { queryId }, admin);
      expect(d.queryStatus).toBe('TIMED_OUT');
      expect(d.errorMessage).toMatch(/timed out/i);
    });

    it('refuses an 11th queued or running query of the account (MaxConcurrentQueriesException)', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 10; i++)
        ids.push((await qCall(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${B.id}` }, admin)).queryId);
      const err = await qError(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${B.id}` }, admin);
      expect(err.code).toBe('MaxConcurrentQueriesException');
      // Another account is not affected.
      const theirs = await qCall(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${C.id}` }, other);
      await app.services.lakeQueries.run(theirs.queryId);
      for (const id of ids) await qCall(app, 'cancelQuery', { queryId: id }, admin);
      await qCall(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${B.id}` }, admin).then((q) =>
        app.services.lakeQueries.run(q.queryId),
      );
    });
  });

  describe('delivery to S3 (§8.2.2, §6.9)', () => {
    it('writes gzip CSV results and a signed result_sign.json under the CloudTrail-Lake key layout', async () => {
      const acct = app.admin.accountId;
      await createTrailBucket(app, admin, 'lq-results', [acct], 'lake', [`arn:aws:cloudtrail:*:${acct}:eventdatastore/*`]);
      const { queryId } = await qCall(
        app,
        'startQuery',
        { queryStatement: `SELECT eventId, eventName FROM ${B.id} ORDER BY eventId`, deliveryS3Uri: 's3://lq-results/lake' },
        admin,
      );
      expect((await qCall(app, 'describeQuery', { queryId }, admin)).deliveryStatus).toBe('PENDING');
      expect(await app.services.lakeQueries.run(queryId)).toBe('FINISHED');
      const d = await qCall(app, 'describeQuery', { queryId }, admin);
      expect(d).toMatchObject({ deliveryS3Uri: 's3://lq-results/lake', deliveryStatus: 'SUCCESS' });
      const { rows } = await app.db.pool.query(`SELECT finished_at FROM lake_queries WHERE id = $1`, [queryId]);
      const day = new Date(rows[0].finished_at).toISOString().slice(0, 10).replace(/-/g, '/');
      const dir = `lake/AWSLogs/${acct}/CloudTrail-Lake/Query/${day}/${queryId}/`;
      const csv = await app.services.storage.readServiceObject('lq-results', `${dir}result_1.csv.gz`);
      expect(gunzipSync(csv!.body).toString('utf8')).toBe('eventId,eventName\nb-1,CreateBucket\nb-2,PutObject\nb-3,PutObject\n');
      const sign = JSON.parse(
        (await app.services.storage.readServiceObject('lq-results', `${dir}result_sign.json`))!.body.toString('utf8'),
      );
      expect(sign).toMatchObject({
        version: '1.0',
        region: 'us-east-1',
        hashAlgorithm: 'SHA-256',
        signatureAlgorithm: 'SHA256withRSA',
        files: [{ fileName: 'result_1.csv.gz', fileHashValue: createHash('sha256').update(csv!.body).digest('hex') }],
      });
      // The Region's signing key, found as a customer would: listPublicKeys around queryCompleteTime.
      const at = Date.parse(sign.queryCompleteTime);
      const listed = await app.gql(
        LIST_PUBLIC_KEYS,
        { input: { startTime: new Date(at - 1000).toISOString(), endTime: new Date(at + 1000).toISOString() } },
        { token: admin.token, region: 'us-east-1' },
      );
      const keys = listed.data.listPublicKeys.publicKeyList as Array<{ value: string; fingerprint: string }>;
      const key = keys.find((k) => k.fingerprint === sign.publicKeyFingerprint);
      expect(key).toBeDefined();
      const signed = sign.files.map((f: any) => f.fileHashValue).join(' ');
      expect(
        createVerify('RSA-SHA256')
          .update(signed)
          .verify(loadPublicKeyDer(Buffer.from(key!.value, 'base64')), Buffer.from(sign.hashSignature, 'hex')),
      ).toBe(true);
      expect(
        createVerify('RSA-SHA256')
          .update(signed + ' x')
          .verify(loadPublicKeyDer(Buffer.from(key!.value, 'base64')), Buffer.from(sign.hashSignature, 'hex')),
      ).toBe(false);
      // Another Region's keys do not carry it.
      const elsewhere = await app.gql(
        LIST_PUBLIC_KEYS,
        { input: { startTime: new Date(at - 1000).toISOString(), endTime: new Date(at + 1000).toISOString() } },
        { token: admin.token, region: 'eu-west-1' },
      );
      expect((elsewhere.data.listPublicKeys.publicKeyList as Array<{ fingerprint: string }>).map((k) => k.fingerprint)).not.toContain(
        sign.publicKeyFingerprint,
      );
    });

    it('checks the bucket at start, reports ACCESS_DENIED when its policy stopped admitting CloudTrail, and refuses malformed URIs', async () => {
      await trailCall(app, 'createBucket', { bucketName: 'lq-closed' }, admin);
      const start = (uri: string) =>
        qError(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${B.id}`, deliveryS3Uri: uri }, admin);
      expect(await start('s3://lq-closed')).toEqual({
        code: 'InsufficientS3BucketPolicyException',
        message: 'Incorrect S3 bucket policy is detected for bucket: lq-closed',
      });
      expect(await start('s3://lq-no-such-bucket/x')).toEqual({
        code: 'S3BucketDoesNotExistException',
        message: 'S3 bucket lq-no-such-bucket does not exist!',
      });
      const acct = app.admin.accountId;
      const open = cloudTrailBucketPolicy('lq-closed', [acct], undefined, [`arn:aws:cloudtrail:*:${acct}:eventdatastore/*`]);
      await trailCall(app, 'putBucketPolicy', { bucketName: 'lq-closed', policy: open }, admin);
      const { queryId } = await qCall(
        app,
        'startQuery',
        { queryStatement: `SELECT eventId FROM ${B.id}`, deliveryS3Uri: 's3://lq-closed' },
        admin,
      );
      const closed = JSON.parse(open);
      closed.Statement = closed.Statement.slice(0, 1); // the ACL check only: no write
      await trailCall(app, 'putBucketPolicy', { bucketName: 'lq-closed', policy: JSON.stringify(closed) }, admin);
      await app.services.lakeQueries.run(queryId);
      expect(await qCall(app, 'describeQuery', { queryId }, admin)).toMatchObject({
        queryStatus: 'FINISHED',
        deliveryStatus: 'ACCESS_DENIED',
      });
      expect(
        (await qError(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${B.id}`, deliveryS3Uri: 'https://x' }, admin)).code,
      ).toBe('InvalidS3BucketNameException');
      expect(
        (await qError(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${B.id}`, deliveryS3Uri: 's3://lq-results/../x' }, admin))
          .code,
      ).toBe('InvalidS3PrefixException');
    });
  });

  describe('retention', () => {
    it('expires queries and results after 7 days, fails runs whose runner is gone, re-queues lost jobs', async () => {
      const old = await runStatement(app, admin, `SELECT eventId FROM ${B.id}`);
      const stale = (await qCall(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${B.id}` }, admin)).queryId;
      const fresh = await runStatement(app, admin, `SELECT eventId FROM ${B.id}`);
      await app.db.pool.query(`UPDATE lake_queries SET created_at = now() - interval '8 days' WHERE id = $1`, [old.queryId]);
      await app.db.pool.query(
        `UPDATE lake_queries SET status = 'RUNNING', started_at = now() - interval '5 minutes', backend_pid = 1 WHERE id = $1`,
        [stale],
      );
      const result = await app.services.lakeQueries.expire();
      expect(result.expired).toBeGreaterThanOrEqual(1);
      expect(result.failed).toBeGreaterThanOrEqual(1);
      expect((await qError(app, 'describeQuery', { queryId: old.queryId }, admin)).code).toBe('QueryIdNotFoundException');
      const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM lake_query_results WHERE query_id = $1`, [old.queryId]);
      expect(rows[0].n).toBe(0);
      expect(await qCall(app, 'describeQuery', { queryId: stale }, admin)).toMatchObject({
        queryStatus: 'FAILED',
        errorMessage: expect.stringMatching(/runner stopped/),
      });
      expect((await qCall(app, 'describeQuery', { queryId: fresh.queryId }, admin)).queryStatus).toBe('FINISHED');
      expect(await allRows(app, admin, fresh.queryId)).toHaveLength(3);
    });
  });

  describe('tenant isolation and authorization', () => {
    it("another tenant's store is not found, and its queries are not visible", async () => {
      expect((await qError(app, 'startQuery', { queryStatement: `SELECT * FROM ${C.id}` }, admin)).code).toBe(
        'EventDataStoreNotFoundException',
      );
      expect(
        (await qError(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${A.id} UNION SELECT eventId FROM ${C.id}` }, admin)).code,
      ).toBe('EventDataStoreNotFoundException');
      const theirs = await query(app, other, `SELECT eventName FROM ${C.id}`);
      expect(theirs).toEqual([[{ eventName: 'SecretThing' }]]);
      const { queryId } = await runStatement(app, other, `SELECT eventName FROM ${C.id}`);
      for (const op of ['describeQuery', 'getQueryResults', 'cancelQuery'] as const) {
        expect((await qError(app, op, { queryId }, admin)).code).toBe('QueryIdNotFoundException');
      }
      expect((await qError(app, 'listQueries', { eventDataStore: C.arn }, admin)).code).toBe('EventDataStoreNotFoundException');
    });

    it('needs cloudtrail:StartQuery on every store the statement names', async () => {
      await call(app, 'createUser', { userName: 'lq-limited' }, admin.token);
      await call(
        app,
        'putUserPolicy',
        {
          userName: 'lq-limited',
          policyName: 'only-a',
          policyDocument: policyJson({
            Effect: 'Allow',
            Action: ['cloudtrail:StartQuery', 'cloudtrail:DescribeQuery', 'cloudtrail:GetQueryResults'],
            Resource: A.arn,
          }),
        },
        admin.token,
      );
      const { accessKey } = await call(app, 'createAccessKey', { userName: 'lq-limited' }, admin.token);
      const limited = { token: await app.login(accessKey) };
      const { queryId } = await qCall(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${A.id} LIMIT 1` }, limited);
      expect(queryId).toMatch(/^[a-f0-9-]{36}$/);
      const denied = await qError(
        app,
        'startQuery',
        { queryStatement: `SELECT eventId FROM ${A.id} UNION SELECT eventId FROM ${B.id}` },
        limited,
      );
      expect(denied.code).toBe('AccessDeniedException');
      expect(denied.message).toContain(B.arn);
    });

    it('a stopped store answers queries; a store pending deletion is inactive', async () => {
      const D = await createStore(app, admin, 'store-d');
      await app.db.pool.query(`UPDATE event_data_stores SET status = 'PENDING_DELETION', deleted_at = now() WHERE id = $1`, [D.id]);
      expect((await qError(app, 'startQuery', { queryStatement: `SELECT eventId FROM ${D.id}` }, admin)).code).toBe(
        'InactiveEventDataStoreException',
      );
      await app.db.pool.query(`UPDATE event_data_stores SET status = 'STOPPED_INGESTION', deleted_at = NULL WHERE id = $1`, [D.id]);
      expect(await query(app, admin, `SELECT count(*) AS n FROM ${D.id}`)).toEqual([[{ n: '0' }]]);
    });
  });
});
