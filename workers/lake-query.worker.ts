import type { Job } from 'bullmq';
import type { Services } from '../src/app/services';
import type { JobPayloads } from './queues';

/** Runs one Lake query (jobId `lake-query-<id>`) to a terminal status; a second run of the same job is a no-op. */
export const lakeQueryWorker = (services: Services) => async (job: Job<JobPayloads['lake-query']>) => services.lakeQueries.run(job.data.queryId);
