/**
 * The one list of queue names and job payload types. The worker process refuses to start when a
 * queue here has no handler, or two (workers/main.ts).
 */
export const QUEUES = {
  /** Routes one committed outbox batch to its destinations; jobId `outbox-<id>`. */
  aggregation: 'aggregation',
  /** Repeatable: re-enqueues outbox rows left unrouted (Redis was down, a worker died). */
  outboxSweep: 'outbox-sweep',
  /** Repeatable: creates future `events` partitions, drops expired ones, prunes the outbox. */
  retention: 'retention',
  /** Repeatable tick (fans out) + one `deliver-group` job per (trail, account, region); jobId in delivery.service.ts. */
  delivery: 'delivery',
  /** Event-rule webhooks: `deliver` (jobId `webhook-<rule>-<outbox>`, one per batch and rule) and `redrive`. */
  webhook: 'webhook',
  /** Repeatable: re-enqueues pending webhook deliveries whose job was lost. */
  webhookSweep: 'webhook-sweep',
  /** Repeatable tick + one `analyze-region` job per (account, region) (jobId `insights-<account>-<region>`, advisory lock): Insights detection. */
  insights: 'insights',
  /** Repeatable: deletes KMS keys whose deletion waiting period has ended. */
  kmsKeyDeletion: 'kms-key-deletion',
  /** Repeatable tick (reconciles chains, fans out) + one `digest-chain` job per (trail, account, region); jobId in digest.service.ts. */
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
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export interface JobPayloads {
  aggregation: { outboxId: string };
  'outbox-sweep': Record<string, never>;
  retention: Record<string, never>;
  delivery: Record<string, never> | { trailId: string; accountId: string; region: string; kind?: 'CloudTrail' | 'CloudTrail-Insight' };
  webhook: { kind: 'deliver'; ruleId: string; outboxId: string } | { kind: 'redrive'; ruleId: string; deadLetterIds: string[] };
  'webhook-sweep': Record<string, never>;
  insights: Record<string, never> | { accountId: string; region: string };
  'kms-key-deletion': Record<string, never>;
  digest: Record<string, never> | { trailId: string; accountId: string; region: string };
  'lake-retention': Record<string, never>;
  'lake-import': { importId: string } | Record<string, never>;
  /** installation: the queuing installation's identity (LakeQueryService.installation); a worker of another refuses the job. */
  'lake-query': { queryId: string; installation?: string };
  'lake-query-sweep': Record<string, never>;
}

export const QUEUE_NAMES: QueueName[] = Object.values(QUEUES);

/** jobId of an outbox row's first enqueue; the sweeper adds an attempt suffix (see outbox.service.ts). */
export const outboxJobId = (outboxId: string, attempt?: number) =>
  attempt === undefined ? `outbox-${outboxId}` : `outbox-${outboxId}-${attempt}`;

/** jobId of a Lake query's run job; the sweep's re-enqueues add the attempt (see LakeQueryService.sweep). */
export const lakeQueryJobId = (queryId: string, attempt?: number) =>
  attempt === undefined ? `lake-query-${queryId}` : `lake-query-${queryId}-${attempt}`;
