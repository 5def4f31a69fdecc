import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { deadLetterRepository } from './dead-letter.repository';
import { toEventBridgeEnvelope } from './event-envelope';
import { webhookDeliveryRepository as repo } from './webhook-delivery.repository';
import { webhookJobId, webhookJobOptions } from './webhook-jobs';
import { sendSignedWebhook } from './webhook-sender';

/** Pending rows older than this without progress are re-enqueued by the sweep. */
const SWEEP_AFTER_SECONDS = 60;

export class RetryableDeliveryError extends Error {}

/**
 * The `webhook` queue's work. One job = one (batch, rule): each matching event is POSTed as its
 * own EventBridge envelope, in event order (delivery id `<rule id>:<event id>`, stable across
 * retries). Sent events leave the pending row at once, so a retry resends only the rest. After
 * WEBHOOK_MAX_ATTEMPTS failed attempts the remaining events become dead letters.
 */
export class WebhookDeliveryService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly queue: () => Queue,
    private readonly logger: Logger,
  ) {}

  jobOptions() {
    return webhookJobOptions(this.config);
  }

  async deliver(ruleId: string, outboxId: string): Promise<{ sent: number; deadLettered: number }> {
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
      return { sent: 0, deadLettered: 0 };
    }
    const records = await repo.records(pool, pending.accountId, pending.eventIds, pending.eventTimes);
    let sent = 0;
    let error: string | null = null;
    for (const stored of records) {
      const envelope = toEventBridgeEnvelope(pending.accountId, JSON.parse(stored.record));
      const result = await sendSignedWebhook(
        { url: rule.webhookUrl, secret: rule.signingSecret, body: envelope, id: `${ruleId}:${stored.eventId}` },
        this.config,
      );
      if (!result.ok) {
        error = result.error ?? `HTTP ${result.status}`;
        break;
      }
      sent++;
    }
    if (error === null) {
      await repo.remove(pool, ruleId, outboxId);
      return { sent, deadLettered: 0 };
    }
    const remaining = records.slice(sent);
    const attempts = pending.attempts + 1;
    if (attempts >= this.config.webhookMaxAttempts) {
      await this.db.asService(async (client) => {
        await deadLetterRepository.insert(
          client, pending.accountId, ruleId,
          remaining.map((r) => ({ eventId: r.eventId, envelope: toEventBridgeEnvelope(pending.accountId, JSON.parse(r.record)) })),
          error!, attempts,
        );
        await repo.remove(client, ruleId, outboxId);
      }, { transaction: true });
      this.logger.warn({ ruleId, outboxId, events: remaining.length, error }, 'webhook events dead-lettered');
      return { sent, deadLettered: remaining.length };
    }
    await repo.recordFailure(pool, pending, remaining, attempts, error);
    throw new RetryableDeliveryError(`webhook delivery failed (attempt ${attempts}): ${error}`);
  }

  /** Re-sends dead letters; each is removed when its receiver accepts it. Throws (retry) if any failed. */
  async redrive(ruleId: string, deadLetterIds: string[]): Promise<{ sent: number; failed: number }> {
    const rule = await repo.ruleById(this.db.pool, ruleId);
    if (!rule) return { sent: 0, failed: 0 };
    let sent = 0;
    let failed = 0;
    for (const id of deadLetterIds) {
      await this.db.asService(async (client) => {
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
          await deadLetterRepository.recordRedriveFailure(client, id, result.error ?? `HTTP ${result.status}`);
          failed++;
        }
      }, { transaction: true });
    }
    if (failed > 0) throw new RetryableDeliveryError(`${failed} dead letters could not be redriven`);
    return { sent, failed };
  }

  /** Re-enqueues pending deliveries whose job is gone (Redis lost it) or failed for good. */
  async sweep(): Promise<number> {
    const stale = await repo.claimStale(this.db.pool, SWEEP_AFTER_SECONDS, 500);
    let requeued = 0;
    for (const { ruleId, outboxId } of stale) {
      const jobId = webhookJobId(ruleId, outboxId);
      const job = await this.queue().getJob(jobId);
      const state = job ? await job.getState() : 'unknown';
      if (state === 'failed' || state === 'completed') await job!.remove();
      else if (state !== 'unknown') continue; // alive: waiting, delayed or active
      await this.queue().add('deliver', { kind: 'deliver', ruleId, outboxId }, { ...this.jobOptions(), jobId });
      requeued++;
    }
    return requeued;
  }
}
