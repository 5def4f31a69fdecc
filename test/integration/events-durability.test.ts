import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { RECORD, sampleEvent } from '../helpers/events';
import { startWorkers } from '../../workers/main';
import { addDays, eventRepository, partitionName, startOfUtcDay } from '../../src/events/event.repository';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A private redis-server child process, started and stopped by the test. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('Ready to accept connections') && resolve());
    child.on('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return child;
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 200));
}

describe('durability: acknowledged events survive a Redis outage and are routed exactly once', () => {
  let app: TestApp;
  let redis: ChildProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    app = await startTestApp({ REDIS_URL: `redis://127.0.0.1:${port}`, OUTBOX_SWEEP_INTERVAL_SECONDS: '1' });
  });
  afterAll(async () => {
    await app?.close();
    if (redis) await stopRedis(redis);
  });

  it('stores and acknowledges with Redis down, then routes every outbox row once when it is back', async () => {
    const token = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
    await stopRedis(redis);

    const events = Array.from({ length: 30 }, () => sampleEvent({ eventName: 'DuringOutage' }));
    for (const batch of [events.slice(0, 15), events.slice(15), events.slice(0, 15)]) {
      const res = await app.gql(RECORD, { input: { events: batch } }, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data.recordEvents.successful).toHaveLength(15);
    }
    const stored = await app.db.pool.query(`SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM events WHERE event_name = 'DuringOutage'`);
    expect(stored.rows[0]).toEqual({ n: 30, d: 30 });
    const pending = await app.db.pool.query(`SELECT id FROM event_outbox WHERE routed_at IS NULL`);
    expect(pending.rows.length).toBeGreaterThanOrEqual(2); // two event batches (the repeat made none) + self-audit

    const routedBy = new Map<string, number>();
    app.services.outbox.routers.push({
      name: 'counting',
      async route(_client, batch) {
        routedBy.set(batch.id, (routedBy.get(batch.id) ?? 0) + 1);
      },
    });
    redis = await startRedis(port);
    const workers = await startWorkers(app.services);
    try {
      await until(async () => (await app.db.pool.query(`SELECT 1 FROM event_outbox WHERE routed_at IS NULL`)).rowCount === 0);
      // A late duplicate job finds the row routed and does nothing.
      for (const { id } of pending.rows) expect(await app.services.outbox.route(String(id))).toBe(false);
    } finally {
      await workers.close();
    }
    for (const { id } of pending.rows) expect(routedBy.get(String(id))).toBe(1);
    expect([...routedBy.values()].every((n) => n === 1)).toBe(true);
    const after = await app.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE event_name = 'DuringOutage'`);
    expect(after.rows[0].n).toBe(30);
  });

  it('retention drops partitions past the window and creates future ones', async () => {
    const ancient = new Date(Date.UTC(2001, 0, 1));
    await eventRepository.ensurePartitions(app.db.pool, ancient, ancient);
    // 2001-01-01 was a Monday: its week's partition is events_w20010101.
    expect(await eventRepository.listPartitions(app.db.pool)).toContain('events_w20010101');
    const later = addDays(new Date(), 3);
    const result = await app.services.eventRetention.run(later);
    const partitions = await eventRepository.listPartitions(app.db.pool);
    expect(result.dropped).toContain('events_w20010101');
    expect(partitions).not.toContain('events_w20010101');
    expect(partitions).toContain(partitionName(addDays(startOfUtcDay(later), app.config.partitionsAheadDays)));
    // The partition holding the oldest retained day stays; every week wholly before it is gone.
    const oldestKept = addDays(startOfUtcDay(later), -app.config.eventHistoryRetentionDays);
    expect(partitions).toContain(partitionName(oldestKept));
    expect(partitions).not.toContain(partitionName(addDays(oldestKept, -7)));
    expect(partitions.every((p) => /^events_w\d{8}$/.test(p))).toBe(true);
  });
});
