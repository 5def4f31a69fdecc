import type { Services } from '../src/app/services';
import type { QueueJob } from '../src/jobs/queues';

/**
 * The `digest` queue: the repeatable tick (job name `digest`) reconciles digest chains with the
 * trails and fans out one `digest-chain` job per (trail, account, region) with a digest due.
 */
export const digestWorker = (services: Services) => async (job: QueueJob<'digest'>) => {
  if (job.name === 'digest-chain') return services.digests.processChain(job.data);
  const chains = await services.digests.fanOut(services.outbox.jobs);
  return { chains };
};
