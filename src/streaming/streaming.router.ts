import { createRedis, isCluster, type RedisConnection } from '../common/redis-client';
import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { type AfterCommit, batchEvents, type EventDestinationRouter } from '../events/outbox.service';
import type { JobBulkEnqueuer } from '../jobs/job-queues';
import { QUEUES } from '../jobs/queues';
import type { OutboxBatch } from '../events/event.repository';
import { type EventBridgeEnvelope, MAX_EVENT_BYTES, ruleStateAccepts, toEventBridgeEnvelope } from './event-envelope';
import { liveChannel, type LiveMessage } from './live-events.hub';
import { cachedPattern } from './pattern-cache';
import { type StoredRecord, storedRecordOf, webhookDeliveryRepository as repo } from './webhook-delivery.repository';

/** Live messages stay well under Redis' limits and a client's patience. */
const LIVE_CHUNK_BYTES = 512 * 1024;

/**
 * Routes each new batch of an account to (1) its event rules: one pending row and ONE `webhook`
 * job per (batch, rule) with matching events, and (2) the account's live channel, when anyone
 * listens. Rules of other accounts are never read: the query is by the batch's account.
 */
export class StreamingRouter implements EventDestinationRouter {
  readonly name = 'streaming';

  private publisher: RedisConnection | null = null;

  /** Jobs go through the outbox's producer; live messages through a fail-fast connection of its own. */
  constructor(
    private readonly config: Config,
    private readonly jobs: JobBulkEnqueuer,
    private readonly logger: Logger,
  ) {
    this.redis(); // connect now: the first batch after a subscriber arrives must find it ready
  }

  private redis(): RedisConnection {
    if (!this.publisher) {
      // Like the outbox producer: never queue commands while Redis is away (routing must not wait).
      this.publisher = createRedis(this.config, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
      this.publisher.on('error', () => undefined);
    }
    return this.publisher;
  }

  close(): void {
    this.publisher?.disconnect();
    this.publisher = null;
  }

  async route(client: PoolClient, batch: OutboxBatch, afterCommit: AfterCommit): Promise<void> {
    const rules = await repo.enabledRules(client, batch.accountId);
    const live = await this.liveListeners(batch.accountId);
    if (rules.length === 0 && !live) return;
    // The batch's read is shared with the other routers of this attempt.
    const records = (await batchEvents(client, batch)).map(storedRecordOf);
    // Parsed and wrapped at most once per event, and only for events some rule of their region
    // gets as far as looking at (the envelope id is a SHA-256: not once per rule).
    const candidates = records.map((stored) => ({
      stored,
      record: undefined as Record<string, unknown> | undefined,
      envelope: undefined as EventBridgeEnvelope | undefined,
    }));
    const recordOf = (c: (typeof candidates)[number]) => (c.record ??= JSON.parse(c.stored.record) as Record<string, unknown>);
    const envelopeOf = (c: (typeof candidates)[number]) => (c.envelope ??= toEventBridgeEnvelope(batch.accountId, recordOf(c)));

    const byRule = new Map<string, StoredRecord[]>();
    for (const rule of rules) {
      let pattern;
      try {
        pattern = cachedPattern(rule.eventPattern);
      } catch {
        continue; // validated on write; an unreadable legacy pattern matches nothing
      }
      const matching = candidates.filter(
        (c) =>
          c.stored.region === rule.region &&
          c.stored.bytes <= MAX_EVENT_BYTES && // EventBridge does not deliver events over 256 KB
          ruleStateAccepts(rule.state, recordOf(c)) &&
          pattern(envelopeOf(c)),
      );
      if (matching.length > 0)
        byRule.set(
          rule.id,
          matching.map((m) => m.stored),
        );
    }
    const fresh = await repo.insertPending(client, batch.id, batch.accountId, byRule);
    // Only once the pending rows are committed: a job never runs ahead of its row, and live
    // listeners never see a batch whose routing rolled back (and will be routed again).
    if (fresh.length > 0) afterCommit(() => this.enqueue(fresh, batch.id));
    if (live) afterCommit(() => this.publishLive(batch.accountId, records));
  }

  /** After commit; a job lost here (Redis away) is re-enqueued by the webhook sweep. */
  private async enqueue(ruleIds: string[], outboxId: string): Promise<void> {
    try {
      await this.jobs.enqueueBulk(
        QUEUES.webhook,
        'deliver',
        ruleIds.map((ruleId) => ({ data: { kind: 'deliver' as const, ruleId, outboxId } })),
      );
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, outboxId }, 'could not enqueue webhook jobs; the sweep will');
    }
  }

  private async liveListeners(accountId: string): Promise<boolean> {
    // On a Redis Cluster PUBSUB NUMSUB counts one node's subscribers only, while a PUBLISH reaches
    // every node's: there is no cheap cluster-wide answer, so the batch is published.
    if (isCluster(this.redis())) return true;
    try {
      const [, count] = (await this.redis().pubsub('NUMSUB', liveChannel(this.config.redisPrefix, accountId))) as [string, number];
      return Number(count) > 0;
    } catch {
      return false; // live streams are best effort
    }
  }

  private async publishLive(accountId: string, records: StoredRecord[]): Promise<void> {
    let chunk: LiveMessage['events'] = [];
    let size = 0;
    const flush = async () => {
      if (chunk.length === 0) return;
      const message: LiveMessage = { accountId, events: chunk };
      chunk = [];
      size = 0;
      await this.redis()
        .publish(liveChannel(this.config.redisPrefix, accountId), JSON.stringify(message))
        .catch(() => 0);
    };
    for (const r of records) {
      chunk.push({ region: r.region, record: r.record });
      size += r.bytes;
      if (size >= LIVE_CHUNK_BYTES) await flush();
    }
    await flush();
  }
}
