import { encodePageToken } from '../../src/common/page-token';
import { DELIVERY_ID_HEADER, SIGNATURE_HEADER, verifySignature } from '../../src/common/webhooks/webhook-sender';
import { QUEUES } from '../../src/jobs/queues';
import { startWorkers } from '../../workers/main';
import { RECORD, sampleEvent } from '../helpers/events';
import { eventually, type Receiver, startReceiver, streamingCall, streamingFails } from '../helpers/streaming';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * A failing receiver: retries with backoff, dead letters after the last attempt, redrive once the
 * receiver recovers; and no event is ever sent twice in the normal path, even when the outbox
 * sweeper re-enqueues a batch that is being routed.
 */
describe('streaming: retries, dead letters and redrive', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> } | null = null;
  let token: string;
  let receiver: Receiver;
  let secret: string;

  beforeAll(async () => {
    app = await startTestApp({ WEBHOOK_BACKOFF_MS: '50', WEBHOOK_MAX_ATTEMPTS: '3', OUTBOX_SWEEP_INTERVAL_SECONDS: '1' });
    workers = await startWorkers(app.services);
    token = await app.login(app.admin);
    receiver = await startReceiver();
    const rule = await streamingCall(
      app,
      'putEventRule',
      {
        input: { name: 'flaky', eventPattern: JSON.stringify({ detail: { eventName: [{ prefix: 'Flaky' }] } }), webhookUrl: receiver.url },
      },
      token,
    );
    secret = rule.signingSecret;
  });
  afterAll(async () => {
    await receiver?.close();
    await workers?.close();
    await app?.close();
  });

  const record = async (events: Array<Record<string, unknown>>) => {
    const result = await app.gql(RECORD, { input: { events } }, { token });
    expect(result.data.recordEvents.failed).toEqual([]);
  };
  const forEvent = (eventId: string) => receiver.received.filter((r) => JSON.parse(r.body).detail?.eventID === eventId);
  const deadLetters = async () =>
    (await streamingCall(app, 'listDeadLetters', { input: { ruleName: 'flaky' }, first: 50 }, token)).edges.map((e: any) => e.node);
  /** Every batch routed and every pending delivery finished (sent or dead-lettered). */
  const settled = async () =>
    (await app.db.pool.query(`SELECT 1 FROM event_outbox WHERE routed_at IS NULL`)).rowCount === 0 &&
    (await app.db.pool.query(`SELECT 1 FROM webhook_deliveries`)).rowCount === 0;

  it('retries with backoff, then dead-letters the events with the last error and attempts', async () => {
    receiver.status = 500;
    const first = sampleEvent({ eventName: 'FlakyOne' }, 90);
    const second = sampleEvent({ eventName: 'FlakyTwo' }, 80);
    await record([first, second]);
    await eventually('two dead letters', async () => (await deadLetters()).length === 2);
    // Three attempts, each stopping at the first (failed) event, with the same delivery id.
    const attempts = forEvent(String(first.eventID));
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers[DELIVERY_ID_HEADER])).size).toBe(1);
    expect(forEvent(String(second.eventID))).toHaveLength(0);
    // Backoff doubles from WEBHOOK_BACKOFF_MS (50 ms) with equal jitter (half of it random): the
    // gaps are at least 25 and 50 ms.
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(25);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(50);
    const letters = await deadLetters();
    expect(letters.map((l: any) => l.eventId).sort()).toEqual([first.eventID, second.eventID].sort());
    for (const letter of letters) {
      expect(letter).toMatchObject({ lastError: 'HTTP 500', attempts: 3 });
      const envelope = JSON.parse(letter.envelope);
      expect(envelope).toMatchObject({ 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', account: app.admin.accountId });
      expect(envelope.detail.eventID).toBe(letter.eventId);
    }
    await eventually('every delivery to be finished', settled);
  });

  it('keeps the receiver in backoff in Postgres (not in BullMQ attempts) until it accepts again', async () => {
    const jobs = await app.services.outbox.jobs.queue(QUEUES.webhook).getJobs(['completed']);
    const deadLettering = jobs.find((j) => j.returnvalue?.deadLettered === 2);
    expect(deadLettering).toBeDefined();
    // The failed POSTs delayed the same job (three runs); none of them used a BullMQ attempt.
    expect(deadLettering!.attemptsStarted).toBeGreaterThanOrEqual(3);
    expect(deadLettering!.attemptsMade).toBeLessThanOrEqual(1);
    const { rows } = await app.db.pool.query(`SELECT failures, last_error FROM webhook_target_states`);
    expect(rows).toEqual([{ failures: 3, last_error: 'HTTP 500' }]);
  });

  it('tells the tenant "Connection failed", never the socket error code (no port scanning)', async () => {
    const closed = await startReceiver();
    await closed.close(); // nothing listens on its port any more: ECONNREFUSED, for the server log only
    await streamingCall(
      app,
      'putEventRule',
      {
        input: { name: 'closed', eventPattern: JSON.stringify({ detail: { eventName: ['ClosedPort'] } }), webhookUrl: closed.url },
      },
      token,
    );
    await record([sampleEvent({ eventName: 'ClosedPort' }, 85)]);
    const letters = await eventually('the dead letter', async () => {
      const page = await streamingCall(app, 'listDeadLetters', { input: { ruleName: 'closed' } }, token);
      return page.edges.length === 1 ? page.edges.map((e: any) => e.node) : null;
    });
    expect(letters[0]).toMatchObject({ lastError: 'Connection failed', attempts: 3 });
    const {
      rows: [closedRule],
    } = await app.db.pool.query(`SELECT id FROM event_rules WHERE name = 'closed'`);
    expect((await app.db.pool.query(`SELECT last_error FROM webhook_target_states WHERE rule_id = $1`, [closedRule.id])).rows).toEqual([
      { last_error: 'Connection failed' },
    ]);
    await streamingCall(app, 'deleteEventRule', { name: 'closed' }, token);
    // The deleted rule's backoff state goes with the next sweep.
    await app.services.webhookDelivery.sweep();
    expect((await app.db.pool.query(`SELECT 1 FROM webhook_target_states WHERE rule_id = $1`, [closedRule.id])).rowCount).toBe(0);
  });

  it('pages dead letters with an opaque cursor', async () => {
    const page1 = await streamingCall(app, 'listDeadLetters', { input: { ruleName: 'flaky' }, first: 1 }, token);
    expect(page1.edges).toHaveLength(1);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = await streamingCall(
      app,
      'listDeadLetters',
      { input: { ruleName: 'flaky' }, first: 1, after: page1.pageInfo.endCursor },
      token,
    );
    expect(page2.edges).toHaveLength(1);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(page2.edges[0].node.id).not.toBe(page1.edges[0].node.id);
    expect((await streamingFails(app, 'listDeadLetters', { input: { ruleName: 'flaky' }, after: 'garbage' }, token)).code).toBe(
      'InvalidNextTokenException',
    );
    const forged = encodePageToken('yesterday|not-a-uuid');
    expect((await streamingFails(app, 'listDeadLetters', { input: { ruleName: 'flaky' }, after: forged }, token)).code).toBe(
      'InvalidNextTokenException',
    );
    expect((await streamingFails(app, 'listDeadLetters', { input: { ruleName: 'nope' } }, token)).code).toBe('ResourceNotFoundException');
  });

  it('redrives once the receiver recovers: delivered once each, dead letters removed', async () => {
    receiver.status = 200;
    const before = receiver.accepted().length;
    const letters = await deadLetters();
    const { queued } = await streamingCall(app, 'redriveDeadLetters', { input: { ruleName: 'flaky' } }, token);
    expect(queued).toBe(2);
    await eventually('the dead letters to be gone', async () => (await deadLetters()).length === 0);
    const redriven = receiver.accepted().slice(before);
    expect(redriven).toHaveLength(2);
    for (const delivery of redriven) {
      expect(verifySignature({ secret, body: delivery.body, header: delivery.headers[SIGNATURE_HEADER] as string })).toBe(true);
      const letter = letters.find((l: any) => l.eventId === JSON.parse(delivery.body).detail.eventID);
      expect(JSON.parse(delivery.body)).toEqual(JSON.parse(letter.envelope));
    }
    expect((await streamingCall(app, 'redriveDeadLetters', { input: { ruleName: 'flaky' } }, token)).queued).toBe(0);
    expect((await streamingFails(app, 'redriveDeadLetters', { input: { ruleName: 'flaky', ids: ['not-a-uuid'] } }, token)).code).toBe(
      'InvalidParameterException',
    );
  });

  it('sends each event once even when the outbox sweeper re-enqueues a batch still being routed', async () => {
    // Workers down: the batch stays unrouted with its aggregation job waiting in Redis.
    await workers!.close();
    workers = null;
    const events = Array.from({ length: 5 }, (_, i) => sampleEvent({ eventName: `FlakyOnce${i}` }, 70 - i));
    await record(events);
    // Old enough for the sweeper (grace period elapsed), which enqueues a second aggregation job.
    await app.db.pool.query(
      `UPDATE event_outbox SET created_at = created_at - interval '1 minute', enqueued_at = enqueued_at - interval '1 minute' WHERE routed_at IS NULL`,
    );
    expect(await app.services.outbox.sweep()).toBeGreaterThan(0);
    const aggregation = await app.services.outbox.jobs.queue(QUEUES.aggregation).getJobCounts('waiting', 'prioritized', 'delayed');
    expect(aggregation.waiting + aggregation.prioritized + aggregation.delayed).toBeGreaterThanOrEqual(2);
    workers = await startWorkers(app.services);
    await eventually('all five events at the receiver', () => events.every((e) => forEvent(String(e.eventID)).length > 0));
    await eventually('routing and delivery to finish', settled);
    await eventually('the aggregation queue to drain', async () => {
      const c = await app.services.outbox.jobs.queue(QUEUES.aggregation).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return c.waiting + c.active + c.delayed + c.prioritized === 0;
    });
    for (const e of events) expect(forEvent(String(e.eventID))).toHaveLength(1);
    // Routing the same outbox rows again is a no-op.
    const { rows } = await app.db.pool.query(`SELECT id FROM event_outbox`);
    for (const r of rows) expect(await app.services.outbox.route(String(r.id))).toBe(false);
    // Events arrive in event order within the batch.
    const order = receiver
      .accepted()
      .map((r) => JSON.parse(r.body).detail.eventName)
      .filter((n: string) => n.startsWith('FlakyOnce'));
    expect(order).toEqual(events.map((e) => e.eventName));
  });
});
