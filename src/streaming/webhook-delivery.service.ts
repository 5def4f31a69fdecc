import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { JobQueues } from '../jobs/job-queues';
import { QUEUES, webhookJobId } from '../jobs/queues';
import { deadLetterRepository } from './dead-letter.repository';
import { toEventBridgeEnvelope } from './event-envelope';
import { type PendingDelivery, type StoredRecord, webhookDeliveryRepository as repo } from './webhook-delivery.repository';
import { sendSignedWebhook, type WebhookResult } from '../common/webhooks/webhook-sender';
import { webhookTargetStateRepository as targets } from './webhook-target-state.repository';

/**
 * Pending rows older than this without progress are re-enqueued by the sweep, if their job is not
 * alive in Redis (waiting, delayed or active). Short, because the job state check makes a sweep
 * of a live row a no-op; it bounds the delay when a job was lost between routing and enqueue.
 */
const SWEEP_AFTER_SECONDS = 15;
/** Outbox rows whose jobs are woken when a failing receiver accepts again. */
const WAKE_LIMIT = 1000;
/** Shortest wait of a deferred job (a job woken a little before the database's clock says "due"). */
const MIN_DEFER_MS = 20;

export class RetryableDeliveryError extends Error {}

/** `retryAt`: the job is to run again then (the worker delays it; no BullMQ attempt is used). */
export interface DeliveryOutcome {
  sent: number;
  deadLettered: number;
  retryAt?: Date;
}

/**
 * The `webhook` queue's work. One job = one (batch, rule): each matching event is POSTed as its
 * own EventBridge envelope, in event order (delivery id `<rule id>:<event id>`, stable across
 * retries). Progress is committed after every accepted POST, before the next one, so a crash at
 * any point resends at most the POST in flight; a lease on the row keeps two runs apart.
 *
 * A receiver that fails is put in backoff for its rule (webhook_target_states): exponential from
 * WEBHOOK_BACKOFF_MS with jitter, capped at WEBHOOK_MAX_BACKOFF_MS. Meanwhile one delivery probes
 * per step and the others wait without POSTing. A batch's events become dead letters after
 * WEBHOOK_MAX_ATTEMPTS failed attempts of that batch or once older than
 * WEBHOOK_MAX_EVENT_AGE_SECONDS (EventBridge: 185 attempts, 24 hours).
 */
export class WebhookDeliveryService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly jobs: Pick<JobQueues, 'enqueue' | 'queue'>,
    private readonly logger: Logger,
  ) {}

  /** A run's hold on a row: a POST and a progress write fit in it with room to spare. */
  private leaseMs(): number {
    return this.config.webhookTimeoutMs + 5000;
  }

  async deliver(ruleId: string, outboxId: string): Promise<DeliveryOutcome> {
    const pool = this.db.pool;
    // Routing enqueues after its commit, but a job can still be older than its row's routing (a
    // sweep of a batch whose routing is being retried). Read the routed mark FIRST: the mark and
    // the pending row commit together, so once the mark is seen the row is visible too (or was
    // already finished); no row and no mark means "not yet", and the job retries.
    const routed = await repo.outboxRouted(pool, outboxId);
    const pending = await repo.pending(pool, ruleId, outboxId);
    if (!pending) {
      if (routed) return { sent: 0, deadLettered: 0 };
      throw new RetryableDeliveryError(`routing of outbox row ${outboxId} has not committed yet`);
    }
    const rule = await repo.ruleById(pool, ruleId);
    if (!rule) {
      await repo.remove(pool, ruleId, outboxId); // the rule was deleted: nothing to deliver to
      await targets.clear(pool, ruleId);
      return { sent: 0, deadLettered: 0 };
    }
    const token = randomUUID();
    const leased = await repo.lease(pool, ruleId, outboxId, token, this.leaseMs(), this.config.webhookMaxEventAgeSeconds);
    // Another run holds the row (a job BullMQ took for stalled, or a killed run whose lease has
    // not run out yet): look again when the lease ends.
    if (!leased) return { sent: 0, deadLettered: 0, retryAt: this.deferUntil(pending.leasedUntil) };
    try {
      return await this.deliverLeased(rule, leased, token);
    } catch (err) {
      await repo.release(pool, ruleId, outboxId, token).catch(() => undefined);
      throw err;
    }
  }

  private async deliverLeased(
    rule: { id: string; webhookUrl: string; signingSecret: string },
    d: PendingDelivery,
    token: string,
  ): Promise<DeliveryOutcome> {
    const pool = this.db.pool;
    const ids = d.eventIds.slice(d.delivered);
    const times = d.eventTimes.slice(d.delivered);
    const byId = new Map((await repo.records(pool, d.accountId, ids, times)).map((r) => [r.eventId, r]));
    if (ids.length === 0) {
      await repo.removeLeased(pool, d.ruleId, d.outboxId, token); // nothing left (defensive: routing never writes an empty row)
      return { sent: 0, deadLettered: 0 };
    }
    const gate = await targets.get(pool, rule.id);
    // Past the budget while waiting behind a failing receiver (its probes counted for this batch
    // too), or too old: dead letters without another POST.
    if (d.expired || d.attempts >= this.config.webhookMaxAttempts) {
      const reason = gate?.lastError ?? d.lastError ?? 'Maximum event age exceeded';
      return { sent: 0, deadLettered: await this.deadLetter(d, token, ids, byId, reason, d.attempts) };
    }
    let probing = false;
    if (gate) {
      // The receiver is in backoff: only the delivery that claims the probe POSTs.
      const claimed = await targets.claimProbe(pool, rule.id, this.config.webhookTimeoutMs + 2000);
      if (!claimed) {
        await repo.release(pool, d.ruleId, d.outboxId, token);
        const fresh = (await targets.get(pool, rule.id)) ?? gate;
        const wait = Math.max(fresh.nextAttemptAt.getTime(), fresh.probeUntil?.getTime() ?? 0);
        return { sent: 0, deadLettered: 0, retryAt: this.deferUntil(new Date(wait)) };
      }
      probing = true;
    }
    let sent = 0;
    for (let i = 0; i < ids.length; i++) {
      const stored = byId.get(ids[i]!);
      const last = i === ids.length - 1;
      // An event gone from history (its partition dropped) cannot be sent; it counts as done.
      if (stored) {
        const envelope = toEventBridgeEnvelope(d.accountId, JSON.parse(stored.record));
        const result = await sendSignedWebhook(
          { url: rule.webhookUrl, secret: rule.signingSecret, body: envelope, id: `${rule.id}:${stored.eventId}` },
          this.config,
        );
        if (!result.ok) return this.failed(d, token, ids.slice(i), times.slice(i), byId, result, probing, sent);
        sent++;
        if (probing) {
          probing = false;
          await targets.clear(pool, rule.id);
          void this.wakeRule(rule.id, d.outboxId);
        }
      }
      // Durable before the next POST: a crash from here on does not resend this event.
      if (last) await repo.removeLeased(pool, d.ruleId, d.outboxId, token);
      else if (!(await repo.progress(pool, d.ruleId, d.outboxId, token, d.delivered + i + 1, this.leaseMs()))) {
        this.logger.warn({ ruleId: d.ruleId, outboxId: d.outboxId }, 'webhook delivery lost its lease; another run continues');
        return { sent, deadLettered: 0 };
      }
    }
    return { sent, deadLettered: 0 };
  }

  /** A failed POST: backoff for the rule, an attempt for the batch, dead letters past the budget. */
  private async failed(
    d: PendingDelivery,
    token: string,
    ids: string[],
    times: Date[],
    byId: Map<string, StoredRecord>,
    result: WebhookResult,
    probing: boolean,
    sent: number,
  ): Promise<DeliveryOutcome> {
    const error = result.error ?? `HTTP ${result.status}`;
    // The tenant sees `error` (a failure class); the socket detail is for operators only.
    this.logger.warn(
      { ruleId: d.ruleId, outboxId: d.outboxId, failure: result.failure, status: result.status, detail: result.detail },
      'webhook POST failed',
    );
    const gate = await targets.recordFailure(this.db.pool, d.ruleId, error, probing, {
      firstMs: this.config.webhookBackoffMs,
      maxMs: this.config.webhookMaxBackoffMs,
    });
    // A counted failure is an attempt for every batch of the rule, this one included.
    if (gate.counted) await repo.countAttemptForRule(this.db.pool, d.ruleId, error);
    const attempts = d.attempts + 1;
    if (attempts >= this.config.webhookMaxAttempts) {
      return { sent, deadLettered: await this.deadLetter(d, token, ids, byId, error, attempts) };
    }
    await repo.recordFailure(this.db.pool, d, token, { eventIds: ids, eventTimes: times }, attempts, error);
    return { sent, deadLettered: 0, retryAt: this.deferUntil(gate.nextAttemptAt) };
  }

  private async deadLetter(
    d: PendingDelivery,
    token: string,
    ids: string[],
    byId: Map<string, StoredRecord>,
    error: string,
    attempts: number,
  ): Promise<number> {
    const letters = ids.flatMap((id) => {
      const r = byId.get(id);
      return r ? [{ eventId: id, envelope: toEventBridgeEnvelope(d.accountId, JSON.parse(r.record)) }] : [];
    });
    // The row goes and its dead letters come in one transaction, and only while this run still
    // holds the lease: a run that lost it (its lease ran out during the POST) leaves both to the
    // run that holds the row now, or the events would be dead-lettered and delivered too.
    const held = await this.db.asService(
      async (client) => {
        if (!(await repo.removeLeased(client, d.ruleId, d.outboxId, token))) return false;
        await deadLetterRepository.insert(client, d.accountId, d.ruleId, letters, error, attempts);
        return true;
      },
      { transaction: true },
    );
    if (!held) {
      this.logger.warn({ ruleId: d.ruleId, outboxId: d.outboxId }, 'webhook delivery lost its lease; another run continues');
      return 0;
    }
    this.logger.warn({ ruleId: d.ruleId, outboxId: d.outboxId, events: letters.length, error, attempts }, 'webhook events dead-lettered');
    return letters.length;
  }

  private deferUntil(at: Date | null): Date {
    return new Date(Math.max(at?.getTime() ?? 0, Date.now() + MIN_DEFER_MS));
  }

  /** The receiver is back: the rule's waiting deliveries run now instead of at their backoff time. */
  private async wakeRule(ruleId: string, exceptOutboxId: string): Promise<void> {
    try {
      for (const outboxId of await repo.pendingOfRule(this.db.pool, ruleId, WAKE_LIMIT)) {
        if (outboxId === exceptOutboxId) continue;
        const job = await this.jobs.queue(QUEUES.webhook).getJob(webhookJobId(ruleId, outboxId));
        if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
      }
    } catch (err) {
      this.logger.warn({ ruleId, err: (err as Error).message }, 'could not wake waiting webhook deliveries');
    }
  }

  /** Re-sends dead letters; each is removed when its receiver accepts it. Throws (retry) if any failed. */
  async redrive(ruleId: string, deadLetterIds: string[]): Promise<{ sent: number; failed: number }> {
    const rule = await repo.ruleById(this.db.pool, ruleId);
    if (!rule) return { sent: 0, failed: 0 };
    let sent = 0;
    let failed = 0;
    for (const id of deadLetterIds) {
      await this.db.asService(
        async (client) => {
          const letter = await deadLetterRepository.lock(client, id);
          if (!letter || letter.ruleId !== ruleId) return; // gone, or being redriven elsewhere
          const result = await sendSignedWebhook(
            { url: rule.webhookUrl, secret: rule.signingSecret, body: letter.envelope, id: `${ruleId}:${letter.eventId}` },
            this.config,
          );
          if (result.ok) {
            await deadLetterRepository.remove(client, id);
            sent++;
          } else {
            this.logger.warn(
              { ruleId, deadLetterId: id, failure: result.failure, status: result.status, detail: result.detail },
              'webhook redrive POST failed',
            );
            await deadLetterRepository.recordRedriveFailure(client, id, result.error ?? `HTTP ${result.status}`);
            failed++;
          }
        },
        { transaction: true },
      );
    }
    if (sent > 0 && (await targets.get(this.db.pool, ruleId))) {
      // The receiver accepted: end its backoff so the rule's waiting batches go out now.
      await targets.clear(this.db.pool, ruleId);
      await this.wakeRule(ruleId, '');
    }
    if (failed > 0) throw new RetryableDeliveryError(`${failed} dead letters could not be redriven`);
    return { sent, failed };
  }

  /** Re-enqueues pending deliveries whose job is gone (Redis lost it) or failed for good; drops deleted rules' backoff. */
  async sweep(): Promise<number> {
    await targets.removeOrphans(this.db.pool);
    const stale = await repo.claimStale(this.db.pool, SWEEP_AFTER_SECONDS, 500);
    let requeued = 0;
    for (const { ruleId, outboxId } of stale) {
      const jobId = webhookJobId(ruleId, outboxId);
      const job = await this.jobs.queue(QUEUES.webhook).getJob(jobId);
      const state = job ? await job.getState() : 'unknown';
      if (state === 'failed' || state === 'completed') await job!.remove();
      else if (state !== 'unknown') continue; // alive: waiting, delayed or active
      await this.jobs.enqueue(QUEUES.webhook, 'deliver', { kind: 'deliver', ruleId, outboxId });
      requeued++;
    }
    return requeued;
  }
}
