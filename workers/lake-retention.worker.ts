import type { Services } from '../src/app/services';

/** Lake retention: expired events, purge of stores deleted 7 days ago, lake partitions (src/lake/lake-retention.service.ts). */
export const lakeRetentionWorker = (services: Services) => async () => {
  const result = await services.lakeStorage.retention.run();
  // Lake queries: results kept 7 days, then a sweep (the lake-query queue sweeps every few seconds too).
  const queries = await services.lakeQueries.expire();
  return { ...result, queries };
};
