import 'reflect-metadata';
import { Queue, Worker } from 'bullmq';
import type { Config } from '../src/config';
import { createRedis, queuePrefix, type RedisConnection } from '../src/common/redis-client';
import { loadConfigOrExit, openDatabase, rootLogger } from '../src/app/boot';
import { closeServices, createServices, type Services } from '../src/app/services';
import { checkMasterKey } from '../src/crypto/master-key-check';
import { createMetrics } from '../src/observability/metrics';
import { logProcessFailures, startFailure } from '../src/observability/process-failures';
import { errorSummary, repeatedLogFor } from '../src/observability/repeated-log';
import { aggregationWorker } from './aggregation.worker';
import { deliveryWorker } from './delivery.worker';
import { insightsWorker } from './insights.worker';
import { kmsKeyDeletionWorker } from './kms-key-deletion.worker';
import { digestWorker } from './digest.worker';
import { outboxSweepWorker } from './outbox-sweep.worker';
import { QUEUES, type QueueName, type TickQueue, WORKER_SETTINGS } from '../src/jobs/queues';
import { checkHandlers, handle, type Handler } from './handler-registry';
import { retentionWorker } from './retention.worker';
import { webhookSweepWorker } from './webhook-sweep.worker';
import { webhookWorker } from './webhook.worker';
import { lakeImportWorker } from './lake-import.worker';
import { lakeRetentionWorker } from './lake-retention.worker';
import { lakeQuerySweepWorker, lakeQueryWorker } from './lake-query.worker';
import { dashboardRefreshWorker } from './dashboard-refresh.worker';
import { DASHBOARD_TICK_SECONDS } from '../src/lake/dashboards/dashboard.service';

/** Every handler, by queue; checked against QUEUES at boot. */
function handlers(services: Services): Array<[QueueName, Handler]> {
  return [
    handle(QUEUES.aggregation, aggregationWorker(services)),
    handle(QUEUES.outboxSweep, outboxSweepWorker(services)),
    handle(QUEUES.retention, retentionWorker(services)),
    handle(QUEUES.delivery, deliveryWorker(services)),
    handle(QUEUES.webhook, webhookWorker(services)),
    handle(QUEUES.webhookSweep, webhookSweepWorker(services)),
    handle(QUEUES.insights, insightsWorker(services)),
    handle(QUEUES.kmsKeyDeletion, kmsKeyDeletionWorker(services)),
    handle(QUEUES.digest, digestWorker(services)),
    handle(QUEUES.lakeRetention, lakeRetentionWorker(services)),
    handle(QUEUES.lakeImport, lakeImportWorker(services)),
    handle(QUEUES.lakeQuery, lakeQueryWorker(services)),
    handle(QUEUES.lakeQuerySweep, lakeQuerySweepWorker(services)),
    handle(QUEUES.dashboardRefresh, dashboardRefreshWorker(services)),
  ];
}

/** Starts one BullMQ Worker per queue and the repeatable schedules (outbox sweep, retention). */
export async function startWorkers(services: Services, opts: { scheduleReassertMs?: number } = {}): Promise<{ close(): Promise<void> }> {
  const { config, logger, metrics } = services;
  const list = handlers(services);
  checkHandlers(list);
  // Workers block on Redis: they need their own connection that retries forever.
  const connection = createRedis(config, { maxRetriesPerRequest: null });
  // While Redis is away every connection (one shared, one blocking per queue) fails on each
  // retry: one line per kind of failure and window, not one per attempt.
  const repeated = repeatedLogFor(logger, config.logRepeatWindowSeconds);
  const summarised =
    (kind: string, msg: string, fields: Record<string, unknown> = {}) =>
    (err: Error) => {
      const error = errorSummary(err);
      repeated.warn(`${kind}:${error.code ?? error.message.slice(0, 200)}`, { ...fields, error }, msg);
    };
  connection.on('error', summarised('redis:workers', 'worker Redis connection error'));
  const workers = list.map(([name, handler]) => {
    const worker = new Worker(name, handler, { connection, prefix: queuePrefix(config, name), concurrency: 1, ...WORKER_SETTINGS[name] });
    worker.on('failed', (job, err) => {
      metrics.jobFailures.inc({ queue: name });
      // The same failure of many jobs (PostgreSQL down) is summarised; distinct ones are all written.
      repeated.error(`job-failed:${name}:${errorSummary(err).message.slice(0, 200)}`, { queue: name, jobId: job?.id, err }, 'job failed');
    });
    // Mostly the worker's own connections failing, once per queue and retry: one kind for all queues.
    worker.on('error', summarised('worker-error', 'queue worker error', { queue: name }));
    return worker;
  });
  // Schedules go through the workers' patient connection: the api's producer fails fast by design.
  const schedules: Array<[TickQueue, number]> = [
    [QUEUES.outboxSweep, config.outboxSweepIntervalSeconds],
    [QUEUES.retention, config.retentionIntervalSeconds],
    [QUEUES.delivery, config.deliveryIntervalSeconds],
    [QUEUES.webhookSweep, config.outboxSweepIntervalSeconds],
    [QUEUES.insights, config.insightsIntervalSeconds],
    [QUEUES.kmsKeyDeletion, config.kmsKeyDeletionIntervalSeconds],
    [QUEUES.digest, services.digests.tickSeconds()],
    [QUEUES.lakeRetention, config.retentionIntervalSeconds],
    [QUEUES.lakeImport, config.outboxSweepIntervalSeconds],
    [QUEUES.lakeQuerySweep, config.lakeQuerySweepSeconds],
    [QUEUES.dashboardRefresh, DASHBOARD_TICK_SECONDS],
  ];
  await upsertSchedules(connection, config, schedules);
  // Redis holds the schedules; if it loses its data (a restart without persistence, a failover),
  // they would be gone until the next worker start. Re-asserting them is idempotent and cheap.
  // One re-assertion at a time: while Redis is down the last one waits for it, and piling more
  // up would only hold more connections' retries.
  let reasserting = false;
  const reassert = setInterval(() => {
    if (reasserting) return;
    reasserting = true;
    upsertSchedules(connection, config, schedules)
      .catch((err) => repeated.warn('schedules', { error: errorSummary(err) }, 'could not re-assert job schedules'))
      .finally(() => (reasserting = false));
  }, opts.scheduleReassertMs ?? SCHEDULE_REASSERT_MS);
  reassert.unref();
  logger.info({ queues: list.map(([n]) => n) }, 'workers started');
  services.lakeQueries.setDraining(false);
  return {
    async close() {
      clearInterval(reassert);
      // Lake runners finish their query but claim no other: closing waits for active jobs.
      services.lakeQueries.setDraining(true);
      await Promise.all(workers.map((w) => w.close()));
      connection.disconnect();
    },
  };
}

const SCHEDULE_REASSERT_MS = 60_000;

/** Creates or refreshes each periodic job's scheduler (idempotent: same id, same interval). */
export async function upsertSchedules(
  connection: RedisConnection,
  prefixes: Pick<Config, 'redisPrefix' | 'redisClusterNodes'>,
  schedules: Array<[TickQueue, number]>,
): Promise<void> {
  for (const [name, seconds] of schedules) {
    const queue = new Queue(name, { connection, prefix: queuePrefix(prefixes, name) });
    // A Queue with no 'error' listener prints each connection error's stack with console.error
    // (BullMQ's QueueBase.emit); the shared connection's own listener already reports them.
    queue.on('error', () => undefined);
    try {
      await queue.upsertJobScheduler(name, { every: seconds * 1000 }, { name, data: {} });
    } finally {
      await queue.close();
    }
  }
}

/** `node dist/workers/main.js`: the workers as their own process. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = rootLogger(config);
  logProcessFailures(logger);
  const db = await openDatabase(config, logger);
  const services = createServices(config, db, logger, createMetrics());
  await checkMasterKey(db, services.masterKey);
  await services.prepareEventStore();
  const workers = await startWorkers(services);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'workers shutting down');
    await workers.close().catch(() => undefined);
    await closeServices(services).catch(() => undefined);
    await db.close().catch(() => undefined);
    repeatedLogFor(logger, config.logRepeatWindowSeconds).flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

if (require.main === module) {
  main().catch((err) => {
    startFailure('OpenTrail workers failed to start', err);
    process.exit(1);
  });
}
