import { startWorkers } from '../../workers/main';
import { createStore, lakeEvent, qCall, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/** The lake-query queue end to end: startQuery enqueues, the real worker runs it. */
describe('lake-query worker', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> } | undefined;

  beforeAll(async () => {
    app = await startTestApp();
    workers = await startWorkers(app.services);
  });
  afterAll(async () => {
    await workers?.close();
    await app?.close();
  });

  // (the store also receives the self-audit events of these calls, routed by the workers)
  it('runs a started query to FINISHED through the queue', async () => {
    const admin: LakeSession = { token: await app.login(app.admin) };
    const store = await createStore(app, admin, 'worker-store');
    await seed(app, store.id, app.admin.accountId, [lakeEvent({ eventID: 'w-1' }), lakeEvent({ eventID: 'w-2' })]);
    const { queryId } = await qCall(
      app,
      'startQuery',
      { queryStatement: `SELECT eventId FROM ${store.id} WHERE eventId LIKE 'w-%' ORDER BY eventId` },
      admin,
    );
    let status = 'QUEUED';
    for (let i = 0; i < 200 && (status === 'QUEUED' || status === 'RUNNING'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await qCall(app, 'describeQuery', { queryId }, admin)).queryStatus;
    }
    expect(status).toBe('FINISHED');
    const page = await qCall(app, 'getQueryResults', { queryId }, admin);
    expect(page.queryResultRows).toEqual([[{ eventId: 'w-1' }], [{ eventId: 'w-2' }]]);
  });
});
