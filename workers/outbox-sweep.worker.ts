import type { Services } from '../src/app/services';

/** Re-enqueues outbox rows left unrouted (Redis was down at commit time, or a job was lost). */
export const outboxSweepWorker = (services: Services) => async () => {
  const requeued = await services.outbox.sweep();
  return { requeued };
};
