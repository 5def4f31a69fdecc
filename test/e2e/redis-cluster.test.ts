import IORedis from 'ioredis';
import { PrivateRedisCluster } from '../../bench/lib/servers';
import { QUEUE_NAMES } from '../../src/jobs/queues';
import { startWorkers } from '../../workers/main';
import { waitFor } from '../helpers/delivery';
import { createAuditedAccount, deliveredCounts, recordBatches, validateChain, type AuditedAccount } from '../helpers/scaleout';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(240_000);

/**
 * Issue 18 §2: the queues on a three-node Redis Cluster (started here on loopback, no replicas),
 * REDIS_CLUSTER_NODES set: every queue's keys carry the hash tag {prefix:queue}, and the trails
 * flow still delivers each event exactly once to the trail and the Lake store, digests valid.
 */
describe('Redis Cluster: the queues run on a three-node cluster and the trail flow stays exactly once', () => {
  let cluster: PrivateRedisCluster;
  let app: TestApp;
  let workers: { close(): Promise<void> } | null = null;
  let account: AuditedAccount;

  beforeAll(async () => {
    cluster = await PrivateRedisCluster.start(3);
    app = await startTestApp({
      REDIS_CLUSTER_NODES: cluster.nodeList,
      DELIVERY_INTERVAL_SECONDS: '1',
      DIGEST_INTERVAL_SECONDS: '2',
      OUTBOX_SWEEP_INTERVAL_SECONDS: '1',
      LOG_LEVEL: 'error',
    });
    account = await createAuditedAccount(app, 'cluster-logs');
    workers = await startWorkers(app.services);
  });

  afterAll(async () => {
    await workers?.close();
    await app?.close();
    cluster?.destroy();
  });

  it('delivers every recorded event once to the trail and once to the store; the digest chain validates', async () => {
    const ids = await recordBatches(app, account.session, 6, 20);
    const counts = await deliveredCounts(app, account, ids);
    const once = Object.fromEntries(ids.map((id) => [id, 1]));
    expect(counts.trail).toEqual(once);
    expect(counts.store).toEqual(once);
    const verdict = await validateChain(app, account);
    expect(verdict).toMatchObject({ valid: true, invalidDigests: 0, invalidLogFiles: 0 });
    expect(verdict.validLogFiles).toBeGreaterThan(0);
  });

  it('hands live events over the cluster: a subscriber gets every batch the router publishes, whichever nodes their connections reach', async () => {
    const received = new Set<string>();
    const unsubscribe = await app.services.liveEvents.subscribe(app.admin.accountId, (message) => {
      for (const e of message.events) received.add(JSON.parse(e.record).eventID);
    });
    try {
      const ids = await recordBatches(app, account.session, 3, 5);
      await waitFor('every event on the live stream', async () => ids.every((id) => received.has(id)), 60_000);
    } finally {
      await unsubscribe();
    }
  });

  it('keeps each queue under its own hash tag, and the queues spread over the nodes', async () => {
    const owners = new Map<string, number[]>();
    for (const node of cluster.nodes) {
      const redis = new IORedis(node.port, '127.0.0.1', { maxRetriesPerRequest: 1 });
      try {
        for (const name of QUEUE_NAMES) {
          // SCAN on a node lists only the keys of the slots it serves.
          const [, keys] = await redis.scan('0', 'MATCH', `{${app.config.redisPrefix}:${name}}:${name}:*`, 'COUNT', 10_000);
          if (keys.length > 0) owners.set(name, [...(owners.get(name) ?? []), node.port]);
        }
        const untagged = await redis.scan('0', 'MATCH', `${app.config.redisPrefix}:*:meta`, 'COUNT', 10_000);
        expect(untagged[1]).toEqual([]);
      } finally {
        redis.disconnect();
      }
    }
    // Every queue has keys (a scheduler at least) on exactly one node, and not all on the same one.
    expect([...owners.keys()].sort()).toEqual([...QUEUE_NAMES].sort());
    expect([...owners.values()].filter((ports) => ports.length !== 1)).toEqual([]);
    expect(new Set([...owners.values()].map((ports) => ports[0])).size).toBeGreaterThan(1);
  });
});
