import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { routeAll, storeKeyPolicy, LAKE_OPS } from '../helpers/lake-store';
import { qCall } from '../helpers/lake-query';
import { kms, trailKeyPolicy } from '../helpers/kms';
import { RECORD, sampleEvent } from '../helpers/events';
import { policyJson } from '../helpers/iam-ops';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { cloudTrailBucketPolicy, type Session, trailCall } from '../helpers/trails';
import { allKeys, waitFor } from '../helpers/delivery';
import { gzipSync } from 'node:zlib';
import { logFileKey, uniqueSuffix } from '../../src/delivery/log-file-key';

/**
 * Issue 11 §3: every tenant shares the cloudtrail.amazonaws.com principal, so the service must not
 * be a confused deputy. Tenant A (the bootstrapped organization) attacks tenant B (a second
 * organization) over GraphQL, as A would: pointing its trails and Lake query results into B's
 * bucket, inside B's own AWSLogs/<B>/ prefix, and binding B's KMS keys to its trail and store.
 */
describe('shared service principals are not a confused deputy', () => {
  let app: TestApp;
  let a: Session & { account: string };
  let b: Session & { account: string };
  const BUCKET = 'tenant-b-logs';

  /** The bucket policy the README recommended until now: CloudTrail may write AWSLogs/<B>/, no source condition. */
  const readmePolicy = (account: string) =>
    policyJson(
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${BUCKET}`,
      },
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${BUCKET}/AWSLogs/${account}/*`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } },
      },
    );
  /** B's bucket policy granting tenant A's account explicitly (a real cross-tenant grant), besides B's own path. */
  const grantingA = () =>
    policyJson(
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${BUCKET}`,
      },
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${BUCKET}/*`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': a.account } },
      },
    );
  const putPolicy = (policy: string) => trailCall(app, 'putBucketPolicy', { bucketName: BUCKET, policy }, b);
  const objectsOfB = () => allKeys(app.services.storage.objects, BUCKET);

  async function fails(query: string, input: Record<string, unknown>, s: Session): Promise<{ code: string; message: string }> {
    const res = await app.gql(query, { input }, { token: s.token, region: s.region });
    expect(res.errors).toHaveLength(1);
    expect(res.data ?? null).toBeNull();
    return { code: String(res.errors![0].extensions?.code), message: res.errors![0].message };
  }
  const CREATE_TRAIL = 'mutation($input: CreateTrailInput!) { createTrail(input: $input) { trailARN } }';
  const UPDATE_TRAIL = 'mutation($input: UpdateTrailInput!) { updateTrail(input: $input) { trailARN } }';
  const PUT_INSIGHTS = 'mutation($input: PutInsightSelectorsInput!) { putInsightSelectors(input: $input) { trailARN } }';
  const START_QUERY = 'mutation($input: StartQueryInput!) { startQuery(input: $input) { queryId } }';

  beforeAll(async () => {
    app = await startTestApp({ DIGEST_INTERVAL_SECONDS: '2', LOG_LEVEL: 'error' });
    a = { token: await app.login(app.admin), region: 'us-east-1', account: app.admin.accountId };
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'b@example.com'));
    b = { token: await app.login(credsB), region: 'us-east-1', account: credsB.accountId };
    await trailCall(app, 'createBucket', { bucketName: BUCKET }, b);
    await putPolicy(readmePolicy(b.account));
  });
  afterAll(async () => app?.close());

  describe('buckets', () => {
    it("A cannot create or move a trail into B's bucket under B's own log prefix", async () => {
      const attack = { name: 'into-b', s3BucketName: BUCKET, s3KeyPrefix: `AWSLogs/${b.account}` };
      expect(await fails(CREATE_TRAIL, attack, a)).toEqual({
        code: 'InsufficientS3BucketPolicyException',
        message: `Incorrect S3 bucket policy is detected for bucket: ${BUCKET}`,
      });
      expect((await trailCall(app, 'describeTrails', {}, a)).trailList).toEqual([]);
      // Nor by moving an existing trail there.
      await trailCall(app, 'createBucket', { bucketName: 'tenant-a-logs' }, a);
      await trailCall(
        app,
        'putBucketPolicy',
        { bucketName: 'tenant-a-logs', policy: cloudTrailBucketPolicy('tenant-a-logs', [a.account]) },
        a,
      );
      await trailCall(app, 'createTrail', { name: 'own', s3BucketName: 'tenant-a-logs' }, a);
      expect((await fails(UPDATE_TRAIL, { name: 'own', s3BucketName: BUCKET, s3KeyPrefix: `AWSLogs/${b.account}` }, a)).code).toBe(
        'InsufficientS3BucketPolicyException',
      );
      expect((await trailCall(app, 'getTrail', { name: 'own' }, a)).s3BucketName).toBe('tenant-a-logs');
      // B's own trail still works with the same policy: its own bucket.
      await trailCall(app, 'createTrail', { name: 'b-own', s3BucketName: BUCKET }, b);
      // A policy with CloudTrail's recommended aws:SourceArn for B's trails refuses A as well.
      await putPolicy(cloudTrailBucketPolicy(BUCKET, [b.account]));
      expect((await fails(CREATE_TRAIL, attack, a)).code).toBe('InsufficientS3BucketPolicyException');
      await putPolicy(readmePolicy(b.account));
      expect(await objectsOfB()).toEqual([]);
    });

    it("A cannot have Lake query results delivered into B's bucket", async () => {
      const created = await app.gql(
        LAKE_OPS.createEventDataStore,
        { input: { name: 'a-store', retentionPeriod: 7, terminationProtectionEnabled: false } },
        { token: a.token },
      );
      const storeId = String(created.data.createEventDataStore.eventDataStoreArn).split('/').pop();
      const attack = { queryStatement: `SELECT eventID FROM ${storeId}`, deliveryS3Uri: `s3://${BUCKET}/AWSLogs/${b.account}` };
      expect(await fails(START_QUERY, attack, a)).toEqual({
        code: 'InsufficientS3BucketPolicyException',
        message: `Incorrect S3 bucket policy is detected for bucket: ${BUCKET}`,
      });
      const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM lake_queries WHERE account_id = $1`, [a.account]);
      expect(rows[0].n).toBe(0);

      // Granted while B named A; B then goes back to the README policy: the delivery is refused, nothing written.
      await putPolicy(grantingA());
      const { queryId } = await qCall(app, 'startQuery', attack, a);
      await putPolicy(readmePolicy(b.account));
      expect(await app.services.lakeQueries.run(queryId)).toBe('FINISHED');
      expect((await qCall(app, 'describeQuery', { queryId }, a)).deliveryStatus).toBe('ACCESS_DENIED');
      expect(await objectsOfB()).toEqual([]);
    });

    it("a trail of A granted by B stops writing log files and digests once B's policy no longer names A", async () => {
      await putPolicy(grantingA());
      const trail = await trailCall(
        app,
        'createTrail',
        { name: 'granted', s3BucketName: BUCKET, s3KeyPrefix: `AWSLogs/${b.account}`, enableLogFileValidation: true },
        a,
      );
      const {
        rows: [row],
      } = await app.db.pool.query(`SELECT id FROM trails WHERE trail_arn = $1`, [trail.trailARN]);
      await trailCall(app, 'startLogging', { name: 'granted' }, a);
      await putPolicy(readmePolicy(b.account));
      const recorded = await app.gql(
        RECORD,
        { input: { events: [sampleEvent({ awsRegion: 'us-east-1' })] } },
        { token: a.token, region: 'us-east-1' },
      );
      expect(recorded.errors).toBeUndefined();
      await routeAll(app);
      await expect(
        app.services.delivery.deliverGroup({ trailId: row.id, accountId: a.account, region: 'us-east-1', kind: 'CloudTrail' }),
      ).rejects.toMatchObject({ code: 'AccessDenied' });
      expect((await trailCall(app, 'getTrailStatus', { name: 'granted' }, a)).latestDeliveryError).toBe('AccessDenied');
      // The digest of the window (DIGEST_INTERVAL_SECONDS=2) is refused the same way.
      await waitFor(
        'the digest write to be refused',
        async () => {
          try {
            await app.services.digests.processChain({ trailId: row.id, accountId: a.account, region: 'us-east-1' });
            return false;
          } catch (err) {
            return (err as { code?: string }).code === 'AccessDenied';
          }
        },
        30_000,
      );
      expect(await objectsOfB()).toEqual([]);
      // Named again, the pending file is delivered (nothing was lost).
      await putPolicy(grantingA());
      expect(
        (await app.services.delivery.deliverGroup({ trailId: row.id, accountId: a.account, region: 'us-east-1', kind: 'CloudTrail' }))
          .files,
      ).toBe(1);
      expect((await objectsOfB()).filter((k) => k.includes('/CloudTrail/'))).toHaveLength(1);
      await trailCall(app, 'stopLogging', { name: 'granted' }, a);
      await trailCall(app, 'deleteTrail', { name: 'granted' }, a);
      await putPolicy(readmePolicy(b.account));
    });
  });

  describe('inside one organization', () => {
    it("a member account's bucket and keys serve the management account's trails and stores without source conditions", async () => {
      const account = await app.gql(
        'mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }',
        { input: { accountName: 'A member', email: 'member@example.com' } },
        { token: a.token },
      );
      const memberId = account.data.createAccount.id as string;
      const assumed = await app.gql(
        'mutation($input: AssumeRoleInput!) { assumeRole(input: $input) { token } }',
        { input: { roleArn: `arn:aws:iam::${memberId}:role/OrganizationAccountAccessRole`, roleSessionName: 'setup' } },
        { token: a.token },
      );
      const member: Session = { token: assumed.data.assumeRole.token, region: 'us-east-1' };
      // The README's former policy, for A's path: enough inside the organization.
      await trailCall(app, 'createBucket', { bucketName: 'member-logs' }, member);
      const unconditioned = readmePolicy(a.account).split(BUCKET).join('member-logs');
      await trailCall(app, 'putBucketPolicy', { bucketName: 'member-logs', policy: unconditioned }, member);
      const memberKey = (await kms(app, 'createKey', { policy: storeKeyPolicy(memberId) }, member.token)).keyMetadata;
      await trailCall(app, 'createTrail', { name: 'to-member', s3BucketName: 'member-logs' }, a);
      const store = await app.gql(
        LAKE_OPS.createEventDataStore,
        { input: { name: 'member-key-store', kmsKeyId: memberKey.arn, terminationProtectionEnabled: false } },
        { token: a.token },
      );
      expect(store.errors).toBeUndefined();
      expect(store.data.createEventDataStore.kmsKeyId).toBe(memberKey.arn);
      await trailCall(app, 'deleteTrail', { name: 'to-member' }, a);
    });
  });

  describe('KMS keys', () => {
    let trailKeyB: { keyId: string; arn: string };
    let storeKeyB: { keyId: string; arn: string };
    const ghostKey = () => `arn:aws:kms:us-east-1:${b.account}:key/00000000-1111-4222-8333-444444444444`;

    beforeAll(async () => {
      trailKeyB = (await kms(app, 'createKey', { policy: trailKeyPolicy(b.account) }, b.token)).keyMetadata;
      storeKeyB = (await kms(app, 'createKey', { policy: storeKeyPolicy(b.account) }, b.token)).keyMetadata;
      await kms(app, 'createAlias', { aliasName: 'alias/b-store', targetKeyId: storeKeyB.keyId }, b.token);
      await kms(app, 'createAlias', { aliasName: 'alias/b-trail', targetKeyId: trailKeyB.keyId }, b.token);
    });

    /** A's call naming B's key fails exactly as the same call naming a key that does not exist. */
    async function likeMissing(query: string, input: (keyId: string) => Record<string, unknown>, real: string, ghost: string) {
      const onReal = await fails(query, input(real), a);
      const onGhost = await fails(query, input(ghost), a);
      expect(onReal.code).toBe('KmsKeyNotFoundException');
      expect(onGhost.code).toBe(onReal.code);
      expect(onReal.message.split(real).join('<key>')).toBe(onGhost.message.split(ghost).join('<key>'));
    }

    it("B's keys answer A as missing keys do, by key ARN and alias ARN, in createTrail and updateTrail", async () => {
      const create = (keyId: string) => ({ name: 'a-enc', s3BucketName: 'tenant-a-logs', kmsKeyId: keyId });
      const aliasArn = (name: string) => `arn:aws:kms:us-east-1:${b.account}:alias/${name}`;
      for (const key of [trailKeyB.arn, storeKeyB.arn]) await likeMissing(CREATE_TRAIL, create, key, ghostKey());
      await likeMissing(CREATE_TRAIL, create, aliasArn('b-trail'), aliasArn('b-ghost'));
      await likeMissing(CREATE_TRAIL, create, aliasArn('b-store'), aliasArn('b-ghost'));
      const update = (keyId: string) => ({ name: 'own', kmsKeyId: keyId });
      await likeMissing(UPDATE_TRAIL, update, storeKeyB.arn, ghostKey());
      await likeMissing(UPDATE_TRAIL, update, aliasArn('b-store'), aliasArn('b-ghost'));
      expect((await trailCall(app, 'getTrail', { name: 'own' }, a)).kmsKeyId).toBeNull();
    });

    it("B's keys answer A as missing keys do in createEventDataStore and updateEventDataStore", async () => {
      const create = (keyId: string) => ({ name: 'a-enc-store', kmsKeyId: keyId, terminationProtectionEnabled: false });
      await likeMissing(LAKE_OPS.createEventDataStore, create, storeKeyB.arn, ghostKey());
      await likeMissing(
        LAKE_OPS.createEventDataStore,
        create,
        `arn:aws:kms:us-east-1:${b.account}:alias/b-store`,
        `arn:aws:kms:us-east-1:${b.account}:alias/b-ghost`,
      );
      const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM event_data_stores WHERE kms_key_id LIKE $1`, [
        `%:${b.account}:%`,
      ]);
      expect(rows[0].n).toBe(0);
      const plain = await app.gql(
        LAKE_OPS.createEventDataStore,
        { input: { name: 'a-plain-store', terminationProtectionEnabled: false } },
        { token: a.token },
      );
      const arn = plain.data.createEventDataStore.eventDataStoreArn;
      await likeMissing(LAKE_OPS.updateEventDataStore, (keyId) => ({ eventDataStore: arn, kmsKeyId: keyId }), storeKeyB.arn, ghostKey());
    });

    it('a key of another tenant works only where its policy names the tenant, and stops when it no longer does', async () => {
      // B lets A's account use its key, with CloudTrail's recommended encryption-context condition on A's trails.
      await kms(
        app,
        'putKeyPolicy',
        { keyId: trailKeyB.keyId, policy: trailKeyPolicy(b.account).replace(`:${b.account}:trail/*`, `:${a.account}:trail/*`) },
        b.token,
      );
      await trailCall(app, 'createTrail', { name: 'a-enc', s3BucketName: 'tenant-a-logs', kmsKeyId: trailKeyB.arn }, a);
      // B names A for its store key (aws:SourceAccount: safer than AWS, which offers no condition there).
      const named = JSON.parse(storeKeyPolicy(b.account));
      named.Statement[1].Condition = { StringEquals: { 'aws:SourceAccount': a.account } };
      await kms(app, 'putKeyPolicy', { keyId: storeKeyB.keyId, policy: JSON.stringify(named) }, b.token);
      const store = await app.gql(
        LAKE_OPS.createEventDataStore,
        { input: { name: 'a-enc-store', kmsKeyId: storeKeyB.arn, terminationProtectionEnabled: false } },
        { token: a.token },
      );
      expect(store.errors).toBeUndefined();
      // B takes it back (its policy allows CloudTrail again without naming anybody): A's next configuration finds no key.
      await kms(
        app,
        'putKeyPolicy',
        { keyId: trailKeyB.keyId, policy: storeKeyPolicy(b.account, ['kms:GenerateDataKey*', 'kms:DescribeKey']) },
        b.token,
      );
      const insights = await fails(PUT_INSIGHTS, { trailName: 'a-enc', insightSelectors: [{ insightType: 'ApiCallRateInsight' }] }, a);
      expect(insights.code).toBe('KmsKeyNotFoundException');
      await kms(app, 'putKeyPolicy', { keyId: storeKeyB.keyId, policy: storeKeyPolicy(b.account) }, b.token);
      const storeId = String(store.data.createEventDataStore.eventDataStoreArn).split('/').pop();
      expect((await fails(START_QUERY, { queryStatement: `SELECT eventID FROM ${storeId}` }, a)).code).toBe('KmsKeyNotFoundException');
      // And the trail's log files are no longer encrypted under it: the delivery fails as for a missing key.
      const {
        rows: [row],
      } = await app.db.pool.query(`SELECT id FROM trails WHERE name = 'a-enc' AND account_id = $1`, [a.account]);
      await trailCall(app, 'startLogging', { name: 'a-enc' }, a);
      await app.gql(RECORD, { input: { events: [sampleEvent({ awsRegion: 'us-east-1' })] } }, { token: a.token, region: 'us-east-1' });
      await routeAll(app);
      await expect(
        app.services.delivery.deliverGroup({ trailId: row.id, accountId: a.account, region: 'us-east-1', kind: 'CloudTrail' }),
      ).rejects.toMatchObject({ code: 'KMS.NotFoundException' });
      expect((await allKeys(app.services.storage.objects, 'tenant-a-logs')).filter((k) => k.includes('/CloudTrail/'))).toEqual([]);
    });

    it("A's import from a bucket B lets it read does not have the service decrypt B's SSE-KMS files for A", async () => {
      const shared = 'b-shared-logs';
      const bTrail = `arn:aws:cloudtrail:us-east-1:${b.account}:trail/b-sealed`;
      await trailCall(app, 'createBucket', { bucketName: shared }, b);
      const policy = JSON.parse(cloudTrailBucketPolicy(shared, [b.account]));
      policy.Statement.push(
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${a.account}:root` },
          Action: 's3:ListBucket',
          Resource: `arn:aws:s3:::${shared}`,
        },
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${a.account}:root` },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${shared}/*`,
        },
      );
      await trailCall(app, 'putBucketPolicy', { bucketName: shared, policy: JSON.stringify(policy) }, b);
      const sealKey = (await kms(app, 'createKey', { policy: trailKeyPolicy(b.account) }, b.token)).keyMetadata;
      const file = (daysAgo: number, records: unknown[], sealed: boolean) => {
        const key = logFileKey({
          prefix: null,
          organizationId: null,
          accountId: b.account,
          region: 'us-east-1',
          deliveredAt: new Date(Date.now() - daysAgo * 86_400_000),
          unique: uniqueSuffix(),
        });
        return app.services.storage.putServiceObject(shared, key, gzipSync(JSON.stringify({ Records: records })), {
          contentType: 'application/json',
          contentEncoding: 'gzip',
          source: { accountId: b.account, arns: [bTrail] },
          ...(sealed ? { kms: { keyArn: sealKey.arn, context: { 'aws:cloudtrail:arn': bTrail } } } : {}),
        });
      };
      // The first file is readable by A (what startImport checks); the next one is sealed under B's key.
      const plain = sampleEvent({ recipientAccountId: a.account }, 3 * 86_400);
      const sealed = sampleEvent({ recipientAccountId: a.account }, 2 * 86_400);
      await file(3, [plain], false);
      await file(2, [sealed], true);
      const created = await app.gql(
        LAKE_OPS.createEventDataStore,
        { input: { name: 'a-imports', startIngestion: false, retentionPeriod: 30, terminationProtectionEnabled: false } },
        { token: a.token },
      );
      const storeArn = created.data.createEventDataStore.eventDataStoreArn as string;
      const started = await app.gql(
        LAKE_OPS.startImport,
        {
          input: {
            destinations: [storeArn],
            importSource: {
              s3: {
                s3LocationUri: `s3://${shared}`,
                s3BucketRegion: 'us-east-1',
                s3BucketAccessRoleArn: `arn:aws:iam::${a.account}:role/import`,
              },
            },
          },
        },
        { token: a.token },
      );
      expect(started.errors).toBeUndefined();
      const importId = started.data.startImport.importId as string;
      await app.services.lakeStorage.imports.runImport(importId);
      const { rows } = await app.db.pool.query(`SELECT event_id FROM lake_events WHERE event_data_store_id = $1`, [
        storeArn.split('/').pop(),
      ]);
      expect(rows.map((r) => r.event_id)).toEqual([plain.eventID]);
      const failures = await app.gql(LAKE_OPS.listImportFailures, { input: { importId } }, { token: a.token });
      expect(failures.data.listImportFailures.failures).toMatchObject([{ errorType: 'KMS.NotFoundException' }]);
    });
  });
});
