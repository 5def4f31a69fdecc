import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DELIVERY_ID_HEADER } from '../../src/common/webhooks/webhook-sender';
import { QUEUES } from '../../src/jobs/queues';
import { killProcess, type ChildApp } from '../../bench/lib/app-process';
import { requireCompiledChild, startDeliveryChild } from '../helpers/delivery-process';
import { RECORD, sampleEvent } from '../helpers/events';
import { eventually, streamingCall } from '../helpers/streaming';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * A receiver that answers 200, or, once `hold()` is called, keeps every new request unanswered
 * (the POSTs in flight when the worker dies).
 */
async function startHoldingReceiver() {
  const requests: Array<{ eventId: string; deliveryId: string; answered: boolean }> = [];
  const held: http.ServerResponse[] = [];
  let holding = false;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        eventId: JSON.parse(Buffer.concat(chunks).toString('utf8')).detail.eventID as string,
        deliveryId: String(req.headers[DELIVERY_ID_HEADER]),
        answered: !holding,
      };
      requests.push(entry);
      if (holding) held.push(res);
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    requests,
    held,
    hold: () => (holding = true),
    answer: () => {
      holding = false;
      for (const res of held.splice(0)) res.destroy();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * kill -9 of the worker process in the middle of webhook delivery (issue 12 §2): progress is
 * committed after every accepted POST, so the restarted worker resends at most the POSTs that were
 * in flight, never an event the receiver had accepted.
 */
describe('webhooks: a worker killed mid-delivery resends at most the POSTs in flight', () => {
  let app: TestApp;
  let receiver: Awaited<ReturnType<typeof startHoldingReceiver>>;
  let worker: ChildApp | null = null;
  let ruleId: string;
  const events: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    requireCompiledChild();
    app = await startTestApp({ OUTBOX_SWEEP_INTERVAL_SECONDS: '1' });
    receiver = await startHoldingReceiver();
    const token = await app.login(app.admin);
    await streamingCall(
      app,
      'putEventRule',
      {
        input: { name: 'crash', eventPattern: JSON.stringify({ detail: { eventName: [{ prefix: 'Crash' }] } }), webhookUrl: receiver.url },
      },
      token,
    );
    ruleId = (await app.db.pool.query(`SELECT id FROM event_rules WHERE name = 'crash'`)).rows[0].id;
    // Eight batches of 60: several deliveries run side by side, each with many events to go.
    for (let b = 0; b < 8; b++) {
      const batch = Array.from({ length: 60 }, (_, i) => sampleEvent({ eventName: `Crash${b}x${i}` }, 600 - b * 60 - i));
      const result = await app.gql(RECORD, { input: { events: batch } }, { token });
      expect(result.data.recordEvents.failed).toEqual([]);
      events.push(...batch);
    }
  });

  afterAll(async () => {
    if (worker) await killProcess(worker.child);
    await receiver?.close();
    await app?.close();
  });

  const workerEnv = { WEBHOOK_ALLOWED_HOSTS: '*,127.0.0.1', WEBHOOK_BACKOFF_MS: '100' };

  it('counts duplicates at a real receiver: no accepted event twice, resends ≤ POSTs in flight', async () => {
    worker = await startDeliveryChild(app.config, workerEnv);
    await eventually('a good part of the events delivered', () => receiver.requests.length >= 150, 60_000);
    receiver.hold();
    // Every running delivery ends up waiting on one unanswered POST (its progress so far committed).
    let last = -1;
    await eventually(
      'the deliveries in flight to settle',
      async () => {
        const now = receiver.held.length;
        const stable = now > 0 && now === last;
        last = now;
        await new Promise((r) => setTimeout(r, 1500));
        return stable;
      },
      60_000,
    );
    const inFlight = receiver.held.length;
    await killProcess(worker.child);
    worker = null;
    receiver.answer();

    worker = await startDeliveryChild(app.config, workerEnv);
    const accepted = () => new Set(receiver.requests.filter((r) => r.answered).map((r) => r.eventId));
    await eventually('every event accepted', () => accepted().size === events.length, 120_000);
    await eventually(
      'no delivery pending',
      async () => (await app.db.pool.query(`SELECT 1 FROM webhook_deliveries`)).rowCount === 0,
      60_000,
    );

    const byEvent = new Map<string, typeof receiver.requests>();
    for (const r of receiver.requests) byEvent.set(r.eventId, [...(byEvent.get(r.eventId) ?? []), r]);
    expect(byEvent.size).toBe(events.length);
    let resent = 0;
    for (const [eventId, got] of byEvent) {
      // Accepted exactly once; any resend is of a POST that was never answered.
      expect(got.filter((r) => r.answered)).toHaveLength(1);
      resent += got.length - 1;
      // The delivery id is the same on every send, for receivers that de-duplicate.
      expect(new Set(got.map((r) => r.deliveryId))).toEqual(new Set([`${ruleId}:${eventId}`]));
    }
    expect(inFlight).toBeGreaterThan(0);
    expect(resent).toBeLessThanOrEqual(inFlight);
    // The killed run's jobs came back through BullMQ's stalled-job check (seconds), not the sweep.
    const jobs = await app.services.outbox.jobs.queue(QUEUES.webhook).getJobs(['completed']);
    expect(jobs.some((j) => j.stalledCounter > 0)).toBe(true);
    // Each phase above has its own deadline; the test's is their sum, not jest's default minute.
  }, 360_000);
});
