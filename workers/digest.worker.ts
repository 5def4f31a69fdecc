import type { Job } from 'bullmq';
import type { Services } from '../src/app/services';
import type { ChainKey } from '../src/integrity/digest.repository';
import { QUEUES, type JobPayloads } from './queues';

/**
 * The `digest` queue: the repeatable tick (job name `digest`) reconciles digest chains with the
 * trails and fans out one `digest-chain` job per (trail, account, region) with a digest due.
 */
export const digestWorker = (services: Services) => async (job: Job<JobPayloads['digest']>) => {
  if (job.name === 'digest-chain') return services.digests.processChain(job.data as ChainKey);
  const chains = await services.digests.fanOut(services.outbox.queue(QUEUES.digest));
  return { chains };
};
