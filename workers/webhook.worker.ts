import type { Job } from 'bullmq';
import type { Services } from '../src/app/services';
import type { JobPayloads } from './queues';

/** Event-rule webhooks: one `deliver` job per (outbox batch, rule); `redrive` re-sends dead letters. */
export const webhookWorker = (services: Services) => async (job: Job<JobPayloads['webhook']>) => {
  const data = job.data;
  if (data.kind === 'redrive') return services.webhookDelivery.redrive(data.ruleId, data.deadLetterIds);
  return services.webhookDelivery.deliver(data.ruleId, data.outboxId);
};
