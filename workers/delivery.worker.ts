import type { Services } from '../src/app/services';
import type { QueueJob } from '../src/jobs/queues';

/**
 * The `delivery` queue: the repeatable tick (job name `delivery`) fans out one `deliver-group` job
 * per (trail, account, region) with pending events; a group job writes that group's log files.
 */
export const deliveryWorker = (services: Services) => async (job: QueueJob<'delivery'>) => {
  if (job.name === 'deliver-group') return services.delivery.deliverGroup(job.data);
  const groups = await services.delivery.fanOut(services.outbox.jobs);
  return { groups };
};
