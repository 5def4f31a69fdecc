import type { Services } from '../src/app/services';
import type { QueueJob } from '../src/jobs/queues';

/** Routes one outbox row; a duplicate job finds it routed and does nothing. */
export const aggregationWorker = (services: Services) => async (job: QueueJob<'aggregation'>) => {
  const routed = await services.outbox.route(job.data.outboxId);
  return { routed };
};
