import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sampleEvent } from '../helpers/events';
import { allKeys, countById, deliveredFiles, insertBucket, insertTrail, pendingCount, recordAs, waitFor } from '../helpers/delivery';
import { killProcess } from '../../bench/lib/app-process';
import { freePort, PrivateRedis } from '../../bench/lib/servers';
import { requireCompiledChild, startDeliveryChild } from '../helpers/delivery-process';
import { flushRedisPrefix, startTestApp, type TestApp } from '../helpers/test-app';
import { createDeliveryService } from '../../src/delivery/delivery-services';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import type { TrailEntity } from '../../src/trails/trail.entity';
import { startWorkers } from '../../workers/main';

jest.setTimeout(300_000);

const REGIONS = ['us-east-1', 'eu-west-1'];

/** Events recorded by the test: eventID → source region. */
type Recorded = Map<string, string>;

async function recordBatch(app: TestApp, recorded: Recorded, n: number, tag: string): Promise<void> {
  const records = [];
  for (let i = 0; i < n; i++) {
    const region = REGIONS[i % REGIONS.length];
    const rec = sampleEvent({ awsRegion: region, eventName: `Crash${tag}` }, 30 + (i % 50));
    records.push(rec);
    recorded.set(rec.eventID as string, region);
  }
  await recordAs(app.services, app.admin.accountId, app.admin.organizationId, records);
}

async function settled(app: TestApp): Promise<boolean> {
  const { rows } = await app.db.pool.query(
    `SELECT (SELECT count(*) FROM event_outbox WHERE routed_at IS NULL)::int AS unrouted,
            (SELECT count(*) FROM trail_log_files WHERE state = 'pending')::int AS files`,
  );
  return rows[0].unrouted === 0 && rows[0].files === 0 && (await pendingCount(app.db)) === 0;
}

/** Every recorded event the trail covers is in exactly one of its delivered files; every object in its bucket is one of them. */
async function expectDeliveredOnce(app: TestApp, store: ObjectStore, trail: TrailEntity, recorded: Recorded): Promise<string[]> {
  const files = await deliveredFiles(app.db, store, trail.id);
  const counts = countById(files);
  const want = [...recorded].filter(([, region]) => trail.isMultiRegionTrail || region === trail.homeRegion).map(([id]) => id);
  expect(want.length).toBeGreaterThan(0);
  expect(want.filter((id) => counts.get(id) !== 1)).toEqual([]);
  expect([...counts.keys()].filter((id) => !recorded.has(id))).toEqual([]);
  const keys = files.map((f) => f.key).sort();
  expect((await allKeys(store, trail.s3BucketName)).sort()).toEqual(keys);
  return keys;
}

describe('delivery: a worker killed between the object write and the commit', () => {
  let app: TestApp;
  let store: ObjectStore;
  let ledger: string;
  const trails: TrailEntity[] = [];
  const recorded: Recorded = new Map();

  beforeAll(async () => {
    requireCompiledChild();
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '1', OUTBOX_SWEEP_INTERVAL_SECONDS: '1' });
    store = createObjectStore(app.config);
    ledger = path.join(app.config.dataDir, 'crash-ledger.txt');
    const mgmt = app.admin.accountId;
    for (const [name, multi] of [
      ['crash-a', true],
      ['crash-b', false],
      ['crash-c', true],
    ] as const) {
      await insertBucket(app.db, store, mgmt, `${name}-bucket`);
      trails.push(
        await insertTrail(app.db, {
          accountId: mgmt,
          name,
          homeRegion: 'us-east-1',
          isMultiRegionTrail: multi,
          s3BucketName: `${name}-bucket`,
        }),
      );
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  it('rewrites the same key with the same events: every event once per trail, no orphans, nothing pending', async () => {
    const ROUNDS = 6;
    for (let round = 1; round <= ROUNDS; round++) {
      // A new batch each round: the crashes hit files of several batches, groups and trails.
      await recordBatch(app, recorded, 120, String(round));
      const worker = await startDeliveryChild(app.config, { CRASH_LEDGER: ledger, MAX_RECORDS_PER_FILE: '25' });
      const exit = await Promise.race([worker.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), 60_000))]);
      if (exit === null) {
        await killProcess(worker.child);
        throw new Error(`round ${round}: the worker never reached a commit to crash at; output: ${worker.output()}`);
      }
      expect(exit.signal).toBe('SIGKILL');
      // The killed process's jobs would wait for BullMQ's stalled-job check (30 s); a Redis that
      // lost its data is the other way a restart looks, and the delivery tick must recover from
      // it too. The last run below keeps Redis as it is and goes through the stalled-job path.
      if (round < ROUNDS) await flushRedisPrefix(app.config.redisUrl, app.config.redisPrefix);
    }
    const crashed = fs
      .readFileSync(ledger, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    expect(crashed).toHaveLength(ROUNDS);
    // Each crash left its file pending with the object already in the bucket.
    const pendingNow = await app.db.pool.query(`SELECT id, object_key FROM trail_log_files WHERE state = 'pending'`);
    expect(pendingNow.rows.map((r) => r.id)).toContain(crashed[ROUNDS - 1][0]);

    const final = await startDeliveryChild(app.config, { MAX_RECORDS_PER_FILE: '25' });
    try {
      await waitFor('delivery after the crashes', () => settled(app), 120_000);
    } finally {
      final.child.kill('SIGTERM');
      await final.exited;
    }

    const deliveredKeys = new Set<string>();
    for (const trail of trails) for (const key of await expectDeliveredOnce(app, store, trail, recorded)) deliveredKeys.add(key);
    // The interrupted files were committed under the key they were first written to.
    const crashedTrails = new Set<string>();
    for (const [id, bucket, key] of crashed) {
      const { rows } = await app.db.pool.query(`SELECT trail_id, bucket, object_key, state FROM trail_log_files WHERE id = $1`, [id]);
      expect(rows[0]).toMatchObject({ bucket, object_key: key, state: 'delivered' });
      expect(deliveredKeys.has(key)).toBe(true);
      crashedTrails.add(rows[0].trail_id);
    }
    expect(crashedTrails.size).toBeGreaterThanOrEqual(2);
    const leftovers = await app.db.pool.query(`SELECT count(*)::int AS n FROM trail_log_files WHERE state <> 'delivered'`);
    expect(leftovers.rows[0].n).toBe(0);
  });
});

describe('delivery: Redis restarts while a log file is being delivered', () => {
  let app: TestApp;
  let store: ObjectStore;
  let redis: PrivateRedis;
  let redisDir: string;
  let trail: TrailEntity;
  const recorded: Recorded = new Map();

  beforeAll(async () => {
    redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-redis-'));
    redis = new PrivateRedis(await freePort(), { appendOnlyDir: redisDir });
    await redis.start();
    app = await startTestApp({
      REDIS_URL: redis.url,
      DELIVERY_INTERVAL_SECONDS: '1',
      OUTBOX_SWEEP_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'error',
    });
    store = createObjectStore(app.config);
    await insertBucket(app.db, store, app.admin.accountId, 'redis-restart-bucket');
    trail = await insertTrail(app.db, {
      accountId: app.admin.accountId,
      name: 'redis-restart',
      homeRegion: 'us-east-1',
      isMultiRegionTrail: true,
      s3BucketName: 'redis-restart-bucket',
    });
  });

  afterAll(async () => {
    await app?.close();
    await redis?.kill();
    if (redisDir) fs.rmSync(redisDir, { recursive: true, force: true });
  });

  it('delivers everything exactly once', async () => {
    let restarted: Promise<void> | null = null;
    const delivery = createDeliveryService(app.services, app.services.storage, {
      maxRecordsPerFile: 20,
      // At the first written object: Redis goes away (and comes back a little later) while the
      // delivery commits and the job tries to report completion.
      afterObjectWritten: async () => {
        if (restarted) return;
        restarted = (async () => {
          await redis.kill();
          await recordBatch(app, recorded, 40, 'DuringOutage');
          await new Promise((r) => setTimeout(r, 1000));
          await redis.start();
        })();
        await new Promise((r) => setTimeout(r, 100));
      },
    });
    const workers = await startWorkers({ ...app.services, delivery });
    try {
      await recordBatch(app, recorded, 200, 'BeforeOutage');
      await waitFor('the Redis restart', async () => restarted !== null, 60_000);
      await restarted;
      await recordBatch(app, recorded, 60, 'AfterOutage');
      await waitFor('delivery after the Redis restart', () => settled(app), 120_000);
    } finally {
      await workers.close();
    }
    await expectDeliveredOnce(app, store, trail, recorded);
    const { rows } = await app.db.pool.query(`SELECT latest_delivery_error FROM trail_delivery_status WHERE trail_id = $1`, [trail.id]);
    expect(rows.length).toBe(2);
    for (const r of rows) expect(r.latest_delivery_error).toBeNull();
  });
});
