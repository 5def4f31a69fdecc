import { createRedis, type RedisConnection, type RedisTarget } from './redis-client';

/**
 * The Redis connection the request limiters share (per-account limits, sign-in throttle, failed
 * sign-in sampling): no offline queue and one try per command, so a Redis outage fails fast into
 * each limiter's fallback instead of making a request wait. It reconnects on its own; its errors
 * are the limiters' to report.
 */
export function createLimitsRedis(target: RedisTarget): RedisConnection {
  const redis = createRedis(target, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  return redis;
}
