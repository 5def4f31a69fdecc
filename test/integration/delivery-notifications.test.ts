import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleEvent } from '../helpers/events';
import { countById, deliveredFiles, insertBucket, insertTrail, recordAs, waitFor } from '../helpers/delivery';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, verifySignature } from '../../src/common/webhooks/webhook-sender';
import type { TrailEntity } from '../../src/trails/trail.entity';
import { startWorkers } from '../../workers/main';

jest.setTimeout(120_000);

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  raw: string;
}

const CREATE_TOPIC = `mutation($input: CreateTopicInput!) { createTopic(input: $input) { topicArn name signingSecret } }`;
const STATUS = `query($input: TrailNameInput!) { getTrailStatus(input: $input) {
  latestDeliveryTime latestDeliveryError latestNotificationTime latestNotificationError } }`;

describe('delivery: log file notifications to the trail topic', () => {
  let app: TestApp;
  let store: ObjectStore;
  let token: string;
  let receiver: http.Server;
  let workers: { close(): Promise<void> };
  const received: Received[] = [];
  const topics: Record<string, { topicArn: string; signingSecret: string }> = {};
  let good: TrailEntity;
  let bad: TrailEntity;
  const ids: string[] = [];

  async function status(name: string, region = 'us-east-1') {
    const res = await app.gql(STATUS, { input: { name } }, { token, region });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data.getTrailStatus;
  }

  beforeAll(async () => {
    // A receiver on 127.0.0.1: /ok answers 200, /fail answers 500.
    receiver = http.createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (d) => (raw += d));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, raw });
        res.statusCode = req.url === '/ok' ? 200 : 500;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '1', WEBHOOK_TIMEOUT_MS: '2000', LOG_LEVEL: 'error' });
    store = createObjectStore(app.config);
    token = await app.login(app.admin);
    for (const [name, path] of [
      ['log-files', '/ok'],
      ['broken', '/fail'],
    ]) {
      const res = await app.gql(CREATE_TOPIC, { input: { name, endpoint: `${base}${path}` } }, { token, region: 'us-east-1' });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      topics[name] = res.data.createTopic;
    }
    const mgmt = app.admin.accountId;
    await insertBucket(app.db, store, mgmt, 'notified-bucket');
    await insertBucket(app.db, store, mgmt, 'broken-topic-bucket');
    // By name (the topic of the trail's account in its home region) and by ARN.
    good = await insertTrail(app.db, {
      accountId: mgmt,
      name: 'notified',
      homeRegion: 'us-east-1',
      isMultiRegionTrail: true,
      s3BucketName: 'notified-bucket',
      snsTopicName: 'log-files',
    });
    bad = await insertTrail(app.db, {
      accountId: mgmt,
      name: 'broken-topic',
      homeRegion: 'us-east-1',
      isMultiRegionTrail: true,
      s3BucketName: 'broken-topic-bucket',
      snsTopicName: topics.broken.topicArn,
    });

    workers = await startWorkers(app.services);
    const records = Array.from({ length: 80 }, (_, i) =>
      sampleEvent({ awsRegion: i % 2 ? 'eu-west-1' : 'us-east-1', eventName: 'CreateBucket' }, 10 + (i % 20)),
    );
    for (const r of records) ids.push(r.eventID as string);
    await recordAs(app.services, mgmt, app.admin.organizationId, records);
  });

  afterAll(async () => {
    await workers?.close();
    await app?.close();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  /** Delivered keys of a trail, once all of `ids` are delivered to it. */
  async function deliveredKeys(trail: TrailEntity): Promise<string[]> {
    return waitFor(`delivery to ${trail.name}`, async () => {
      const files = await deliveredFiles(app.db, store, trail.id);
      const counts = countById(files);
      return ids.every((id) => counts.get(id) === 1) ? files.map((f) => f.key) : null;
    });
  }

  const notificationsOf = (path: string) => received.filter((r) => r.path === path).map((r) => ({ ...r, body: JSON.parse(r.raw) }));

  it("announces each delivered file once, in CloudTrail's SNS message shape, signed with the topic secret", async () => {
    const keys = await deliveredKeys(good);
    expect(keys.length).toBeGreaterThanOrEqual(2); // two source regions, two files at least
    await waitFor('a notification per file', async () => {
      const notified = new Set(notificationsOf('/ok').flatMap((n) => JSON.parse(n.body.Message).s3ObjectKey as string[]));
      return keys.every((k) => notified.has(k));
    });
    const notes = notificationsOf('/ok');
    const perKey = new Map<string, number>();
    for (const n of notes) {
      expect(
        verifySignature({ secret: topics['log-files'].signingSecret, body: n.raw, header: n.headers[SIGNATURE_HEADER] as string }),
      ).toBe(true);
      expect(verifySignature({ secret: 'not-the-secret', body: n.raw, header: n.headers[SIGNATURE_HEADER] as string })).toBe(false);
      expect(n.body).toEqual({
        Type: 'Notification',
        MessageId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        TopicArn: topics['log-files'].topicArn,
        Subject: expect.any(String),
        Message: expect.any(String),
        Timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      });
      expect(n.headers[DELIVERY_ID_HEADER]).toBe(n.body.MessageId);
      const message = JSON.parse(n.body.Message);
      expect(Object.keys(message).sort()).toEqual(['s3Bucket', 's3ObjectKey']);
      expect(message.s3Bucket).toBe('notified-bucket');
      expect(message.s3ObjectKey).toHaveLength(1);
      perKey.set(message.s3ObjectKey[0], (perKey.get(message.s3ObjectKey[0]) ?? 0) + 1);
    }
    // Only delivered files are announced, each once.
    const delivered = new Set((await deliveredFiles(app.db, store, good.id)).map((f) => f.key));
    expect([...perKey].filter(([key, n]) => n !== 1 || !delivered.has(key))).toEqual([]);
    // The status is written once the receiver has answered.
    const s = await waitFor(
      'latestNotificationTime',
      async () => {
        const st = await status('notified');
        return st.latestNotificationTime ? st : null;
      },
      20_000,
    );
    expect(s.latestNotificationError).toBeNull();
  });

  it('a failing receiver sets latestNotificationError and neither blocks nor repeats delivery', async () => {
    const keys = await deliveredKeys(bad);
    await waitFor('notification error', async () => (await status('broken-topic')).latestNotificationError === 'HTTP 500', 20_000).catch(
      async (err) => {
        const { rows } = await app.db.pool.query(`SELECT * FROM trail_delivery_status WHERE trail_id = $1`, [bad.id]);
        throw new Error(`${err.message}; status rows: ${JSON.stringify(rows)}; received: ${received.length}`);
      },
    );
    const s = await status('broken-topic');
    expect(s.latestDeliveryError).toBeNull();
    expect(s.latestDeliveryTime).not.toBeNull();
    await waitFor('an attempt per file', async () => {
      const notified = new Set(notificationsOf('/fail').map((n) => JSON.parse(n.body.Message).s3ObjectKey[0] as string));
      return keys.every((k) => notified.has(k));
    });
    // One attempt per file: the failed notification was not retried, the file not rewritten.
    const attempts = new Map<string, number>();
    for (const n of notificationsOf('/fail')) {
      const key = JSON.parse(n.body.Message).s3ObjectKey[0] as string;
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
    }
    expect([...attempts.values()].every((n) => n === 1)).toBe(true);
    const files = await deliveredFiles(app.db, store, bad.id);
    expect(new Set(files.map((f) => f.key)).size).toBe(files.length);
    const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM trail_log_files WHERE trail_id = $1 AND state = 'pending'`, [
      bad.id,
    ]);
    expect(rows[0].n).toBe(0);
  });
});
