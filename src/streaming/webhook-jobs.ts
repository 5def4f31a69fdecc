import type { Config } from '../config';

/** One job per (rule, outbox batch): a re-route or a sweep of the same pair never double-sends. */
export const webhookJobId = (ruleId: string, outboxId: string) => `webhook-${ruleId}-${outboxId}`;

export function webhookJobOptions(config: Config) {
  return {
    // Postgres counts the delivery attempts (webhook_deliveries.attempts); BullMQ's budget is a
    // little larger so that runs that find nothing to do yet do not use up delivery attempts.
    attempts: config.webhookMaxAttempts + 3,
    backoff: { type: 'exponential', delay: config.webhookBackoffMs },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
  };
}
