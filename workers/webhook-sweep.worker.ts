import type { Services } from '../src/app/services';

/** Re-enqueues pending webhook deliveries whose job was lost (Redis down, a worker died, retries exhausted early). */
export const webhookSweepWorker = (services: Services) => async () => {
  const requeued = await services.webhookDelivery.sweep();
  return { requeued };
};
