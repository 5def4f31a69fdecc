import path from 'node:path';
import { gql, type IngestTally } from './client';
import type { Cluster } from './cluster';
import type { WebhookReceiver } from './receiver';
import { immutableSupported, setImmutable } from './servers';
import type { Destinations } from './setup';

/** What a fault can reach while the events flow. */
export interface FaultContext {
  cluster: Cluster;
  receiver: WebhookReceiver;
  destinations: Destinations;
  tally: IngestTally;
  /** Planned duration of the event flow (ms). */
  flowMs: number;
  digestIntervalSeconds: number;
  /** Resolves at `fraction` of the flow (1.0 = its planned end) after the scenario started. */
  at(fraction: number): Promise<void>;
  /** What happened, for the table's notes. */
  note(text: string): void;
  /**
   * Counts one fault that can cut a webhook sender between a POST and its bookkeeping (a worker
   * killed, Redis or PostgreSQL gone): each allows as many duplicate POSTs as senders were in flight.
   */
  interrupted(): void;
}

export interface Scenario {
  name: string;
  /** Processes the scenario itself kills (and restarts): their exits are not deaths. */
  describe: string;
  /**
   * Runs with a second api and a second workers process against the same database and Redis
   * (started before the flow, stopped after the counts): the client sends to both apis in turn,
   * and the digest chain is also checked for gaps and overlaps.
   */
  replicas?: boolean;
  inject(ctx: FaultContext): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `condition` every 20 ms for up to `timeoutMs`; whether it became true. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await sleep(20);
  }
  return false;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'baseline',
    describe: 'no fault: the harness counts what a quiet run delivers',
    inject: async () => undefined,
  },
  {
    name: 'replicas',
    describe: 'two api and two workers processes on one database and one Redis; the client sends to both apis in turn',
    replicas: true,
    inject: async (ctx) => {
      await ctx.at(1.0);
      ctx.note(
        ctx.cluster.replicasAlive() ? 'two apis and two workers processes through the flow' : 'a replica was gone by the end of the flow',
      );
    },
  },
  {
    name: 'workers-kill9',
    describe:
      'kill -9 of the worker process four times while events are delivered (three during the flow, one right after it), restarted at once',
    inject: async (ctx) => {
      let midWebhook = 0;
      for (const f of [0.25, 0.5, 0.75, 1.05]) {
        await ctx.at(f);
        // Kill mid-delivery: once the restarted workers have sent 40 webhooks (their senders are
        // then inside batches), and while POSTs flow; at most 5 s of waiting.
        const before = ctx.receiver.acceptedTotal;
        if (await until(() => ctx.receiver.acceptedTotal - before >= 40 && Date.now() - ctx.receiver.lastAcceptedAt < 100, 5000))
          midWebhook++;
        await ctx.cluster.kill9('workers');
        ctx.interrupted();
      }
      ctx.note(`workers killed 4x (${midWebhook} while webhooks flowed)`);
    },
  },
  {
    name: 'api-kill9',
    describe: 'kill -9 of the api twice while /ingest requests are open; the client resends every unacknowledged batch',
    inject: async (ctx) => {
      let mid = 0;
      for (const f of [0.3, 0.65]) {
        await ctx.at(f);
        // Kill while a request is open (the client sends steadily; wait for one, at most 2 s).
        if (await until(() => ctx.tally.inFlight > 0, 2000)) mid++;
        await ctx.cluster.kill9('api');
      }
      ctx.note(`api killed 2x (${mid} mid-request)`);
    },
  },
  {
    name: 'redis-restart-empty',
    describe: 'Redis killed (-9) and started again empty, 2 s later, on the same port',
    inject: async (ctx) => {
      await ctx.at(0.35);
      await ctx.cluster.redis.kill();
      ctx.interrupted();
      await sleep(2000);
      await ctx.cluster.redis.start();
      ctx.note('redis down 2 s, back empty');
    },
  },
  {
    name: 'postgres-restart',
    describe:
      'PostgreSQL stopped with -m immediate (a crash) while an /ingest request is open, and again while a log file is being delivered, started 4 s later each time',
    inject: async (ctx) => {
      await ctx.at(0.35);
      const midIngest = await until(() => ctx.tally.inFlight > 0, 2000);
      ctx.interrupted();
      await ctx.cluster.pg.crashAndRestart(4000);
      await ctx.at(1.0);
      // A claimed, not yet committed log file: a delivery holds its connection right now.
      const midDelivery = await until(
        async () =>
          (await ctx.cluster.pool.query(`SELECT 1 FROM trail_log_files WHERE state = 'pending' LIMIT 1`).catch(() => ({ rowCount: 0 })))
            .rowCount! > 0,
        10_000,
      );
      ctx.interrupted();
      await ctx.cluster.pg.crashAndRestart(4000);
      ctx.note(
        `postgres crashed 2x, down 4 s each (${midIngest ? 'mid-ingest' : 'no ingest open'}, ${midDelivery ? 'mid-delivery' : 'no delivery seen'})`,
      );
    },
  },
  {
    name: 'bucket-unwritable',
    describe: 'the trail bucket made immutable (chattr -R +i: refused even to root) for two digest intervals + 2 s, then writable again',
    inject: async (ctx) => {
      const probe = immutableSupported(ctx.cluster.root);
      if (!probe.ok) throw new Error(`cannot make the bucket unwritable here: ${probe.why}`);
      const bucketDir = path.join(ctx.cluster.dataDir, 'objects', ctx.destinations.bucket);
      await ctx.at(0.2);
      const holdMs = (2 * ctx.digestIntervalSeconds + 2) * 1000;
      setImmutable(bucketDir, true);
      try {
        await sleep(holdMs);
        // Evidence that writes really failed (the trail status records the storage error).
        const status = await gql(
          ctx.cluster.base,
          ctx.destinations.token,
          'query($input: TrailNameInput!) { getTrailStatus(input: $input) { latestDeliveryError latestDigestDeliveryError } }',
          { input: { name: ctx.destinations.trailName } },
        ).catch(() => null);
        const s = status?.getTrailStatus;
        ctx.note(
          `bucket immutable ${holdMs / 1000} s; errors seen: delivery=${s?.latestDeliveryError ? 'yes' : 'no'}, digest=${s?.latestDigestDeliveryError ? 'yes' : 'no'}`,
        );
      } finally {
        setImmutable(bucketDir, false);
      }
    },
  },
  {
    name: 'webhook-500-then-hang',
    describe:
      'the webhook receiver answers 500 for 3 s, then reads requests and never answers for 4 s (past WEBHOOK_TIMEOUT_MS), then recovers',
    inject: async (ctx) => {
      await ctx.at(0.15);
      ctx.receiver.setMode('fail');
      await sleep(3000);
      ctx.receiver.setMode('hang');
      await sleep(4000);
      ctx.receiver.setMode('ok');
      ctx.note(`receiver: ${ctx.receiver.refused} answered 500, ${ctx.receiver.hung} left hanging`);
    },
  },
];
