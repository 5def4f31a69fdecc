import { startWorkers } from '../../workers/main';
import { createStore, lakeEvent, qCall, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(300_000);

/**
 * Issue 11 §2: a Lake query cannot exhaust the memory of the process that runs it. Each row of
 * `lpad(eventName, 250000000, 'y')` is a 250 MB value; before, pg buffered each whole and
 * rendered it into a string (1.68 GB for one statement, 4.2 GB for three). The bound below is the
 * growth of this process (api and workers, as `npm start` runs them) while the statements run.
 */
const BOUND_BYTES = 150 * 2 ** 20;

describe('lake query memory bounds', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> } | undefined;
  let admin: LakeSession;
  let store: { id: string; arn: string };

  beforeAll(async () => {
    app = await startTestApp();
    workers = await startWorkers(app.services);
    admin = { token: await app.login(app.admin) };
    store = await createStore(app, admin, 'memory-store');
    await seed(
      app,
      store.id,
      app.admin.accountId,
      Array.from({ length: 10 }, (_, i) => lakeEvent({ eventID: `m-${i}` })),
    );
  });
  afterAll(async () => {
    await workers?.close();
    await app?.close();
  });

  /** Starts the statements through the API, waits for their ends through the queue, and returns the peak growth of heap + external memory. */
  const runMeasured = async (statements: string[]) => {
    global.gc?.();
    const base = process.memoryUsage();
    let peakHeap = 0;
    let peakRss = 0;
    const sample = () => {
      const m = process.memoryUsage();
      peakHeap = Math.max(peakHeap, m.heapUsed + m.external - base.heapUsed - base.external);
      peakRss = Math.max(peakRss, m.rss - base.rss);
    };
    const timer = setInterval(sample, 5);
    try {
      const ids = await Promise.all(
        statements.map((s) => qCall(app, 'startQuery', { queryStatement: s }, admin).then((r) => r.queryId as string)),
      );
      const ends = [];
      for (const queryId of ids) {
        let d = await qCall(app, 'describeQuery', { queryId }, admin);
        for (let i = 0; i < 1200 && (d.queryStatus === 'QUEUED' || d.queryStatus === 'RUNNING'); i++) {
          await new Promise((r) => setTimeout(r, 50));
          d = await qCall(app, 'describeQuery', { queryId }, admin);
        }
        ends.push(d);
      }
      sample();
      return { ends, peakHeap, peakRss };
    } finally {
      clearInterval(timer);
    }
  };

  const HUGE = () => `SELECT lpad(eventName, 250000000, 'y') AS big FROM ${store.id} LIMIT 6`;

  it('fails a statement whose rows are 250 MB each, with a clear message, without reading them', async () => {
    const { ends, peakHeap, peakRss } = await runMeasured([HUGE()]);
    expect(ends[0]).toMatchObject({
      queryStatus: 'FAILED',
      errorMessage: expect.stringMatching(/result row of \d+ bytes exceeded the limit of 4194304 bytes per row/),
    });
    expect(peakHeap).toBeLessThan(BOUND_BYTES);
    expect(peakRss).toBeLessThan(BOUND_BYTES);
  });

  it('fails three such statements at once, within the same bound', async () => {
    const { ends, peakHeap, peakRss } = await runMeasured([HUGE(), HUGE(), HUGE()]);
    for (const d of ends)
      expect(d).toMatchObject({
        queryStatus: 'FAILED',
        errorMessage: expect.stringMatching(/exceeded the limit of 4194304 bytes per row/),
      });
    expect(peakHeap).toBeLessThan(BOUND_BYTES);
    expect(peakRss).toBeLessThan(BOUND_BYTES);
    // The reader connections they broke are gone, and the reader still runs queries.
    const { queryId } = await qCall(app, 'startQuery', { queryStatement: `SELECT count(*) AS n FROM ${store.id}` }, admin);
    let d = await qCall(app, 'describeQuery', { queryId }, admin);
    for (let i = 0; i < 600 && d.queryStatus !== 'FINISHED' && d.queryStatus !== 'FAILED'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      d = await qCall(app, 'describeQuery', { queryId }, admin);
    }
    expect(d.queryStatus).toBe('FINISHED');
  });
});
