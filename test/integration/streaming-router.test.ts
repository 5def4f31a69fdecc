import { StreamingRouter } from '../../src/streaming/streaming.router';
import { QUEUES, webhookJobId } from '../../src/jobs/queues';
import { RECORD, sampleEvent } from '../helpers/events';
import { streamingCall } from '../helpers/streaming';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * The StreamingRouter writes one pending delivery and enqueues one job per (batch, rule), however
 * often the same batch is routed; rules of other regions and non-matching events are left out.
 * No workers run here: the queue shows exactly what routing produced.
 */
describe('StreamingRouter', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login(app.admin);
    const rule = (name: string, eventName: string, region?: string) =>
      streamingCall(
        app,
        'putEventRule',
        {
          input: { name, eventPattern: JSON.stringify({ detail: { eventName: [eventName] } }), webhookUrl: 'http://127.0.0.1:9/hook' },
        },
        token,
        region,
      );
    await rule('one', 'RouteMe');
    await rule('two', 'RouteMe');
    await rule('west', 'RouteMe', 'us-west-2');
    await rule('other', 'NeverRecorded');
  });
  afterAll(() => app?.close());

  it('is exactly-once per (batch, rule) across repeated routing', async () => {
    const match = sampleEvent({ eventName: 'RouteMe' });
    const result = await app.gql(RECORD, { input: { events: [match, sampleEvent({ eventName: 'Ignored' })] } }, { token });
    expect(result.data.recordEvents.failed).toEqual([]);
    const {
      rows: [outbox],
    } = await app.db.pool.query(`SELECT id::text, account_id, event_ids, event_times FROM event_outbox WHERE $1 = ANY(event_ids)`, [
      match.eventID,
    ]);
    const batch = { id: outbox.id, accountId: outbox.account_id, eventIds: outbox.event_ids, eventTimes: outbox.event_times };
    const router = app.services.outbox.routers.find((r): r is StreamingRouter => r instanceof StreamingRouter)!;
    for (let i = 0; i < 3; i++) {
      const afterCommit: Array<() => Promise<void>> = [];
      await app.db.asService((client) => router.route(client, batch, (work) => afterCommit.push(work)), { transaction: true });
      for (const work of afterCommit) await work();
    }
    const { rows } = await app.db.pool.query(
      `SELECT r.name, d.event_ids FROM webhook_deliveries d JOIN event_rules r ON r.id = d.rule_id WHERE d.outbox_id = $1 ORDER BY r.name`,
      [batch.id],
    );
    expect(rows).toEqual([
      { name: 'one', event_ids: [match.eventID] },
      { name: 'two', event_ids: [match.eventID] },
    ]);
    const { rows: rules } = await app.db.pool.query(`SELECT id, name FROM event_rules WHERE name IN ('one', 'two')`);
    const jobs = await app.services.outbox.jobs.queue(QUEUES.webhook).getJobs(['waiting', 'delayed', 'prioritized']);
    const forBatch = jobs.filter((j) => j.data.kind === 'deliver' && j.data.outboxId === batch.id);
    expect(forBatch.map((j) => j.id).sort()).toEqual(rules.map((r) => webhookJobId(r.id, batch.id)).sort());
  });

  it('announces nothing for a routing attempt that rolls back, and enqueues once it commits', async () => {
    const match = sampleEvent({ eventName: 'RouteMe' });
    const result = await app.gql(RECORD, { input: { events: [match] } }, { token });
    expect(result.data.recordEvents.failed).toEqual([]);
    const {
      rows: [outbox],
    } = await app.db.pool.query(`SELECT id::text FROM event_outbox WHERE $1 = ANY(event_ids)`, [match.eventID]);
    // No workers run here; start from an unrouted batch with nothing announced for it.
    await app.db.pool.query(`UPDATE event_outbox SET routed_at = NULL WHERE id = $1`, [outbox.id]);
    await app.db.pool.query(`DELETE FROM webhook_deliveries WHERE outbox_id = $1`, [outbox.id]);
    const queue = app.services.outbox.jobs.queue(QUEUES.webhook);
    for (const job of await queue.getJobs(['waiting', 'delayed', 'prioritized'])) if (job.data.outboxId === outbox.id) await job.remove();
    const jobsOfBatch = async () =>
      (await queue.getJobs(['waiting', 'delayed', 'prioritized'])).filter((j) => j.data.outboxId === outbox.id);

    const failing = {
      name: 'failing',
      route: async () => {
        throw new Error('destination down');
      },
    };
    app.services.outbox.routers.push(failing);
    try {
      await expect(app.services.outbox.route(outbox.id)).rejects.toThrow('destination down');
    } finally {
      app.services.outbox.routers.splice(app.services.outbox.routers.indexOf(failing), 1);
    }
    expect(await jobsOfBatch()).toEqual([]);
    const { rows: none } = await app.db.pool.query(`SELECT 1 FROM webhook_deliveries WHERE outbox_id = $1`, [outbox.id]);
    expect(none).toEqual([]);

    expect(await app.services.outbox.route(outbox.id)).toBe(true);
    expect((await jobsOfBatch()).map((j) => j.data.kind)).toEqual(['deliver', 'deliver']);
  });
});
