import type { Config } from '../config';

/** One job per (rule, outbox batch): a re-route or a sweep of the same pair never double-sends. */
export const webhookJobId = (ruleId: string, outboxId: string) => `webhook-${ruleId}-${outboxId}`;

export function webhookJobOptions(config: Config) {
  return {
    // Receiver failures do not fail the job: the service schedules the next attempt itself
    // (webhook_target_states) and the worker delays the job until then. BullMQ's attempts and
    // backoff only cover unexpected errors (the database away) and "routing not committed yet";
    // past them the sweep re-enqueues the row.
    attempts: 12,
    backoff: { type: 'exponential', delay: config.webhookBackoffMs },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
  };
}

/**
 * Worker settings of the `webhook` queue. A job whose worker was killed is back in the queue within
 * about lockDuration + 2 × stalledInterval (≈ 20 s), not at the next sweep; a job wrongly taken for
 * stalled is harmless, since the row's lease keeps two runs from sending side by side. A job may
 * stall several times (repeated crashes) before BullMQ fails it; then the sweep takes over.
 */
export const WEBHOOK_WORKER_OPTIONS = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 10 } as const;
