import type { Services } from '../src/app/services';

/** Creates future event partitions, drops expired ones and prunes routed outbox rows. */
export const retentionWorker = (services: Services) => async () => services.eventRetention.run();
