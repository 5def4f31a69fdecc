import fs from 'node:fs';
import IORedis from 'ioredis';
import { JobQueues } from '../../src/jobs/job-queues';
import { QUEUES } from '../../src/jobs/queues';
import { flushRedisPrefix, testConfig } from '../helpers/test-app';

/**
 * JobQueues over real Redis: each kind of job lands under the id its single-flight or
 * exactly-once rule depends on, with its queue's retry and retention options.
 */
describe('JobQueues', () => {
  const config = testConfig({ WEBHOOK_BACKOFF_MS: '250', DELIVERY_INTERVAL_SECONDS: '1' });
  let redis: IORedis;
  let jobs: JobQueues;

  beforeAll(() => {
    redis = new IORedis(config.redisUrl, { maxRetriesPerRequest: null });
    jobs = new JobQueues(redis, config, config);
  });
  afterAll(async () => {
    await jobs.close();
    await flushRedisPrefix(config.redisUrl, config.redisPrefix);
    redis.disconnect();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  const ids = async (queue: (typeof QUEUES)[keyof typeof QUEUES]) =>
    (await jobs.queue(queue).getJobs(['waiting', 'delayed', 'prioritized'])).map((j) => j.id).sort();

  it('adds outbox jobs under outbox-<id>, and a sweep re-add under outbox-<id>-<attempt>', async () => {
    await jobs.enqueueBulk(QUEUES.aggregation, 'aggregation', [{ data: { outboxId: '41' } }, { data: { outboxId: '42' } }]);
    await jobs.enqueueBulk(QUEUES.aggregation, 'aggregation', [{ data: { outboxId: '41' }, attempt: 3 }]);
    expect(await ids(QUEUES.aggregation)).toEqual(['outbox-41', 'outbox-41-3', 'outbox-42']);
    const job = await jobs.queue(QUEUES.aggregation).getJob('outbox-42');
    expect(job?.name).toBe('aggregation');
    expect(job?.data).toEqual({ outboxId: '42' });
    expect(job?.opts).toMatchObject({
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
  });

  it('ignores a second add of the same id (single-flight per group)', async () => {
    const group = { trailId: 't1', accountId: '123456789012', region: 'us-east-1' };
    await jobs.enqueueBulk(QUEUES.delivery, 'deliver-group', [{ data: group }, { data: { ...group, kind: 'CloudTrail-Insight' } }]);
    await jobs.enqueueBulk(QUEUES.delivery, 'deliver-group', [{ data: group }]);
    expect(await ids(QUEUES.delivery)).toEqual(['deliver-t1-123456789012-us-east-1', 'deliver-t1-123456789012-us-east-1-insight']);
    const job = await jobs.queue(QUEUES.delivery).getJob('deliver-t1-123456789012-us-east-1');
    // The backoff follows DELIVERY_INTERVAL_SECONDS, capped at one second.
    expect(job?.opts).toMatchObject({
      attempts: 6,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: true,
      removeOnFail: true,
    });
  });

  it('adds webhook deliveries per (rule, batch) and each redrive as its own job', async () => {
    await jobs.enqueue(QUEUES.webhook, 'deliver', { kind: 'deliver', ruleId: 'r1', outboxId: '7' });
    await jobs.enqueue(QUEUES.webhook, 'deliver', { kind: 'deliver', ruleId: 'r1', outboxId: '7' });
    await jobs.enqueue(QUEUES.webhook, 'redrive', { kind: 'redrive', ruleId: 'r1', deadLetterIds: ['a'] });
    await jobs.enqueue(QUEUES.webhook, 'redrive', { kind: 'redrive', ruleId: 'r1', deadLetterIds: ['a'] });
    const all = await ids(QUEUES.webhook);
    expect(all.filter((id) => id === 'webhook-r1-7')).toHaveLength(1);
    expect(all.filter((id) => /^redrive-r1-\d+-[\w-]+$/.test(id!))).toHaveLength(2);
    const job = await jobs.queue(QUEUES.webhook).getJob('webhook-r1-7');
    expect(job?.opts).toMatchObject({
      attempts: 12,
      backoff: { type: 'exponential', delay: 250 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
  });

  it('adds digest, Insights, Lake import and Lake query jobs under their ids', async () => {
    await jobs.enqueueBulk(QUEUES.digest, 'digest-chain', [{ data: { trailId: 't1', accountId: '123456789012', region: 'eu-west-1' } }]);
    await jobs.enqueueBulk(QUEUES.insights, 'analyze-region', [{ data: { accountId: '123456789012', region: 'eu-west-1' } }]);
    await jobs.enqueue(QUEUES.lakeImport, 'run', { importId: 'imp-1' });
    await jobs.enqueue(QUEUES.lakeQuery, 'run', { queryId: 'q-1', installation: 'inst' });
    await jobs.enqueue(QUEUES.lakeQuery, 'run', { queryId: 'q-1', installation: 'inst' }, 2);
    expect(await ids(QUEUES.digest)).toEqual(['digest-t1-123456789012-eu-west-1']);
    expect(await ids(QUEUES.insights)).toEqual(['insights-123456789012-eu-west-1']);
    expect(await ids(QUEUES.lakeImport)).toEqual(['lake-import-imp-1']);
    expect(await ids(QUEUES.lakeQuery)).toEqual(['lake-query-q-1', 'lake-query-q-1-2']);
    expect((await jobs.queue(QUEUES.digest).getJob('digest-t1-123456789012-eu-west-1'))?.opts).toMatchObject({
      attempts: 6,
      removeOnComplete: true,
      removeOnFail: true,
    });
    expect((await jobs.queue(QUEUES.insights).getJob('insights-123456789012-eu-west-1'))?.opts).toMatchObject({
      attempts: 3,
      removeOnComplete: true,
      removeOnFail: true,
    });
    const query = await jobs.queue(QUEUES.lakeQuery).getJob('lake-query-q-1-2');
    expect(query?.name).toBe('run');
    expect(query?.data).toEqual({ queryId: 'q-1', installation: 'inst' });
    expect(query?.opts).toMatchObject({ removeOnComplete: true, removeOnFail: { count: 100 } });
  });
});
