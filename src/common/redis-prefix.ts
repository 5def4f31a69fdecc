import IORedis from 'ioredis';

/**
 * Deletes every Redis key under `prefix:` (the BullMQ queues of one installation, REDIS_PREFIX):
 * how tests and benchmarks leave Redis as they found it. Best effort: an unreachable Redis has
 * nothing to clean.
 */
export async function deleteRedisPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: false });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } catch {
    // Redis may be deliberately unreachable (a test of that); nothing to clean then.
  } finally {
    redis.disconnect();
  }
}
