import type { RedisNode } from '../config';
import { createRedis, isCluster } from './redis-client';

/**
 * Deletes every Redis key of one installation (REDIS_PREFIX): `prefix:*`, and on a cluster the
 * hash-tagged queue keys `{prefix:<queue>}*` too (src/common/redis-client.ts queuePrefix): how tests
 * and benchmarks leave Redis as they found it. A cluster is scanned node by node (SCAN sees one
 * node's keys) and keys are removed one by one (a multi-key DEL must stay within one slot). Best
 * effort: an unreachable Redis has nothing to clean.
 */
export async function deleteRedisPrefix(redisUrl: string, prefix: string, redisClusterNodes: RedisNode[] = []): Promise<void> {
  const redis = createRedis({ redisUrl, redisClusterNodes }, { maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: false });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
    for (const node of nodes) {
      for (const pattern of [`${prefix}:*`, `{${prefix}:*`]) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          if (keys.length === 0) continue;
          if (isCluster(redis)) await Promise.all(keys.map((k) => node.del(k)));
          else await node.del(...keys);
        } while (cursor !== '0');
      }
    }
  } catch {
    // Redis may be deliberately unreachable (a test of that); nothing to clean then.
  } finally {
    redis.disconnect();
  }
}
