import type { Job } from 'bullmq';
import type { Services } from '../src/app/services';
import type { DeliveryGroup } from '../src/delivery/trail-log-file.repository';
import { QUEUES, type JobPayloads } from './queues';

/**
 * The `delivery` queue: the repeatable tick (job name `delivery`) fans out one `deliver-group` job
 * per (trail, account, region) with pending events; a group job writes that group's log files.
 */
export const deliveryWorker = (services: Services) => async (job: Job<JobPayloads['delivery']>) => {
  if (job.name === 'deliver-group') return services.delivery.deliverGroup(job.data as DeliveryGroup);
  const groups = await services.delivery.fanOut(services.outbox.queue(QUEUES.delivery));
  return { groups };
};
