import { streamLakeStatement } from '../../src/lake/query/lake-query.runner';
import { ResultBuffer } from '../../src/lake/query/result-buffer';
import { allRows, createStore, lakeEvent, qCall, qError, query, runStatement, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/** What bounds a Lake query's results: LAKE_QUERY_MAX_RESULT_BYTES, and memory while they are stored. */
describe('lake query result limits', () => {
  let app: TestApp;
  let admin: LakeSession;
  let store: { id: string; arn: string };

  beforeAll(async () => {
    app = await startTestApp({ LAKE_QUERY_MAX_RESULT_BYTES: '200000', LAKE_QUERY_BATCH_BYTES: '4096' });
    admin = { token: await app.login(app.admin) };
    store = await createStore(app, admin, 'store-limits');
    await seed(
      app,
      store.id,
      app.admin.accountId,
      Array.from({ length: 200 }, (_, i) => lakeEvent({ eventID: `l-${i}` })),
    );
  });
  afterAll(async () => app?.close());

  it('fails a query whose results outgrow the limit, ends its statement, and keeps the rows stored before', async () => {
    // 40,000 rows of two event ids: ~3 MB of results against a 200 KB limit.
    const { queryId, status } = await runStatement(app, admin, `SELECT a.eventId, b.eventId FROM ${store.id} a, ${store.id} b`);
    expect(status).toBe('FAILED');
    const d = await qCall(app, 'describeQuery', { queryId }, admin);
    expect(d.errorMessage).toMatch(/exceeded the limit of 200000 bytes/);
    const kept = await allRows(app, admin, queryId);
    expect(kept.length).toBeLessThan(40_000);
    const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [
      `lake-query:${queryId}`,
    ]);
    expect(rows[0].n).toBe(0);
    // Queries under the limit still run on the reader pool.
    expect(await query(app, admin, `SELECT count(*) FROM ${store.id}`)).toEqual([[{ _col0: '200' }]]);
  });

  it('stores nothing after a batch that failed to store, so stored batches never have a gap', async () => {
    const client = await app.db.pool.connect();
    const seen: number[] = [];
    let broken: Error | undefined;
    try {
      const run = streamLakeStatement(client, `SELECT g FROM generate_series(1, 10000) g`, async (batch) => {
        seen.push(batch);
        if (batch === 1) throw new Error('the results table refused batch 1');
      });
      await expect(run).rejects.toThrow('the results table refused batch 1');
      expect(seen).toEqual([0, 1]);
      broken = new Error('statement ended');
    } finally {
      client.release(broken);
    }
  });

  it('stops reading from PostgreSQL while result batches wait to be stored', async () => {
    const client = await app.db.pool.connect();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let stored = 0;
    try {
      const pid = (client as unknown as { processID: number }).processID;
      // ~200 MB of rows: without backpressure they would all be read into memory at once.
      const run = streamLakeStatement(client, `SELECT g, repeat('x', 1000) FROM generate_series(1, 200000) g`, async () => {
        await gate;
        stored++;
      });
      // Unthrottled, the client reads all rows within a second or two and the statement ends
      // (state idle); held back, it stays active, waiting to write to the client.
      let activity: { state: string; wait_event: string | null } | undefined;
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setTimeout(r, 100));
        activity = (await app.db.pool.query(`SELECT state, wait_event FROM pg_stat_activity WHERE pid = $1`, [pid])).rows[0];
        if (activity?.state !== 'active') break;
      }
      expect(activity).toEqual({ state: 'active', wait_event: 'ClientWrite' });
      expect(stored).toBe(0);
      release();
      await run;
      expect(stored).toBe(200);
    } finally {
      release();
      client.release();
    }
  });

  it('stores a batch once it holds LAKE_QUERY_BATCH_BYTES, and pages through batches of any size', async () => {
    // 5000 rows of ~7 bytes: batches of ~585 rows under the 4096-byte cap, not 1000.
    const { queryId, status } = await runStatement(app, admin, `SELECT a.eventId FROM ${store.id} a, ${store.id} b LIMIT 5000`);
    expect(status).toBe('FINISHED');
    const { rows } = await app.db.pool.query(
      `SELECT max(row_count)::int AS most, count(*)::int AS batches FROM lake_query_results WHERE query_id = $1`,
      [queryId],
    );
    expect(rows[0].most).toBeLessThan(1000);
    expect(rows[0].batches).toBeGreaterThan(5);
    const byThousand = await allRows(app, admin, queryId, 1000);
    expect(byThousand).toHaveLength(5000);
    expect(await allRows(app, admin, queryId, 333)).toEqual(byThousand);
    expect((await qCall(app, 'getQueryResults', { queryId, maxQueryResults: 1000 }, admin)).queryStatistics.totalResultsCount).toBe(5000);
  });

  it('keeps the unstored result bytes of concurrent statements within the process-wide budget', async () => {
    let peak = 0;
    const budget = new (class extends ResultBuffer {
      override take(bytes: number): void {
        super.take(bytes);
        peak = Math.max(peak, this.bytes);
      }
    })(64 * 1024);
    const clients = [await app.db.pool.connect(), await app.db.pool.connect()];
    const stored = [0, 0];
    try {
      // Two statements of 2000 rows of 1000 bytes (2 MB each), stored slowly.
      await Promise.all(
        clients.map((client, i) =>
          streamLakeStatement(
            client,
            `SELECT g, repeat('x', 1000) FROM generate_series(1, 2000) g`,
            async (_b, rows) => {
              await new Promise((r) => setTimeout(r, 5));
              stored[i] += rows.length;
            },
            { buffer: budget, maxRowBytes: 4096, batchBytes: 1024 * 1024 },
          ),
        ),
      );
    } finally {
      for (const c of clients) c.release();
    }
    expect(stored).toEqual([2000, 2000]);
    // Past the budget a runner stores what it holds and pauses; rows already in the socket chunk
    // being parsed still arrive (at most one chunk, 64 KB, per statement).
    expect(peak).toBeLessThan(64 * 1024 + 2 * 70 * 1024);
    expect(budget.bytes).toBe(0);
  });

  it('refuses a NUL, other control characters and an over-long deliveryS3Uri with a validation error, storing nothing', async () => {
    const before = (await app.db.pool.query(`SELECT count(*)::int AS n FROM lake_queries`)).rows[0].n;
    const statement = `SELECT eventId FROM ${store.id}`;
    for (const uri of [
      's3://bucket/pre\u0000fix',
      's3://bucket\u0000',
      's3://bucket/a\nb',
      's3://bucket/\u007f',
      `s3://bucket/${'p'.repeat(1100)}`,
    ]) {
      const err = await qError(app, 'startQuery', { queryStatement: statement, deliveryS3Uri: uri }, admin);
      expect(err.code).toBe('InvalidS3PrefixException');
      expect(err.message).toMatch(/control characters|at most 1024/);
    }
    expect((await app.db.pool.query(`SELECT count(*)::int AS n FROM lake_queries`)).rows[0].n).toBe(before);
  });
});
