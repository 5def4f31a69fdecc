import { StreamingRouter } from '../../src/streaming/streaming.router';
import { webhookJobId } from '../../src/streaming/webhook-jobs';
import { QUEUES } from '../../workers/queues';
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
    const rule = (name: string, eventName: string, region?: string) => streamingCall(app, 'putEventRule', {
      input: { name, eventPattern: JSON.stringify({ detail: { eventName: [eventName] } }), webhookUrl: 'http://127.0.0.1:9/hook' },
    }, token, region);
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
    const { rows: [outbox] } = await app.db.pool.query(
      `SELECT id::text, account_id, event_ids, event_times FROM event_outbox WHERE $1 = ANY(event_ids)`, [match.eventID]);
    const batch = { id: outbox.id, accountId: outbox.account_id, eventIds: outbox.event_ids, eventTimes: outbox.event_times };
    const router = app.services.outbox.routers.find((r): r is StreamingRouter => r instanceof StreamingRouter)!;
    for (let i = 0; i < 3; i++) {
      await app.db.asService((client) => router.route(client, batch), { transaction: true });
    }
    const { rows } = await app.db.pool.query(
      `SELECT r.name, d.event_ids FROM webhook_deliveries d JOIN event_rules r ON r.id = d.rule_id WHERE d.outbox_id = $1 ORDER BY r.name`, [batch.id]);
    expect(rows).toEqual([{ name: 'one', event_ids: [match.eventID] }, { name: 'two', event_ids: [match.eventID] }]);
    const { rows: rules } = await app.db.pool.query(`SELECT id, name FROM event_rules WHERE name IN ('one', 'two')`);
    const jobs = await app.services.outbox.queue(QUEUES.webhook).getJobs(['waiting', 'delayed', 'prioritized']);
    const forBatch = jobs.filter((j) => j.data.kind === 'deliver' && j.data.outboxId === batch.id);
    expect(forBatch.map((j) => j.id).sort()).toEqual(rules.map((r) => webhookJobId(r.id, batch.id)).sort());
  });
});
