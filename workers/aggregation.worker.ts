import type { Job } from 'bullmq';
import type { Services } from '../src/app/services';
import type { JobPayloads } from './queues';

/** Routes one outbox row; a duplicate job finds it routed and does nothing. */
export const aggregationWorker = (services: Services) => async (job: Job<JobPayloads['aggregation']>) => {
  const routed = await services.outbox.route(job.data.outboxId);
  return { routed };
};
