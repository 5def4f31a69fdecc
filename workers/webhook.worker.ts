import { DelayedError } from 'bullmq';
import type { Services } from '../src/app/services';
import type { QueueJob } from '../src/jobs/queues';

/**
 * Event-rule webhooks: one `deliver` job per (outbox batch, rule); `redrive` re-sends dead letters.
 * A delivery that must wait (its receiver in backoff, or its row held by another run) is moved to
 * the delayed set until its next attempt, which uses no BullMQ attempt.
 */
export const webhookWorker = (services: Services) => async (job: QueueJob<'webhook'>, token?: string) => {
  const data = job.data;
  if (data.kind === 'redrive') return services.webhookDelivery.redrive(data.ruleId, data.deadLetterIds);
  const outcome = await services.webhookDelivery.deliver(data.ruleId, data.outboxId);
  if (outcome.retryAt) {
    await job.moveToDelayed(outcome.retryAt.getTime(), token);
    throw new DelayedError();
  }
  return outcome;
};
