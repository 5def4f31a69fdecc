import type { Services } from '../src/app/services';

/** Lake retention: expired events, purge of stores deleted 7 days ago, lake partitions (src/lake/lake-retention.service.ts). */
export const lakeRetentionWorker = (services: Services) => async () => services.lakeStorage.retention.run();
