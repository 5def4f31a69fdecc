import type { Job, JobsOptions } from 'bullmq';
import type { Config } from '../config';
import { randomToken } from '../common/ids';

/**
 * The one list of queues and their jobs: each job's name, payload, id and options, and each
 * queue's worker settings. Jobs are added only through JobQueues.enqueue (job-queues.ts), and the
 * worker process refuses to start when a queue here has no handler, or two (workers/main.ts).
 */
export const QUEUES = {
  /** Routes one committed outbox batch to its destinations; jobId `outbox-<id>`. */
  aggregation: 'aggregation',
  /** Repeatable: re-enqueues outbox rows left unrouted (Redis was down, a worker died). */
  outboxSweep: 'outbox-sweep',
  /** Repeatable: creates future `events` partitions, drops expired ones, prunes the outbox. */
  retention: 'retention',
  /** Repeatable tick (fans out) + one `deliver-group` job per (trail, account, region); jobId deliveryJobId. */
  delivery: 'delivery',
  /** Event-rule webhooks: `deliver` (jobId `webhook-<rule>-<outbox>`, one per batch and rule) and `redrive`. */
  webhook: 'webhook',
  /** Repeatable: re-enqueues pending webhook deliveries whose job was lost. */
  webhookSweep: 'webhook-sweep',
  /** Repeatable tick + one `analyze-region` job per (account, region) (jobId `insights-<account>-<region>`, advisory lock): Insights detection. */
  insights: 'insights',
  /** Repeatable: deletes KMS keys whose deletion waiting period has ended. */
  kmsKeyDeletion: 'kms-key-deletion',
  /** Repeatable tick (reconciles chains, fans out) + one `digest-chain` job per (trail, account, region); jobId digestJobId. */
  digest: 'digest',
  /** Repeatable: Lake retention (expired events, purge of deleted event data stores, lake partitions). */
  lakeRetention: 'lake-retention',
  /** One `run` job per import (jobId `lake-import-<id>`), plus a repeatable sweep that resumes unfinished imports. */
  lakeImport: 'lake-import',
  /** One `run` job per Lake query (jobId lakeQueryJobId): a free runner that claims the fairest queued query. */
  lakeQuery: 'lake-query',
  /**
   * Repeatable (LAKE_QUERY_SWEEP_SECONDS): re-queues Lake queries whose job was lost, fails orphaned
   * runs, delivers results a dead runner left. Its own queue, so it never waits behind long runs.
   */
  lakeQuerySweep: 'lake-query-sweep',
  /** Repeatable tick (finds dashboards whose refresh schedule is due) + one `refresh` job per (dashboard, slot); jobId dashboardRefreshJobId. */
  dashboardRefresh: 'dashboard-refresh',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const QUEUE_NAMES: QueueName[] = Object.values(QUEUES);

/** One log-file group of a trail (delivery's DeliveryGroup). `kind` is absent in jobs older than Insights files. */
export interface TrailGroupPayload {
  trailId: string;
  accountId: string;
  region: string;
  kind?: 'CloudTrail' | 'CloudTrail-Insight';
}

/**
 * The payload of each job a producer adds, by queue and job name. The repeatable ticks are not
 * here: the scheduler adds them (job name = queue name, no data), see TICK_QUEUES.
 */
/** A queue whose only job is its repeatable tick. */
type NoProducedJobs = Record<never, never>;

export interface JobPayloads {
  aggregation: { aggregation: { outboxId: string } };
  'outbox-sweep': NoProducedJobs;
  retention: NoProducedJobs;
  delivery: { 'deliver-group': TrailGroupPayload };
  webhook: {
    deliver: { kind: 'deliver'; ruleId: string; outboxId: string };
    redrive: { kind: 'redrive'; ruleId: string; deadLetterIds: string[] };
  };
  'webhook-sweep': NoProducedJobs;
  insights: { 'analyze-region': { accountId: string; region: string } };
  'kms-key-deletion': NoProducedJobs;
  digest: { 'digest-chain': { trailId: string; accountId: string; region: string } };
  'lake-retention': NoProducedJobs;
  'lake-import': { run: { importId: string } };
  /** installation: the queuing installation's identity (LakeQueryService.installation); a worker of another refuses the job. */
  'lake-query': { run: { queryId: string; installation?: string } };
  'lake-query-sweep': NoProducedJobs;
  /** slot: the schedule slot's start (ISO 8601), which the refresh covers and records. */
  'dashboard-refresh': { refresh: { dashboardId: string; slot: string } };
}

/** Queues with a repeatable tick: its job is named after the queue and carries no data. */
export const TICK_QUEUES = [
  QUEUES.outboxSweep,
  QUEUES.retention,
  QUEUES.delivery,
  QUEUES.webhookSweep,
  QUEUES.insights,
  QUEUES.kmsKeyDeletion,
  QUEUES.digest,
  QUEUES.lakeRetention,
  QUEUES.lakeImport,
  QUEUES.lakeQuerySweep,
  QUEUES.dashboardRefresh,
] as const;
export type TickQueue = (typeof TICK_QUEUES)[number];
export type TickPayload = Record<string, never>;

export type JobName<Q extends QueueName> = keyof JobPayloads[Q] & string;
export type JobData<Q extends QueueName, N extends JobName<Q>> = JobPayloads[Q][N];

/** A job as its worker receives it: a union by job name, so `job.name` narrows `job.data`. */
export type QueueJob<Q extends QueueName> =
  { [N in JobName<Q>]: Job<JobData<Q, N>, unknown, N> }[JobName<Q>] | (Q extends TickQueue ? Job<TickPayload, unknown, Q> : never);

/** The settings job options depend on. */
export type JobSettings = Pick<Config, 'webhookBackoffMs' | 'deliveryIntervalSeconds'>;

interface JobSpec<D> {
  /**
   * The job's id. Deterministic wherever a duplicate add must be ignored (exactly-once routing,
   * single-flight groups); `attempt`, given by sweeps that re-add, keeps a failed job's id from
   * swallowing the new add (BullMQ ignores an add whose jobId exists).
   */
  id(data: D, attempt?: number): string;
  options(settings: JobSettings): Omit<JobsOptions, 'jobId'>;
}

/** jobId of an outbox row's first enqueue; the sweeper adds an attempt suffix (see outbox.service.ts). */
export const outboxJobId = (outboxId: string, attempt?: number) =>
  attempt === undefined ? `outbox-${outboxId}` : `outbox-${outboxId}-${attempt}`;

/** jobId of a Lake query's run job; the sweep's re-enqueues add the attempt (see LakeQueryService.sweep). */
export const lakeQueryJobId = (queryId: string, attempt?: number) =>
  attempt === undefined ? `lake-query-${queryId}` : `lake-query-${queryId}-${attempt}`;

/** One job per (rule, outbox batch): a re-route or a sweep of the same pair never double-sends. */
export const webhookJobId = (ruleId: string, outboxId: string) => `webhook-${ruleId}-${outboxId}`;

/** Job id of a group: one job per (trail, account, region) exists at a time (BullMQ ignores a duplicate add). */
export const deliveryJobId = (g: TrailGroupPayload) =>
  `deliver-${g.trailId}-${g.accountId}-${g.region}${g.kind === 'CloudTrail-Insight' ? '-insight' : ''}`;

/** Job id of one digest chain: single-flight per (trail, account, region). */
export const digestJobId = (k: { trailId: string; accountId: string; region: string }) => `digest-${k.trailId}-${k.accountId}-${k.region}`;

/** Job id of one region's analysis. */
export const insightsJobId = (accountId: string, region: string) => `insights-${accountId}-${region}`;

/** One scheduled refresh per (dashboard, schedule slot): a repeated tick adds nothing. */
export const dashboardRefreshJobId = (dashboardId: string, slot: string) => `dashboard-refresh-${dashboardId}-${Date.parse(slot)}`;

export const lakeImportJobId = (importId: string) => `lake-import-${importId}`;

function webhookJobOptions(settings: JobSettings): Omit<JobsOptions, 'jobId'> {
  return {
    // Receiver failures do not fail the job: the service schedules the next attempt itself
    // (webhook_target_states) and the worker delays the job until then. BullMQ's attempts and
    // backoff only cover unexpected errors (the database away) and "routing not committed yet";
    // past them the sweep re-enqueues the row.
    attempts: 12,
    backoff: { type: 'exponential', delay: settings.webhookBackoffMs },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
  };
}

/** How each job is added: its id and its retry, backoff and retention options. */
export const JOBS: { [Q in QueueName]: { [N in JobName<Q>]: JobSpec<JobData<Q, N>> } } = {
  aggregation: {
    aggregation: {
      id: (d, attempt) => outboxJobId(d.outboxId, attempt),
      options: () => ({
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 5000 },
      }),
    },
  },
  'outbox-sweep': {},
  retention: {},
  delivery: {
    'deliver-group': {
      id: deliveryJobId,
      // A bucket that became unwritable keeps its events pending; retries back off and the
      // next tick re-adds the group once the attempts are spent. Nothing is lost either way.
      options: (s) => ({
        attempts: 6,
        backoff: { type: 'exponential', delay: Math.min(1000, s.deliveryIntervalSeconds * 1000) },
        removeOnComplete: true,
        removeOnFail: true,
      }),
    },
  },
  webhook: {
    deliver: { id: (d) => webhookJobId(d.ruleId, d.outboxId), options: webhookJobOptions },
    // Every redrive request is a job of its own, even for the same dead letters.
    redrive: { id: (d) => `redrive-${d.ruleId}-${Date.now()}-${randomToken(4)}`, options: webhookJobOptions },
  },
  'webhook-sweep': {},
  insights: {
    'analyze-region': {
      id: (d) => insightsJobId(d.accountId, d.region),
      options: () => ({ attempts: 3, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: true }),
    },
  },
  'kms-key-deletion': {},
  digest: {
    'digest-chain': {
      id: digestJobId,
      options: () => ({ attempts: 6, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: true }),
    },
  },
  'lake-retention': {},
  'lake-import': {
    run: { id: (d) => lakeImportJobId(d.importId), options: () => ({ removeOnComplete: true, removeOnFail: { count: 100 } }) },
  },
  'lake-query': {
    run: {
      id: (d, attempt) => lakeQueryJobId(d.queryId, attempt),
      options: () => ({ removeOnComplete: true, removeOnFail: { count: 100 } }),
    },
  },
  'lake-query-sweep': {},
  'dashboard-refresh': {
    refresh: {
      id: (d) => dashboardRefreshJobId(d.dashboardId, d.slot),
      options: () => ({
        attempts: 3,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 1000 },
      }),
    },
  },
};

/** Worker settings that differ from BullMQ's defaults (concurrency 1, its lock and stall timings). */
export const WORKER_SETTINGS: Partial<
  Record<QueueName, { concurrency?: number; lockDuration?: number; stalledInterval?: number; maxStalledCount?: number }>
> = {
  aggregation: { concurrency: 20 },
  delivery: { concurrency: 4 },
  /**
   * A webhook job whose worker was killed is back in the queue within about lockDuration + 2 ×
   * stalledInterval (≈ 20 s), not at the next sweep; a job wrongly taken for stalled is harmless,
   * since the row's lease keeps two runs from sending side by side. A job may stall several times
   * (repeated crashes) before BullMQ fails it; then the sweep takes over.
   */
  webhook: { concurrency: 8, lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 10 },
  insights: { concurrency: 2 },
  digest: { concurrency: 4 },
  'lake-query': { concurrency: 4 },
};
