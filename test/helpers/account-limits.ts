import { once } from 'node:events';
import { AccountLimits, type AccountLimitSettings } from '../../src/common/account-limits';
import { createLimitsRedis } from '../../src/common/limits-redis';
import { createLogger } from '../../src/observability/logger';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * AccountLimits on the shared Redis under `redisPrefix`, connected (so the counters are in Redis,
 * not in the fallback memory): every limit 1,000 unless `settings` says otherwise.
 */
export async function connectedAccountLimits(
  redisPrefix: string,
  settings: Partial<Omit<AccountLimitSettings, 'redisPrefix'>> = {},
): Promise<{ limits: AccountLimits; close(): void }> {
  const redis = createLimitsRedis({ redisUrl: REDIS_URL, redisClusterNodes: [] });
  if (redis.status !== 'ready') await once(redis, 'ready');
  const limits = new AccountLimits(
    redis,
    {
      redisPrefix,
      ratePerSecond: 1000,
      burst: 1000,
      maxConcurrent: 1000,
      ingestEventsPerSecond: 1000,
      ingestBurstEvents: 1000,
      maxConcurrentIngests: 1000,
      ...settings,
    },
    createLogger('silent'),
  );
  return { limits, close: () => redis.disconnect() };
}
