import { randomBytes } from 'node:crypto';
import { sampleEvent } from '../helpers/events';
import { recordAs, waitFor } from '../helpers/delivery';
import { flipOneByte, tamper, trailDigests, VALIDATE } from '../helpers/integrity';
import { startS3Server, type TestS3Server } from '../helpers/s3-server';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTrailBucket, type Session, trailCall } from '../helpers/trails';
import { isoSeconds } from '../../src/integrity/digest-time';
import { startWorkers } from '../../workers/main';

jest.setTimeout(180_000);

/** The same digests on the S3 backend: signature metadata survives S3's user metadata round trip. */
describe('integrity on the S3 backend', () => {
  let s3: TestS3Server;
  let app: TestApp;
  let admin: Session;
  let workers: { close(): Promise<void> };

  beforeAll(async () => {
    s3 = await startS3Server();
    app = await startTestApp({
      STORAGE_BACKEND: 's3',
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_BUCKET_PREFIX: `it${randomBytes(3).toString('hex')}-`,
      DELIVERY_INTERVAL_SECONDS: '1',
      DIGEST_INTERVAL_SECONDS: '2',
      LOG_LEVEL: 'error',
    });
    admin = { token: await app.login(app.admin), region: 'us-east-1' };
    await createTrailBucket(app, admin, 's3-digests', [app.admin.accountId]);
    await trailCall(app, 'createTrail', { name: 's3-trail', s3BucketName: 's3-digests', enableLogFileValidation: true }, admin);
    workers = await startWorkers(app.services);
    await trailCall(app, 'startLogging', { name: 's3-trail' }, admin);
  });

  afterAll(async () => {
    await workers?.close();
    await app?.close();
    await s3?.stop();
  });

  it('digests validate; a changed log file is reported', async () => {
    const startTime = isoSeconds(new Date(Date.now() - 60_000));
    await recordAs(app.services, app.admin.accountId, app.admin.organizationId, [sampleEvent({ awsRegion: 'us-east-1' }, 3)]);
    const trailId = (await app.db.pool.query(`SELECT id FROM trails WHERE name = 's3-trail'`)).rows[0].id;
    const digest = await waitFor('a digest listing a file', async () =>
      (await trailDigests(app, trailId)).find((d) => d.logFiles.length > 0),
    );
    await waitFor('a second digest', async () => (await trailDigests(app, trailId))[0].key !== digest.key);
    const validate = async () =>
      (
        await app.gql(
          VALIDATE,
          { input: { trailArn: `arn:aws:cloudtrail:us-east-1:${app.admin.accountId}:trail/s3-trail`, startTime } },
          admin,
        )
      ).data.validateLogs;
    const ok = await validate();
    expect(ok).toMatchObject({ valid: true, invalidDigests: 0, invalidLogFiles: 0 });
    expect(ok.validDigests).toBeGreaterThanOrEqual(2);
    const f = digest.logFiles[0];
    const restore = await tamper(app, f.bucket, f.key, flipOneByte);
    try {
      const bad = await validate();
      expect(bad.results.filter((r: any) => !r.valid).map((r: any) => r.line)).toEqual([
        `Log file\ts3://${f.bucket}/${f.key}\tINVALID: hash value doesn't match`,
      ]);
    } finally {
      await restore();
    }
  });
});
