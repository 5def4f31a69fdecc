import { gunzipSync } from 'node:zlib';
import { recordAs } from '../helpers/delivery';
import { kms, trailKeyPolicy } from '../helpers/kms';
import { routeAll } from '../helpers/lake-store';
import { type Session, createTrailBucket, trailCall, trailFails } from '../helpers/trails';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import { buildInsightRecord, sharedEventIdOf } from '../../src/insights/insight-event';

jest.setTimeout(120_000);

const REGION = 'us-east-1';
const CALL_RATE = [{ insightType: 'ApiCallRateInsight' }];

/** Insights on a trail with a KMS key (spec §7, §10): the key is checked, Insights files are SSE-KMS. */
describe('Insights on a KMS-encrypted trail', () => {
  let app: TestApp;
  let store: ObjectStore;
  let admin: Session;
  let account: string;
  let key: { keyId: string; arn: string };
  const trailArn = () => `arn:aws:cloudtrail:${REGION}:${account}:trail/enc-insights`;

  beforeAll(async () => {
    app = await startTestApp({ LOG_LEVEL: 'error' });
    store = createObjectStore(app.config);
    admin = { token: await app.login(app.admin) };
    account = app.admin.accountId;
    await createTrailBucket(app, admin, 'kms-insights', [account]);
    key = (await kms(app, 'createKey', { policy: trailKeyPolicy(account) }, admin.token)).keyMetadata;
    await trailCall(app, 'createTrail', { name: 'enc-insights', s3BucketName: 'kms-insights', kmsKeyId: key.arn }, admin);
    await trailCall(app, 'startLogging', { name: 'enc-insights' }, admin);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('putInsightSelectors checks the trail key as createTrail does; a failure changes nothing and disabling needs no key', async () => {
    expect(
      (await trailCall(app, 'putInsightSelectors', { trailName: 'enc-insights', insightSelectors: CALL_RATE }, admin)).insightSelectors,
    ).toEqual([{ insightType: 'ApiCallRateInsight', eventCategories: null }]);
    const both = [{ insightType: 'ApiCallRateInsight' }, { insightType: 'ApiErrorRateInsight' }];
    // A key policy that no longer lets CloudTrail generate data keys for this trail.
    await kms(
      app,
      'putKeyPolicy',
      {
        keyId: key.keyId,
        policy: trailKeyPolicy('000000000000').replace(`arn:aws:iam::000000000000:root`, `arn:aws:iam::${account}:root`),
      },
      admin.token,
    );
    await trailFails(
      app,
      'putInsightSelectors',
      { trailName: 'enc-insights', insightSelectors: both },
      admin,
      'InsufficientEncryptionPolicyException',
    );
    await kms(app, 'putKeyPolicy', { keyId: key.keyId, policy: trailKeyPolicy(account) }, admin.token);
    // A disabled key: KmsException.
    await kms(app, 'disableKey', { keyId: key.keyId }, admin.token);
    await trailFails(app, 'putInsightSelectors', { trailName: 'enc-insights', insightSelectors: both }, admin, 'KmsException');
    expect((await trailCall(app, 'getInsightSelectors', { trailName: 'enc-insights' }, admin)).insightSelectors).toEqual([
      { insightType: 'ApiCallRateInsight', eventCategories: null },
    ]);
    // Turning Insights off writes nothing to the bucket: no key check.
    expect(
      (await trailCall(app, 'putInsightSelectors', { trailName: 'enc-insights', insightSelectors: [] }, admin)).insightSelectors,
    ).toEqual([]);
    await kms(app, 'enableKey', { keyId: key.keyId }, admin.token);
    await trailCall(app, 'putInsightSelectors', { trailName: 'enc-insights', insightSelectors: both }, admin);
  });

  it('Insights files are encrypted under the trail key like its log files, and decrypt to the Insights events', async () => {
    const series = {
      eventSource: 'ssm.amazonaws.com',
      eventName: 'PutParameter',
      insightType: 'ApiCallRateInsight' as const,
      errorCode: '',
    };
    const startedAt = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000);
    const sharedEventId = sharedEventIdOf(account, REGION, series, startedAt);
    const insight = buildInsightRecord({
      accountId: account,
      region: REGION,
      series,
      state: 'Start',
      sharedEventId,
      eventTime: startedAt,
      baselineAverage: 0.5,
      insightAverage: 60,
      insightDuration: 3,
      attributions: {},
    });
    await recordAs(app.services, account, app.admin.organizationId, [insight]);
    await routeAll(app);
    const { rows: pending } = await app.db.pool.query(
      `SELECT trail_id FROM trail_pending_events WHERE event_id = $1 AND kind = 'CloudTrail-Insight'`,
      [insight.eventID],
    );
    expect(pending.length).toBe(1);
    const result = await app.services.delivery.deliverGroup({
      trailId: pending[0].trail_id,
      accountId: account,
      region: REGION,
      kind: 'CloudTrail-Insight',
    });
    expect(result.files).toBe(1);
    const { rows } = await app.db.pool.query(`SELECT bucket, object_key FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered'`, [
      pending[0].trail_id,
    ]);
    const insightFiles = rows.filter((r) => r.object_key.includes('/CloudTrail-Insight/'));
    expect(insightFiles.length).toBe(1);
    const stored = (await store.getObject('kms-insights', insightFiles[0].object_key))!;
    expect(stored.metadata).toMatchObject({
      'x-amz-server-side-encryption': 'aws:kms',
      'x-amz-server-side-encryption-aws-kms-key-id': key.arn,
    });
    expect(JSON.parse(Buffer.from(stored.metadata['x-amz-server-side-encryption-context'], 'base64').toString())).toEqual({
      'aws:cloudtrail:arn': trailArn(),
    });
    expect(() => gunzipSync(stored.body)).toThrow();
    expect(stored.body.toString('latin1')).not.toContain('insightDetails');
    const decrypted = (await app.services.storage.readServiceObject('kms-insights', insightFiles[0].object_key, { kms: 'decrypt' }))!;
    const records = JSON.parse(gunzipSync(decrypted.body).toString('utf8')).Records;
    expect(records.map((r: any) => [r.eventID, r.eventCategory, r.insightDetails.state])).toEqual([[insight.eventID, 'Insight', 'Start']]);
  });
});
