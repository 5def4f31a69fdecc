import { gunzipSync } from 'node:zlib';
import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { startWorkers } from '../../workers/main';
import { lakeQueryJobId, QUEUES } from '../../src/jobs/queues';
import { sampleEvent } from '../helpers/events';
import { createStore, qCall } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTrailBucket } from '../helpers/trails';

jest.setTimeout(300_000);

/**
 * Issue 12 §3: a Lake query is never stranded in QUEUED (api and workers in one process, as
 * `npm start` runs them). The sweep runs every second here (LAKE_QUERY_SWEEP_SECONDS); before,
 * only the hourly lake-retention job looked for lost queries.
 */
describe('lake query never stranded', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> } | undefined;
  let admin: LakeSession;
  let store: { id: string; arn: string };

  beforeAll(async () => {
    app = await startTestApp({ LAKE_QUERY_SWEEP_SECONDS: '1' });
    workers = await startWorkers(app.services);
    admin = { token: await app.login(app.admin) };
    store = await createStore(app, admin, 'stranded-store');
  });
  afterAll(async () => {
    await workers?.close();
    await app?.close();
  });

  /** Polls describeQuery until `done` (at most ~30 s, far below the hourly sweep). */
  const waitFor = async (queryId: string, done: (d: { queryStatus: string; deliveryStatus: string | null }) => boolean) => {
    let d = await qCall(app, 'describeQuery', { queryId }, admin);
    for (let i = 0; i < 300 && !done(d); i++) {
      await new Promise((r) => setTimeout(r, 100));
      d = await qCall(app, 'describeQuery', { queryId }, admin);
    }
    return d;
  };
  const waitForEnd = (queryId: string) => waitFor(queryId, (d) => d.queryStatus !== 'QUEUED' && d.queryStatus !== 'RUNNING');
  const waitForDelivery = (queryId: string) => waitFor(queryId, (d) => d.deliveryStatus !== 'PENDING');

  /** A QUEUED query that has no job at all (its enqueue was lost), copied from a finished one. */
  const queuedWithoutJob = async (from: string): Promise<string> => {
    const { rows } = await app.db.pool.query(
      `INSERT INTO lake_queries (id, account_id, region, statement, compiled_sql, columns, event_data_store_ids, status, statistics, timeout_seconds)
       SELECT gen_random_uuid(), account_id, region, statement, compiled_sql, columns, event_data_store_ids, 'QUEUED', statistics, timeout_seconds
       FROM lake_queries WHERE id = $1 RETURNING id`,
      [from],
    );
    return rows[0].id;
  };

  it('runs count(*) started right after 30,000 events were ingested in six requests of 5,000', async () => {
    for (let r = 0; r < 6; r++) {
      const body = Array.from({ length: 5000 }, () => JSON.stringify(sampleEvent({ eventName: 'Bulk' }))).join('\n') + '\n';
      const res = await fetch(`${app.baseUrl}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${admin.token}` },
        body,
      });
      expect(res.status).toBe(200);
    }
    const { queryId } = await qCall(app, 'startQuery', { queryStatement: `SELECT count(*) AS n FROM ${store.id}` }, admin);
    expect((await waitForEnd(queryId)).queryStatus).toBe('FINISHED');
  });

  it('runs a query whose job was lost within seconds', async () => {
    const { queryId: done } = await qCall(app, 'startQuery', { queryStatement: `SELECT count(*) AS n FROM ${store.id}` }, admin);
    expect((await waitForEnd(done)).queryStatus).toBe('FINISHED');
    const lost = await queuedWithoutJob(done);
    expect((await waitForEnd(lost)).queryStatus).toBe('FINISHED');
  });

  it('runs a query whose job failed, under an attempt-suffixed job id (BullMQ ignores a re-add of a failed job id)', async () => {
    const { queryId: done } = await qCall(app, 'startQuery', { queryStatement: `SELECT count(*) AS n FROM ${store.id}` }, admin);
    expect((await waitForEnd(done)).queryStatus).toBe('FINISHED');
    const stuck = await queuedWithoutJob(done);
    // Its plain job id is taken by a job that fails (a malformed payload) and stays in the failed set.
    // Added past JobQueues on purpose: its typed enqueue derives the id from the payload.
    const queue = app.services.outbox.jobs.queue(QUEUES.lakeQuery);
    const redis = new IORedis(app.config.redisUrl, { maxRetriesPerRequest: null });
    const raw = new Queue(QUEUES.lakeQuery, { connection: redis, prefix: app.config.redisPrefix });
    try {
      await raw.add('run', { queryId: 'not-a-query-id' }, { jobId: lakeQueryJobId(stuck), removeOnFail: { count: 100 } });
    } finally {
      await raw.close();
      redis.disconnect();
    }
    expect((await waitForEnd(stuck)).queryStatus).toBe('FINISHED');
    expect(await queue.getJobState(lakeQueryJobId(stuck))).toBe('failed');
    const { rows } = await app.db.pool.query(`SELECT enqueue_attempts FROM lake_queries WHERE id = $1`, [stuck]);
    expect(rows[0].enqueue_attempts).toBeGreaterThanOrEqual(1);
  });

  it('delivers the results of a query that FINISHED when its runner died before delivering them', async () => {
    const acct = app.admin.accountId;
    await createTrailBucket(app, admin, 'stranded-results', [acct], 'lake', [`arn:aws:cloudtrail:*:${acct}:eventdatastore/*`]);
    const { queryId } = await qCall(
      app,
      'startQuery',
      { queryStatement: `SELECT count(*) AS n FROM ${store.id}`, deliveryS3Uri: 's3://stranded-results/lake' },
      admin,
    );
    expect(await waitForDelivery(queryId)).toMatchObject({ queryStatus: 'FINISHED', deliveryStatus: 'SUCCESS' });
    // The same query as a dead runner leaves it: FINISHED, its results stored, delivery PENDING.
    const orphan = await queuedWithoutJob(queryId);
    await app.db.pool.query(
      `UPDATE lake_queries SET status = 'FINISHED', started_at = now() - interval '2 minutes', finished_at = now() - interval '1 minute',
         delivery_s3_uri = 's3://stranded-results/lake', delivery_status = 'PENDING' WHERE id = $1`,
      [orphan],
    );
    await app.db.pool.query(
      `INSERT INTO lake_query_results (account_id, query_id, batch, row_count, rows) VALUES ($1, $2, 0, 1, '[["42"]]')`,
      [acct, orphan],
    );
    const d = await waitForDelivery(orphan);
    expect(d).toMatchObject({ queryStatus: 'FINISHED', deliveryStatus: 'SUCCESS' });
    const { rows } = await app.db.pool.query(`SELECT finished_at FROM lake_queries WHERE id = $1`, [orphan]);
    const day = new Date(rows[0].finished_at).toISOString().slice(0, 10).replace(/-/g, '/');
    const csv = await app.services.storage.readServiceObject(
      'stranded-results',
      `lake/AWSLogs/${acct}/CloudTrail-Lake/Query/${day}/${orphan}/result_1.csv.gz`,
    );
    expect(gunzipSync(csv!.body).toString('utf8')).toBe('n\n42\n');
  });

  it("runs a query whose job another installation's worker took and completed without it (same Redis prefix)", async () => {
    // A second installation (its own database) whose workers share this one's Redis prefix: a
    // job of ours that its worker took used to find no such query there and complete at once.
    const other = await startTestApp({ REDIS_PREFIX: app.config.redisPrefix, LAKE_QUERY_SWEEP_SECONDS: '1' });
    await workers?.close();
    workers = undefined;
    const theirs = await startWorkers(other.services);
    try {
      const { queryId } = await qCall(app, 'startQuery', { queryStatement: `SELECT count(*) AS n FROM ${store.id}` }, admin);
      const queue = app.services.outbox.jobs.queue(QUEUES.lakeQuery);
      // Taken by the other installation's worker, which refuses it and says why.
      for (let i = 0; i < 100 && (await queue.getJobState(lakeQueryJobId(queryId))) !== 'failed'; i++)
        await new Promise((r) => setTimeout(r, 50));
      const job = await queue.getJob(lakeQueryJobId(queryId));
      expect(job?.failedReason).toMatch(/queued by another OpenTrail installation .* give each installation its own REDIS_PREFIX/);
      expect((await qCall(app, 'describeQuery', { queryId }, admin)).queryStatus).toBe('QUEUED');
      workers = await startWorkers(app.services);
      expect((await waitForEnd(queryId)).queryStatus).toBe('FINISHED');
    } finally {
      await theirs.close();
      await other.close();
    }
  });
});
