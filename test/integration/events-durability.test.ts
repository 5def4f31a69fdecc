import { startTestApp, type TestApp } from '../helpers/test-app';
import { RECORD, sampleEvent } from '../helpers/events';
import { startWorkers } from '../../workers/main';
import { addDays, eventRepository, partitionName, startOfUtcDay } from '../../src/events/event.repository';
import { freePort, PrivateRedis } from '../../bench/lib/servers';

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 200));
}

describe('durability: acknowledged events survive a Redis outage and are routed exactly once', () => {
  let app: TestApp;
  let redis: PrivateRedis;

  beforeAll(async () => {
    redis = new PrivateRedis(await freePort());
    await redis.start();
    app = await startTestApp({ REDIS_URL: redis.url, OUTBOX_SWEEP_INTERVAL_SECONDS: '1' });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.kill();
  });

  it('stores and acknowledges with Redis down, then routes every outbox row once when it is back', async () => {
    const token = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
    await redis.kill();

    const events = Array.from({ length: 30 }, () => sampleEvent({ eventName: 'DuringOutage' }));
    for (const batch of [events.slice(0, 15), events.slice(15), events.slice(0, 15)]) {
      const res = await app.gql(RECORD, { input: { events: batch } }, { token });
      expect(res.errors).toBeUndefined();
      expect(res.data.recordEvents.successful).toHaveLength(15);
    }
    const stored = await app.db.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM events WHERE event_name = 'DuringOutage'`,
    );
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
    await redis.start();
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
