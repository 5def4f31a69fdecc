import IORedis, { Cluster, type RedisOptions } from 'ioredis';
import type { Config } from '../config';

/** A connection to the installation's Redis: one server, or a Redis Cluster (ioredis routes each key to its slot). */
export type RedisConnection = IORedis | Cluster;

/** Where Redis is: REDIS_URL alone, or REDIS_CLUSTER_NODES with REDIS_URL's credentials and TLS. */
export type RedisTarget = Pick<Config, 'redisUrl' | 'redisClusterNodes'>;

/**
 * The one way a Redis connection is made (queues, workers, limiters, live streams, cleanup), so
 * every client follows REDIS_CLUSTER_NODES. `options` are the per-connection settings (retries,
 * offline queue, ready check); on a cluster they apply to each node's connection, and the
 * cluster's own offline queue, ready check and lazy connect follow them too.
 */
export function createRedis(target: RedisTarget, options: RedisOptions = {}): RedisConnection {
  if (target.redisClusterNodes.length === 0) return new IORedis(target.redisUrl, options);
  const url = new URL(target.redisUrl);
  const redisOptions: RedisOptions = {
    ...options,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
  return new Cluster(
    target.redisClusterNodes.map((n) => ({ host: n.host, port: n.port })),
    {
      redisOptions,
      enableOfflineQueue: options.enableOfflineQueue ?? true,
      enableReadyCheck: options.enableReadyCheck ?? true,
      lazyConnect: options.lazyConnect ?? false,
    },
  );
}

/** Whether the connection is to a Redis Cluster (where pub/sub counts and key scans are per node). */
export function isCluster(redis: RedisConnection): redis is Cluster {
  return redis instanceof Cluster;
}

/**
 * The BullMQ prefix of one queue. On one Redis it is REDIS_PREFIX, as it always was. On a Redis
 * Cluster BullMQ's scripts touch several keys of a queue at once, which must share a hash slot:
 * the prefix becomes the hash tag `{REDIS_PREFIX:queue}`, so each queue lives in one slot and
 * different queues spread over the nodes.
 */
export function queuePrefix(config: Pick<Config, 'redisPrefix' | 'redisClusterNodes'>, queue: string): string {
  return config.redisClusterNodes.length === 0 ? config.redisPrefix : `{${config.redisPrefix}:${queue}}`;
}
