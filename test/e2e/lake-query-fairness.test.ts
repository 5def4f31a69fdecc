import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { startWorkers } from '../../workers/main';
import { createStore, lakeEvent, qCall, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(300_000);

/**
 * Issue 11 §2 (fairness): one account's heavy statements must not hold other accounts' queries in
 * the queue. The worker runs 4 queries at once; one account runs at most
 * LAKE_QUERY_MAX_RUNNING_PER_ACCOUNT (2) of them, and accounts with fewer running go first.
 */
describe('lake query fairness', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> } | undefined;
  let a: LakeSession;
  let b: LakeSession;
  let storeA: string;
  let storeB: string;

  beforeAll(async () => {
    // The heavy statements are cancelled by the test; the timeout only bounds a failed run.
    app = await startTestApp({ LAKE_QUERY_TIMEOUT_SECONDS: '120' });
    workers = await startWorkers(app.services);
    a = { token: await app.login(app.admin) };
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'fair-b@example.com'));
    b = { token: await app.login(credsB) };
    storeA = (await createStore(app, a, 'fair-a')).id;
    storeB = (await createStore(app, b, 'fair-b')).id;
    await seed(
      app,
      storeA,
      app.admin.accountId,
      Array.from({ length: 200 }, (_, i) => lakeEvent({ eventID: `fa-${i}` })),
    );
    await seed(app, storeB, credsB.accountId, [lakeEvent({ eventID: 'fb-1' }), lakeEvent({ eventID: 'fb-2' })]);
  });
  afterAll(async () => {
    await workers?.close();
    await app?.close();
  });

  const describeQ = (s: LakeSession, queryId: string) => qCall(app, 'describeQuery', { queryId }, s);
  const waitUntil = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 300; i++) {
      if (await check()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  it("runs another account's query while one account's heavy statements occupy it, and says why the rest wait", async () => {
    // 200^4 = 1.6 billion rows to count: each runs for minutes unless cancelled.
    const heavy = `SELECT count(*) AS n FROM ${storeA} w, ${storeA} x, ${storeA} y, ${storeA} z`;
    const heavyIds: string[] = [];
    for (let i = 0; i < 4; i++) heavyIds.push((await qCall(app, 'startQuery', { queryStatement: heavy }, a)).queryId);
    try {
      expect(
        await waitUntil(
          async () => (await Promise.all(heavyIds.map((id) => describeQ(a, id)))).filter((d) => d.queryStatus === 'RUNNING').length === 2,
        ),
      ).toBe(true);
      const { queryId: light } = await qCall(
        app,
        'startQuery',
        { queryStatement: `SELECT count(*) AS n FROM ${storeB} WHERE eventId LIKE 'fb-%'` },
        b,
      );
      expect(await waitUntil(async () => (await describeQ(b, light)).queryStatus === 'FINISHED')).toBe(true);
      expect((await qCall(app, 'getQueryResults', { queryId: light }, b)).queryResultRows).toEqual([[{ n: '2' }]]);

      // A's other two still wait, and describeQuery says why; running ones have no wait reason.
      const states = await Promise.all(heavyIds.map((id) => describeQ(a, id)));
      expect(states.map((d) => d.queryStatus).sort()).toEqual(['QUEUED', 'QUEUED', 'RUNNING', 'RUNNING']);
      for (const d of states) {
        if (d.queryStatus === 'QUEUED')
          expect(d.waitReason).toMatch(/^ACCOUNT_RUNNING_LIMIT: 2 queries of this account are running; at most 2/);
        else expect(d.waitReason).toBeNull();
      }

      // When A's running statements end, its queued ones run next (the runner that ends claims again).
      const running = states.filter((d) => d.queryStatus === 'RUNNING').map((d) => d.queryId);
      for (const id of running) await qCall(app, 'cancelQuery', { queryId: id }, a);
      expect(
        await waitUntil(
          async () => (await Promise.all(heavyIds.map((id) => describeQ(a, id)))).filter((d) => d.queryStatus === 'RUNNING').length === 2,
        ),
      ).toBe(true);
    } finally {
      for (const id of heavyIds) await qCall(app, 'cancelQuery', { queryId: id }, a).catch(() => undefined);
    }
  });

  it('reports WAITING_FOR_RUNNER for a query that waits only for a free runner', async () => {
    // With the runners stopped, a QUEUED query of an account that runs nothing waits for one.
    await workers?.close();
    workers = undefined;
    const { rows } = await app.db.pool.query(
      `INSERT INTO lake_queries (id, account_id, region, statement, compiled_sql, columns, event_data_store_ids, status, statistics, timeout_seconds)
       SELECT gen_random_uuid(), account_id, region, statement, compiled_sql, columns, event_data_store_ids, 'QUEUED', statistics, timeout_seconds
       FROM lake_queries WHERE account_id <> $1 LIMIT 1 RETURNING id`,
      [app.admin.accountId],
    );
    expect(await describeQ(b, rows[0].id)).toMatchObject({
      queryStatus: 'QUEUED',
      waitReason: expect.stringMatching(/^WAITING_FOR_RUNNER: /),
    });
  });
});
