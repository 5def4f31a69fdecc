import type { Services } from '../src/app/services';
import type { QueueJob } from '../src/jobs/queues';

/**
 * Minutes younger than this are not judged yet: events of a minute keep arriving (and being
 * routed into its count) for a few seconds after it ends.
 */
const SETTLE_MS = 60_000;

/**
 * The `insights` queue: the repeatable tick (job name `insights`) fans out one `analyze-region`
 * job per counted (account, region); a region job judges its minutes up to now − SETTLE_MS.
 */
export const insightsWorker = (services: Services) => async (job: QueueJob<'insights'>) => {
  if (job.name === 'analyze-region') {
    const { accountId, region } = job.data;
    return services.insights.detection.analyzeRegion(accountId, region, new Date(Date.now() - SETTLE_MS));
  }
  return { regions: await services.insights.detection.fanOut(services.outbox.jobs) };
};
