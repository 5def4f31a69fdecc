import { createRedis, type RedisConnection } from '../common/redis-client';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { type RepeatedLog, repeatedLogFor } from '../observability/repeated-log';
import { type JobBulkEnqueuer, JobQueues } from '../jobs/job-queues';
import { QUEUES } from '../jobs/queues';
import { type BatchEvent, eventRepository, type OutboxBatch } from './event.repository';

/** Registers work to run once the routing transaction has committed (never if it rolls back). */
export type AfterCommit = (work: () => Promise<void>) => void;

/**
 * A destination of new events (trails, event data stores, streaming). Routers run inside the
 * transaction that marks the outbox row routed, so their writes commit exactly once with it.
 * Side effects outside PostgreSQL (queue jobs, pub/sub) go through `afterCommit`, so nothing
 * is announced that a rollback then takes back. A router reads the batch's events through
 * `batchEvents`, so the routers of one attempt share one read.
 */
export interface EventDestinationRouter {
  name: string;
  route(client: PoolClient, batch: OutboxBatch, afterCommit: AfterCommit): Promise<void>;
}

const batchEventReads = new WeakMap<OutboxBatch, Promise<BatchEvent[]>>();

/**
 * The batch's events, read at most once per routing attempt however many routers ask. Keyed by
 * the batch object, which routeOutboxRow builds anew for each attempt, so a retried routing
 * reads again in its own transaction and nothing outlives the attempt.
 */
export function batchEvents(client: PoolClient, batch: OutboxBatch): Promise<BatchEvent[]> {
  let read = batchEventReads.get(batch);
  if (!read) {
    read = eventRepository.eventsOfBatch(client, batch.accountId, batch.eventIds, batch.eventTimes);
    batchEventReads.set(batch, read);
  }
  return read;
}

/**
 * Builds the destination routers, given the outbox's producer (a router may enqueue jobs after
 * commit). The composition root (src/app/services.ts) supplies it; the order is the routing order.
 */
export type EventDestinations = (jobs: JobBulkEnqueuer) => EventDestinationRouter[];

/** A request never waits longer than this on Redis: the sweeper covers what did not get through. */
const ENQUEUE_TIMEOUT_MS = 250;
/** Outbox rows younger than this are left to their request's own enqueue. */
const SWEEP_GRACE_SECONDS = 5;
const SWEEP_BATCH = 1000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined); // a late failure after the timeout must not be unhandled
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The outbox: producers of the event queues, the after-commit enqueue, the sweeper and the
 * exactly-once routing step. Postgres is the truth; Redis only speeds things up.
 */
export class OutboxService {
  /** Destination routers, in routing order, as built by the `destinations` given at construction. */
  readonly routers: EventDestinationRouter[];
  /** Every queue's producer, on this fail-fast connection: the one way to add a job. */
  readonly jobs: JobQueues;
  private readonly redis: RedisConnection;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly repeated: RepeatedLog;

  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly logger: Logger,
    destinations: EventDestinations,
  ) {
    this.repeated = repeatedLogFor(logger, config.logRepeatWindowSeconds);
    // Fail fast instead of queueing commands while Redis is away: a request must never wait on it.
    this.redis = createRedis(config, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      lazyConnect: false,
    });
    this.redis.on('error', () => undefined); // reconnects on its own; failures are logged per enqueue
    this.jobs = new JobQueues(this.redis, config, config);
    this.routers = destinations(this.jobs);
  }

  /**
   * After commit: one aggregation job per outbox row. Fire and forget: never throws and the
   * request does not wait; while Redis is known to be down it is not even tried (the sweeper
   * re-enqueues those rows once it is back).
   */
  enqueue(outboxIds: string[]): void {
    if (outboxIds.length === 0) return;
    if (this.redis.status !== 'ready') {
      // Every request while Redis is away: summarised (the sweeper needs no ids to find them).
      this.repeated.warn(
        'redis:enqueue-skipped',
        { outboxIds, redis: this.redis.status },
        'Redis unavailable; outbox rows left to the sweeper',
      );
      return;
    }
    const sent = this.send(outboxIds);
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }

  private async send(outboxIds: string[]): Promise<void> {
    try {
      await withTimeout(
        this.jobs.enqueueBulk(
          QUEUES.aggregation,
          'aggregation',
          outboxIds.map((id) => ({ data: { outboxId: id } })),
        ),
        ENQUEUE_TIMEOUT_MS,
      );
    } catch (err) {
      this.repeated.warn(
        `redis:enqueue-failed:${(err as Error).message}`,
        { err: (err as Error).message, outboxIds },
        'could not enqueue outbox rows; the sweeper will',
      );
    }
  }

  /**
   * Re-enqueues unrouted rows older than the grace period. The jobId carries the attempt number:
   * an earlier job with the plain id may still sit in the failed set, and BullMQ ignores an add
   * whose jobId exists. Routing twice is harmless (routeOutboxRow is exactly-once).
   */
  async sweep(): Promise<number> {
    const stale = await eventRepository.claimStaleOutbox(this.db.pool, SWEEP_GRACE_SECONDS, SWEEP_BATCH);
    if (stale.length > 0) {
      await this.jobs.enqueueBulk(
        QUEUES.aggregation,
        'aggregation',
        stale.map((r) => ({ data: { outboxId: r.id }, attempt: r.attempts })),
      );
    }
    return stale.length;
  }

  /** The aggregation job: routes one outbox row to every destination, exactly once. */
  async route(outboxId: string): Promise<boolean> {
    const afterCommit: Array<() => Promise<void>> = [];
    const routed = await eventRepository.routeOutboxRow(this.db.pool, outboxId, async (client, batch) => {
      afterCommit.length = 0; // only the attempt that commits counts
      for (const router of this.routers) await router.route(client, batch, (work) => afterCommit.push(work));
    });
    if (!routed) return false;
    for (const work of afterCommit) {
      // Best effort by contract: each router's sweep recovers what did not get out.
      await work().catch((err) => this.logger.warn({ err: (err as Error).message, outboxId }, 'after-commit step of routing failed'));
    }
    return true;
  }

  async close(): Promise<void> {
    await Promise.all(this.inFlight);
    await this.jobs.close();
    this.redis.disconnect();
  }
}
