import { streamLakeStatement } from '../../src/lake/query/lake-query.runner';
import { allRows, createStore, lakeEvent, qCall, query, runStatement, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/** What bounds a Lake query's results: LAKE_QUERY_MAX_RESULT_BYTES, and memory while they are stored. */
describe('lake query result limits', () => {
  let app: TestApp;
  let admin: LakeSession;
  let store: { id: string; arn: string };

  beforeAll(async () => {
    app = await startTestApp({ LAKE_QUERY_MAX_RESULT_BYTES: '200000' });
    admin = { token: await app.login(app.admin) };
    store = await createStore(app, admin, 'store-limits');
    await seed(app, store.id, app.admin.accountId, Array.from({ length: 200 }, (_, i) => lakeEvent({ eventID: `l-${i}` })));
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
    const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [`lake-query:${queryId}`]);
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
});
