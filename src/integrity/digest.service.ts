import { randomUUID, sign } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { ServiceObjectWriter } from '../delivery/delivery.service';
import { storageErrorCode } from '../delivery/delivery.service';
import type { JobBulkEnqueuer } from '../jobs/job-queues';
import { QUEUES } from '../jobs/queues';
import { buildDigest, SIGNATURE_ALGORITHM, type DigestLogFile } from './digest-body';
import { digestKey } from './digest-key';
import { digestRepository as repo, type ChainKey, type DigestChain, type ListedLogFile } from './digest.repository';
import { floorSeconds, isoSeconds } from './digest-time';
import type { SigningKeyService } from './signing-keys.service';

export interface DigestSettings {
  /** Length of a regular digest window (CloudTrail: one hour). */
  digestIntervalSeconds: number;
  /** Delivery cadence: the final digest waits up to two ticks for the trail's last log files. */
  deliveryIntervalSeconds: number;
}

/** At most this many digests per chain job (a long outage catches up over several jobs). */
const MAX_DIGESTS_PER_JOB = 500;
const MAX_CHAINS_PER_TICK = 10_000;
/** Late log files are looked for (backfill) among the windows of the last 7 days. */
const BACKFILL_LOOKBACK_MS = 7 * 24 * 3600 * 1000;

/**
 * Digest files (ARCHITECTURE step 5, spec §6): per (trail, account, source region) chain, one
 * signed digest per window listing the log files delivered in it, chained to the previous one.
 * README.md states the invariants; this class only sequences them.
 */
export class DigestService {
  /**
   * A window is digested `graceSeconds` after it ends, so that a delivery transaction that took
   * its `delivered_at` just before the end has committed; one that commits later still is listed
   * by a backfill digest.
   */
  readonly graceSeconds: number;

  constructor(
    private readonly settings: DigestSettings,
    private readonly pool: Pool,
    private readonly writer: ServiceObjectWriter,
    private readonly keys: SigningKeyService,
    private readonly logger: Logger,
  ) {
    this.graceSeconds = settings.digestIntervalSeconds >= 60 ? 5 : 1;
  }

  /** How often the digest tick runs (a fraction of the window, at most a minute). */
  tickSeconds(): number {
    return Math.max(1, Math.min(60, Math.floor(this.settings.digestIntervalSeconds / 4)));
  }

  /** Hook of the trail lifecycle (start/stop logging, validation on/off, delete): chain state now. */
  async trailChanged(trailId: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await repo.reconcile(client, trailId);
    } finally {
      client.release();
    }
  }

  /** The periodic tick: reconcile every chain with the trails, then one job per chain with a digest due. */
  async fanOut(jobs: JobBulkEnqueuer): Promise<number> {
    const client = await this.pool.connect();
    try {
      await repo.reconcile(client, null);
    } finally {
      client.release();
    }
    const due = await repo.dueChains(this.pool, this.settings.digestIntervalSeconds, this.graceSeconds, MAX_CHAINS_PER_TICK);
    if (due.length === 0) return 0;
    await jobs.enqueueBulk(
      QUEUES.digest,
      'digest-chain',
      due.map((k) => ({ data: k })),
    );
    return due.length;
  }

  /**
   * Writes every digest due for one chain: regular windows, the final digest after a stop, a new
   * chain after a restart, then backfill digests for late log files. Single-flight across
   * processes (session advisory lock). Throws on a storage error (recorded in the trail status).
   */
  async processChain(k: ChainKey): Promise<{ digests: number; backfills: number; skipped?: 'locked' }> {
    const client = await this.pool.connect();
    let locked = false;
    try {
      locked = await repo.tryLockChain(client, k);
      if (!locked) return { digests: 0, backfills: 0, skipped: 'locked' };
      const chain = await repo.chain(client, k);
      if (!chain) return { digests: 0, backfills: 0 };
      const digests = await this.regularDigests(client, chain);
      const backfills = await this.backfillDigests(client, chain);
      if (digests > 0) await repo.pruneBefore(client, chain, new Date(Date.now() - BACKFILL_LOOKBACK_MS - 24 * 3600_000));
      return { digests, backfills };
    } finally {
      if (locked) await repo.unlockChain(client, k).catch(() => undefined);
      client.release();
    }
  }

  private async regularDigests(client: PoolClient, chain: DigestChain): Promise<number> {
    const intervalMs = this.settings.digestIntervalSeconds * 1000;
    const now = await repo.dbNow(client);
    const due = new Date(now.getTime() - this.graceSeconds * 1000);
    const maxFinalWaitMs = Math.max(60, 2 * this.settings.deliveryIntervalSeconds) * 1000;
    let written = 0;
    while (written < MAX_DIGESTS_PER_JOB) {
      if (!chain.active) {
        if (!chain.resumeAt) break;
        // A restart begins a new chain: its first digest has all previous* fields null.
        chain.active = true;
        chain.nextStart = floorSeconds(chain.resumeAt > chain.nextStart ? chain.resumeAt : chain.nextStart);
        chain.chainBroken = true;
        chain.resumeAt = null;
        await repo.updateChain(client, chain);
        continue;
      }
      const windowEnd = new Date(chain.nextStart.getTime() + intervalMs);
      const stop = chain.stopAt ? floorSeconds(chain.stopAt) : null;
      // A window ending exactly at the stop is the final one (it also lists the late files).
      if (windowEnd <= due && (stop === null || windowEnd < stop)) {
        await this.writeRegular(client, chain, windowEnd);
        written++;
      } else if (stop !== null && stop <= due) {
        // The final digest covers the remaining log files, up to and including those of events
        // routed before the stop (spec §6.6): it waits (at most two delivery ticks) until they
        // are delivered, unless the trail was restarted meanwhile. Then the chain is broken.
        const waiting = !chain.resumeAt && now.getTime() - stop.getTime() < maxFinalWaitMs && (await repo.hasPendingEvents(client, chain));
        if (waiting) break;
        if (stop > chain.nextStart) {
          await this.writeRegular(client, chain, stop, chain.resumeAt ?? now);
          written++;
        }
        chain.active = false;
        chain.stopAt = null;
        chain.chainBroken = true;
        if (stop > chain.nextStart) chain.nextStart = stop;
        await repo.updateChain(client, chain);
      } else break;
    }
    return written;
  }

  /**
   * One regular digest [chain.nextStart, end]; commits it with the chain's new position. A final
   * digest also lists the files delivered after the stop (`filesUntil`): their events were routed
   * while the trail was logging.
   */
  private async writeRegular(client: PoolClient, chain: DigestChain, end: Date, filesUntil: Date = end): Promise<void> {
    const start = chain.nextStart;
    const files = await repo.undigestedLogFiles(client, chain, start, filesUntil);
    const previous = chain.chainBroken ? null : await repo.latestDigest(client, chain, false);
    let keyEnd = end;
    // Keys carry only the end second: never overwrite an earlier digest (a restart in the same second).
    while (await repo.keyTaken(client, chain.bucket, this.keyOf(chain, keyEnd, false))) keyEnd = new Date(keyEnd.getTime() + 1000);
    await this.write(client, chain, { start, end: keyEnd, files, previous, backfill: false, signAt: keyEnd }, () => {
      chain.nextStart = keyEnd;
      chain.chainBroken = false;
      return repo.updateChain(client, chain);
    });
  }

  /**
   * Log files committed after their window's digest was written (a delivery transaction slower
   * than the grace period) get a backfill digest for that window: `…_backfill.json.gz`, metadata
   * `backfill-generation-timestamp`, signed with the key current at generation, chained to the
   * chain's previous backfill digest. One backfill per window (the key has no other distinguishing
   * part); files of windows that already have one wait for none and are logged.
   */
  private async backfillDigests(client: PoolClient, chain: DigestChain): Promise<number> {
    const now = await repo.dbNow(client);
    const since = new Date(now.getTime() - BACKFILL_LOOKBACK_MS);
    const windows = await repo.regularDigestsSince(client, chain, since);
    if (windows.length === 0) return 0;
    const late = await repo.undigestedLogFiles(client, chain, windows[0].startTime, windows[windows.length - 1].endTime);
    if (late.length === 0) return 0;
    let written = 0;
    for (const w of windows) {
      const files = late.filter((f) => f.deliveredAt >= w.startTime && f.deliveredAt < w.endTime);
      if (files.length === 0) continue;
      if (await repo.keyTaken(client, chain.bucket, this.keyOf(chain, w.endTime, true))) {
        this.logger.warn(
          { trailId: chain.trailId, window: isoSeconds(w.endTime), files: files.length },
          'late log files for a window that already has a backfill digest',
        );
        continue;
      }
      const previous = await repo.latestDigest(client, chain, true);
      await this.write(client, chain, {
        start: w.startTime,
        end: w.endTime,
        files,
        previous,
        backfill: true,
        signAt: now,
        generatedAt: now,
      });
      written++;
    }
    return written;
  }

  private keyOf(chain: DigestChain, end: Date, backfill: boolean): string {
    return digestKey({
      prefix: chain.keyPrefix,
      organizationId: chain.organizationId,
      accountId: chain.accountId,
      region: chain.region,
      trailName: chain.trailName,
      homeRegion: chain.homeRegion,
      endTime: end,
      backfill,
    });
  }

  /**
   * Spec §6.4 production order: JSON, gzip, SHA-256 of the JSON, string to sign with the final
   * location, sign, PUT with the signature metadata, then remember (commit) what the next digest
   * embeds. A crash between PUT and commit leaves an object no chain points to; the retry
   * rewrites the same key.
   */
  private async write(
    client: PoolClient,
    chain: DigestChain,
    d: {
      start: Date;
      end: Date;
      files: ListedLogFile[];
      previous: { bucket: string; objectKey: string; sha256: string; signature: string } | null;
      backfill: boolean;
      signAt: Date;
      generatedAt?: Date;
    },
    inCommit?: () => Promise<void>,
  ): Promise<void> {
    const key = this.keyOf(chain, d.end, d.backfill);
    const signer = await this.keys.signerAt(chain.region, d.signAt);
    const logFiles: DigestLogFile[] = d.files.map((f) => ({
      bucket: f.bucket,
      key: f.key,
      sha256: f.sha256,
      objectSha256: f.objectSha256,
      oldestEventTime: f.oldestEventTime,
      newestEventTime: f.newestEventTime,
    }));
    const built = await buildDigest({
      accountId: chain.accountId,
      startTime: d.start,
      endTime: d.end,
      bucket: chain.bucket,
      key,
      fingerprint: signer.fingerprint,
      previous: d.previous && {
        bucket: d.previous.bucket,
        key: d.previous.objectKey,
        sha256: d.previous.sha256,
        signature: d.previous.signature,
      },
      logFiles,
    });
    const signature = sign('sha256', Buffer.from(built.toSign, 'utf8'), signer.privateKey).toString('hex');
    const metadata: Record<string, string> = { signature, 'signature-algorithm': SIGNATURE_ALGORITHM };
    if (d.generatedAt) metadata['backfill-generation-timestamp'] = isoSeconds(d.generatedAt);
    const status = { trailId: chain.trailId, region: chain.region, trailAccountId: chain.trailAccountId };
    try {
      // Digests are never KMS-encrypted (spec §6.1): written as the service, without the trail's key.
      await this.writer.putServiceObject(chain.bucket, key, built.gzipped, {
        contentType: 'application/json',
        contentEncoding: 'gzip',
        metadata,
        source: { accountId: chain.trailAccountId, arns: [chain.trailArn] },
      });
    } catch (err) {
      const code = storageErrorCode(err);
      await repo.digestStatus(client, status, new Date(), code).catch(() => undefined);
      this.logger.warn({ trailId: chain.trailId, bucket: chain.bucket, key, code }, 'digest delivery failed; will retry');
      throw err;
    }
    await client.query('BEGIN');
    try {
      await repo.insertDigest(
        client,
        chain,
        {
          id: randomUUID(),
          bucket: chain.bucket,
          objectKey: key,
          startTime: d.start,
          endTime: d.end,
          sha256: built.sha256,
          signature,
          backfill: d.backfill,
        },
        d.files.map((f) => f.id),
      );
      if (inCommit) await inCommit();
      await repo.digestStatus(client, status, new Date(), null);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}
