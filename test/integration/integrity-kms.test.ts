import { createHash } from 'node:crypto';
import { sampleEvent } from '../helpers/events';
import { recordAs, waitFor } from '../helpers/delivery';
import { call, createUserSession, policyJson } from '../helpers/iam-ops';
import { createTrailKey } from '../helpers/kms';
import { expectedLines, trailDigests, VALIDATE } from '../helpers/integrity';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTrailBucket, type Session, trailCall } from '../helpers/trails';
import { isoSeconds } from '../../src/integrity/digest-time';
import { startWorkers } from '../../workers/main';

jest.setTimeout(180_000);

/**
 * Log file integrity on a trail whose log files are SSE-KMS encrypted: digests are never
 * encrypted with the customer key, the signed hashes are those of the plaintext objects, and
 * validation works for a caller who may decrypt and is refused (not misreported) for one who may not.
 */
describe('integrity on a KMS-encrypted trail', () => {
  let app: TestApp;
  let admin: Session;
  let workers: { close(): Promise<void> };
  let trailId: string;
  let trailArn: string;
  let startTime: string;

  beforeAll(async () => {
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '1', DIGEST_INTERVAL_SECONDS: '2', LOG_LEVEL: 'error' });
    admin = { token: await app.login(app.admin), region: 'us-east-1' };
    const account = app.admin.accountId;
    await createTrailBucket(app, admin, 'kms-integrity', [account]);
    const key = await createTrailKey(app, admin.token, account);
    const trail = await trailCall(
      app,
      'createTrail',
      { name: 'sealed', s3BucketName: 'kms-integrity', enableLogFileValidation: true, kmsKeyId: key.arn },
      admin,
    );
    trailArn = trail.trailARN;
    trailId = (await app.db.pool.query(`SELECT id FROM trails WHERE trail_arn = $1`, [trailArn])).rows[0].id;
    startTime = isoSeconds(new Date(Date.now() - 60_000));
    workers = await startWorkers(app.services);
    await trailCall(app, 'startLogging', { name: 'sealed' }, admin);
    await recordAs(
      app.services,
      account,
      app.admin.organizationId,
      Array.from({ length: 6 }, () => sampleEvent({ awsRegion: 'us-east-1' }, 5)),
    );
    await waitFor('a digest listing a log file', async () => (await trailDigests(app, trailId)).some((d) => d.logFiles.length > 0));
    await trailCall(app, 'stopLogging', { name: 'sealed' }, admin);
    await waitFor('the final digest', async () => {
      const { rows } = await app.db.pool.query(
        `SELECT count(*)::int AS busy FROM digest_chains WHERE trail_id = $1 AND (active OR stop_at IS NOT NULL)`,
        [trailId],
      );
      return rows[0].busy === 0;
    });
  });
  afterAll(async () => {
    await workers?.close();
    await app?.close();
  });

  it('encrypts log files with the customer key but never the digests; signs the plaintext objects', async () => {
    const digests = await trailDigests(app, trailId);
    for (const d of digests) {
      const raw = await app.services.storage.readServiceObject(d.bucket, d.key, { kms: 'raw' });
      expect(JSON.stringify(raw!.metadata)).not.toContain('aws:kms');
      for (const f of d.json.logFiles) {
        const stored = await app.services.storage.readServiceObject(f.s3Bucket, f.s3Object, { kms: 'raw' });
        const plain = await app.services.storage.readServiceObject(f.s3Bucket, f.s3Object, { kms: 'decrypt' });
        expect(JSON.stringify(stored!.metadata)).toContain('aws:kms');
        expect(stored!.body.equals(plain!.body)).toBe(false);
        expect(f.s3ObjectHashValue).toBe(createHash('sha256').update(plain!.body).digest('hex'));
      }
    }
  });

  it('validates for a caller allowed kms:Decrypt, both ways', async () => {
    const digests = await trailDigests(app, trailId);
    for (const cloudTrailHashesOnly of [false, true]) {
      const res = await app.gql(
        VALIDATE,
        { input: { trailArn, startTime, endTime: isoSeconds(new Date()), cloudTrailHashesOnly } },
        { token: admin.token, region: 'us-east-1' },
      );
      expect(res.errors).toBeUndefined();
      expect(res.data.validateLogs.results.map((r: any) => r.line)).toEqual(expectedLines(digests));
      expect(res.data.validateLogs.valid).toBe(true);
    }
  });

  it('refuses a caller who may read the bucket but not decrypt, instead of calling the files invalid', async () => {
    const reader = await createUserSession(app, admin.token, 'no-decrypt');
    await call(
      app,
      'putUserPolicy',
      {
        userName: 'no-decrypt',
        policyName: 'read-logs',
        policyDocument: policyJson({
          Effect: 'Allow',
          Action: ['cloudtrail:DescribeTrails', 'cloudtrail:ListPublicKeys', 's3:ListBucket', 's3:GetObject'],
          Resource: '*',
        }),
      },
      admin.token,
    );
    const input = { trailArn, startTime, endTime: isoSeconds(new Date()) };
    const res = await app.gql(VALIDATE, { input }, { token: reader.token, region: 'us-east-1' });
    expect(res.errors?.[0].extensions?.code).toMatch(/AccessDenied/);
    // The same user with kms:Decrypt (the key policy delegates to IAM) validates everything.
    await call(
      app,
      'putUserPolicy',
      {
        userName: 'no-decrypt',
        policyName: 'decrypt',
        policyDocument: policyJson({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }),
      },
      admin.token,
    );
    const allowed = await app.gql(VALIDATE, { input }, { token: reader.token, region: 'us-east-1' });
    expect(allowed.errors).toBeUndefined();
    expect(allowed.data.validateLogs.valid).toBe(true);
  });
});
