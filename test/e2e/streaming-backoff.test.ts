import { startWorkers } from '../../workers/main';
import { RECORD, sampleEvent } from '../helpers/events';
import { eventually, type Receiver, startReceiver, streamingCall } from '../helpers/streaming';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * A receiver that is down (issue 12 §2): its rule goes into backoff, one delivery probes per
 * backoff step while the other queued batches wait without POSTing; when the receiver answers
 * again every waiting batch goes out, each event once.
 */
describe('streaming: a failing receiver is probed once per backoff step', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let token: string;
  let receiver: Receiver;

  beforeAll(async () => {
    app = await startTestApp({ WEBHOOK_BACKOFF_MS: '200', WEBHOOK_MAX_BACKOFF_MS: '400', OUTBOX_SWEEP_INTERVAL_SECONDS: '1' });
    workers = await startWorkers(app.services);
    token = await app.login(app.admin);
    receiver = await startReceiver();
    await streamingCall(
      app,
      'putEventRule',
      {
        input: { name: 'down', eventPattern: JSON.stringify({ detail: { eventName: [{ prefix: 'Down' }] } }), webhookUrl: receiver.url },
      },
      token,
    );
  });
  afterAll(async () => {
    await receiver?.close();
    await workers?.close();
    await app?.close();
  });

  const record = async (event: Record<string, unknown>) => {
    const result = await app.gql(RECORD, { input: { events: [event] } }, { token });
    expect(result.data.recordEvents.failed).toEqual([]);
  };
  const failures = async () => (await app.db.pool.query(`SELECT failures FROM webhook_target_states`)).rows[0]?.failures ?? 0;

  it('costs one POST per backoff step however many batches are queued, then delivers them all once', async () => {
    receiver.status = 503;
    const events = [sampleEvent({ eventName: 'DownFirst' }, 100)];
    await record(events[0]!);
    await eventually('the rule to be in backoff', async () => (await failures()) >= 1);
    // Ten more batches queue up behind the failing receiver.
    for (let i = 0; i < 10; i++) {
      events.push(sampleEvent({ eventName: `Down${i}` }, 90 - i));
      await record(events[events.length - 1]!);
    }
    await eventually('the batches to be routed', async () => (await app.db.pool.query(`SELECT 1 FROM webhook_deliveries`)).rowCount === 11);
    const requestsBefore = receiver.received.length;
    const failuresBefore = await failures();
    await eventually('four more backoff steps', async () => (await failures()) >= failuresBefore + 4, 30_000);
    const probes = receiver.received.length - requestsBefore;
    const steps = (await failures()) - failuresBefore;
    // Every POST is a probe that moved the backoff on (one more may be in flight at the count).
    expect(probes).toBeGreaterThanOrEqual(steps);
    expect(probes).toBeLessThanOrEqual(steps + 1);
    expect(await streamingCall(app, 'listDeadLetters', { input: { ruleName: 'down' } }, token)).toMatchObject({ edges: [] });

    receiver.status = 200;
    const ids = events.map((e) => String(e.eventID));
    await eventually('every event accepted', () => {
      const got = new Set(receiver.accepted().map((r) => JSON.parse(r.body).detail.eventID));
      return ids.every((id) => got.has(id));
    });
    await eventually('nothing pending', async () => (await app.db.pool.query(`SELECT 1 FROM webhook_deliveries`)).rowCount === 0);
    for (const id of ids) expect(receiver.accepted().filter((r) => JSON.parse(r.body).detail.eventID === id)).toHaveLength(1);
    expect(await failures()).toBe(0); // the backoff state is gone with the first accepted POST
  });
});
