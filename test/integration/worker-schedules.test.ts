import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { QUEUES } from '../../src/jobs/queues';
import { startWorkers } from '../../workers/main';
import { flushRedisPrefix, startTestApp, type TestApp } from '../helpers/test-app';

describe('periodic job schedules', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let redis: IORedis;

  beforeAll(async () => {
    app = await startTestApp();
    redis = new IORedis(app.config.redisUrl, { maxRetriesPerRequest: null });
    workers = await startWorkers(app.services, { scheduleReassertMs: 300 });
  });
  afterAll(async () => {
    await workers?.close();
    redis?.disconnect();
    await app?.close();
  });

  async function schedulerIds(): Promise<string[]> {
    const queue = new Queue(QUEUES.retention, { connection: redis, prefix: app.config.redisPrefix });
    try {
      return (await queue.getJobSchedulers()).map((s) => s.key);
    } finally {
      await queue.close();
    }
  }

  it('come back after Redis loses its data while the workers run', async () => {
    expect(await schedulerIds()).toContain(QUEUES.retention);
    await flushRedisPrefix(app.config.redisUrl, app.config.redisPrefix);
    const deadline = Date.now() + 20_000;
    let ids: string[] = [];
    while (Date.now() < deadline) {
      ids = await schedulerIds();
      if (ids.includes(QUEUES.retention)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ids).toContain(QUEUES.retention);
  });
});
