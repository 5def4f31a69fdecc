import { sampleEvent } from '../helpers/events';
import {
  allKeys,
  cloudTrailBucketPolicy,
  countById,
  deliveredFiles,
  insertBucket,
  insertTrail,
  recordAs,
  setBucketPolicy,
  waitFor,
} from '../helpers/delivery';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import type { TrailEntity } from '../../src/trails/trail.entity';
import { startWorkers } from '../../workers/main';

jest.setTimeout(180_000);

const STATUS = `query($input: TrailNameInput!) { getTrailStatus(input: $input) {
  isLogging latestDeliveryTime latestDeliveryError latestDeliveryAttemptTime } }`;

/** A policy that lets CloudTrail check the ACL but not write: the usual half-finished bucket policy. */
const aclOnlyPolicy = (bucket: string) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: `arn:aws:s3:::${bucket}` },
  ],
});

describe('delivery: storage failures keep events pending and are reported', () => {
  let app: TestApp;
  let store: ObjectStore;
  let token: string;
  let workers: { close(): Promise<void> };
  let denied: TrailEntity;
  let missing: TrailEntity;
  const ids: string[] = [];

  async function status(name: string) {
    const res = await app.gql(STATUS, { input: { name } }, { token, region: 'us-east-1' });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data.getTrailStatus as {
      latestDeliveryTime: string | null;
      latestDeliveryError: string | null;
      latestDeliveryAttemptTime: string;
    };
  }

  /** How many of the recorded events are still pending for a trail (self-audit events come and go). */
  async function pendingOf(trail: TrailEntity): Promise<number> {
    const { rows } = await app.db.pool.query(
      `SELECT count(*)::int AS n FROM trail_pending_events WHERE trail_id = $1 AND event_id = ANY($2::uuid[])`,
      [trail.id, ids],
    );
    return rows[0].n;
  }

  beforeAll(async () => {
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '1', LOG_LEVEL: 'error' });
    store = createObjectStore(app.config);
    token = await app.login(app.admin);
    const mgmt = app.admin.accountId;
    await insertBucket(app.db, store, mgmt, 'denied-bucket', 'us-east-1', aclOnlyPolicy('denied-bucket'));
    denied = await insertTrail(app.db, { accountId: mgmt, name: 'denied', homeRegion: 'us-east-1', s3BucketName: 'denied-bucket' });
    // The bucket was deleted after the trail was created.
    missing = await insertTrail(app.db, { accountId: mgmt, name: 'missing', homeRegion: 'us-east-1', s3BucketName: 'no-such-bucket-here' });
    workers = await startWorkers(app.services);
    const records = Array.from({ length: 150 }, (_, i) =>
      sampleEvent({ awsRegion: 'us-east-1', eventName: 'RunInstances' }, 20 + (i % 30)),
    );
    for (const r of records) ids.push(r.eventID as string);
    await recordAs(app.services, mgmt, app.admin.organizationId, records);
  });

  afterAll(async () => {
    await workers?.close();
    await app?.close();
  });

  it('a bucket policy that stops allowing the service: AccessDenied in getTrailStatus, retried, nothing written or lost', async () => {
    const first = await waitFor('AccessDenied', async () => {
      const s = await status('denied');
      return s.latestDeliveryError === 'AccessDenied' ? s : null;
    });
    expect(first.latestDeliveryTime).toBeNull();
    // The job retries (with backoff): a later attempt is recorded, still failing.
    await waitFor('a retry', async () => {
      const s = await status('denied');
      return s.latestDeliveryAttemptTime > first.latestDeliveryAttemptTime && s.latestDeliveryError === 'AccessDenied';
    });
    expect(await allKeys(store, 'denied-bucket')).toEqual([]);
    expect(await pendingOf(denied)).toBe(ids.length);
    const delivered = await app.db.pool.query(
      `SELECT count(*)::int AS n FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered'`,
      [denied.id],
    );
    expect(delivered.rows[0].n).toBe(0);
  });

  it('a bucket that no longer exists: NoSuchBucket', async () => {
    await waitFor('NoSuchBucket', async () => (await status('missing')).latestDeliveryError === 'NoSuchBucket');
    expect(await pendingOf(missing)).toBe(ids.length);
  });

  it('once the policy is fixed, everything is delivered exactly once and the error is cleared', async () => {
    await setBucketPolicy(app.db, 'denied-bucket', cloudTrailBucketPolicy('denied-bucket', app.admin.accountId));
    const fixed = await waitFor('delivery after the fix', async () => {
      const s = await status('denied');
      return s.latestDeliveryError === null && s.latestDeliveryTime !== null ? s : null;
    });
    expect(new Date(fixed.latestDeliveryTime!).getTime()).toBeGreaterThan(0);
    await waitFor(
      'nothing pending',
      async () => (await app.db.pool.query(`SELECT 1 FROM trail_pending_events WHERE trail_id = $1`, [denied.id])).rowCount === 0,
    );
    const files = await deliveredFiles(app.db, store, denied.id);
    const counts = countById(files);
    expect(ids.filter((id) => counts.get(id) !== 1)).toEqual([]);
    // Besides ours, the trail also holds the self-audit events of the test's own API calls.
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect((await allKeys(store, 'denied-bucket')).sort()).toEqual(files.map((f) => f.key).sort());
    const leftovers = await app.db.pool.query(`SELECT count(*)::int AS n FROM trail_log_files WHERE trail_id = $1 AND state = 'pending'`, [
      denied.id,
    ]);
    expect(leftovers.rows[0].n).toBe(0);
    // The other trail's bucket is still missing: its error stays.
    expect((await status('missing')).latestDeliveryError).toBe('NoSuchBucket');
  });
});
