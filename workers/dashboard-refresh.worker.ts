import type { Services } from '../src/app/services';
import type { QueueJob } from '../src/jobs/queues';

/**
 * The tick adds one `refresh` job per dashboard whose schedule slot is due (job id of dashboard
 * and slot); a `refresh` job runs that slot's refresh. Both are idempotent: the slot is recorded
 * on the dashboard under its row lock, so a repeated job finds it done.
 */
export const dashboardRefreshWorker = (services: Services) => async (job: QueueJob<'dashboard-refresh'>) => {
  if (job.name === 'refresh') return services.lakeDashboards.refreshScheduled(job.data.dashboardId, job.data.slot);
  return services.lakeDashboards.enqueueDueRefreshes();
};
