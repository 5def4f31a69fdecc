import type { Services } from '../src/app/services';
import type { QueueJob } from '../src/jobs/queues';

/**
 * Runs one import (jobId `lake-import-<id>`) or, for the repeatable tick (no importId), resumes
 * every unfinished import whose job was lost. Safe to run twice: a second runner of the same import
 * finds its advisory lock taken and returns BUSY, and the inserts are idempotent.
 */
export const lakeImportWorker = (services: Services) => async (job: QueueJob<'lake-import'>) => {
  if ('importId' in job.data) return services.lakeStorage.imports.runImport(job.data.importId);
  return services.lakeStorage.imports.resumeUnfinished();
};
