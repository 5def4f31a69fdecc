import type { Services } from '../src/app/services';
import type { QueueJob } from '../src/jobs/queues';

/** `run` (jobId lakeQueryJobId): a runner that claims queued queries, its own first, until none is claimable. */
export const lakeQueryWorker = (services: Services) => async (job: QueueJob<'lake-query'>) =>
  services.lakeQueries.work(job.data.queryId, job.data.installation);

/** The repeatable lake-query sweep: lost jobs re-queued, orphaned runs failed, stranded deliveries made. */
export const lakeQuerySweepWorker = (services: Services) => async () => services.lakeQueries.sweep();
