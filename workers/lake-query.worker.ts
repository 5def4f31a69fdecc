import type { Job } from 'bullmq';
import type { Services } from '../src/app/services';
import type { JobPayloads } from './queues';

/**
 * `run` (jobId lakeQueryJobId): a runner that claims queued queries, its own first, until none is
 * claimable (LakeQueryService.work); the repeatable sweep job re-queues lost ones.
 */
export const lakeQueryWorker = (services: Services) => async (job: Job<JobPayloads['lake-query']>) =>
  'queryId' in job.data ? services.lakeQueries.work(job.data.queryId) : services.lakeQueries.sweep();
