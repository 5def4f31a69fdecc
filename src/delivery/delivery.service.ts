import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { JobBulkEnqueuer } from '../jobs/job-queues';
import { QUEUES } from '../jobs/queues';
import { trailRepository, type TrailTarget } from '../trails/trail.repository';
import { buildLogFileBody, MAX_RECORDS_PER_FILE, MAX_UNCOMPRESSED_BYTES_PER_FILE } from './log-file-body';
import { logFileKey, uniqueSuffix } from './log-file-key';
import type { LogFileNotifier } from './log-file-notifier';
import { trailDeliveryStatusRepository as statusRepo } from './trail-delivery-status.repository';
import { trailLogFileRepository as files, type ClaimedLogFile, type DeliveryGroup, type PendingLogFile } from './trail-log-file.repository';

/** How the worker writes into a bucket as the CloudTrail service (src/storage: bucket policy checked). */
export interface ServiceObjectWriter {
  putServiceObject(
    bucket: string,
    key: string,
    body: Buffer,
    options: {
      contentType: string;
      contentEncoding: string;
      metadata?: Record<string, string>;
      /**
       * aws:SourceAccount (the trail's owner) and aws:SourceArn (the trail ARN), as CloudTrail sends
       * them: in another tenant's bucket only a grant naming them lets the write through.
       */
      source: { accountId: string; arns: readonly string[] };
      /** SSE-KMS under the trail's key (log and Insights files only; digests keep the default SSE). */
      kms?: { keyArn: string; context: Record<string, string> };
    },
  ): Promise<void>;
}

export interface DeliveryOptions {
  maxRecordsPerFile?: number;
  maxBytesPerFile?: number;
  /** Test hook: called after the object is written and before the delivery commits. */
  afterObjectWritten?: (file: PendingLogFile) => Promise<void>;
}

export interface GroupResult {
  skipped?: 'locked' | 'trail-deleted';
  files: number;
  events: number;
}

/** Per tick, at most this many groups are fanned out (the next tick takes the rest). */
const MAX_GROUPS_PER_TICK = 10_000;

/**
 * Delivery (ARCHITECTURE step 4): pending trail events become gzip JSON log files in the trail's
 * bucket, each event exactly once per trail (README.md has the argument).
 */
export class DeliveryService {
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly notifications = new Set<Promise<void>>();

  constructor(
    private readonly config: Config,
    private readonly pool: Pool,
    private readonly writer: ServiceObjectWriter,
    private readonly notifier: LogFileNotifier,
    private readonly logger: Logger,
    private readonly options: DeliveryOptions = {},
  ) {
    this.maxRecords = options.maxRecordsPerFile ?? MAX_RECORDS_PER_FILE;
    this.maxBytes = options.maxBytesPerFile ?? MAX_UNCOMPRESSED_BYTES_PER_FILE;
  }

  /** The periodic tick: one job per group with pending work; running or retrying groups are left alone. */
  async fanOut(jobs: JobBulkEnqueuer): Promise<number> {
    const groups = await files.groupsWithPendingEvents(this.pool, MAX_GROUPS_PER_TICK);
    if (groups.length === 0) return 0;
    // One job id per group (deliveryJobId): a group already queued or retrying is left alone.
    await jobs.enqueueBulk(
      QUEUES.delivery,
      'deliver-group',
      groups.map((g) => ({ data: g })),
    );
    return groups.length;
  }

  /**
   * Delivers everything pending for one group. Single-flight across processes: a session advisory
   * lock on a dedicated connection (released by PostgreSQL if this process dies). Throws on a
   * storage error after recording it in the trail's status, so the job retries with backoff.
   */
  async deliverGroup(g: DeliveryGroup): Promise<GroupResult> {
    const client = await this.pool.connect();
    let locked = false;
    try {
      locked = await files.tryLockGroup(client, g);
      if (!locked) return { skipped: 'locked', files: 0, events: 0 };
      const trail = await trailRepository.deliveryTarget(client, g.trailId);
      if (!trail) {
        await files.dropTrailBacklog(client, g.trailId);
        return { skipped: 'trail-deleted', files: 0, events: 0 };
      }
      const result: GroupResult = { files: 0, events: 0 };
      // A pending file first (a crash or a storage error left it): claiming only when the group
      // has none is what keeps every pending row of the group unclaimed at claim time. Under the
      // lock only this loop claims, and it delivers each file before the next claim: after a file
      // it claimed itself the group has none left, so it looks again only after a left-over one.
      let pending = await files.findPendingFile(client, g);
      for (;;) {
        const claimed = pending ? null : await this.claim(client, g, trail);
        const file = pending ?? claimed?.file;
        if (!file) return result;
        const records = claimed ? claimed.records : await files.recordsOfFile(client, file);
        result.events += await this.deliverFile(client, trail, file, records);
        result.files++;
        pending = pending ? await files.findPendingFile(client, g) : null;
      }
    } finally {
      if (locked) await files.unlockGroup(client, g).catch(() => undefined);
      client.release();
    }
  }

  private claim(client: PoolClient, g: DeliveryGroup, trail: TrailTarget): Promise<ClaimedLogFile | null> {
    return files.claimNextFile(
      client,
      g,
      {
        trailAccountId: trail.accountId,
        bucket: trail.s3BucketName,
        keyFor: () =>
          logFileKey({
            prefix: trail.s3KeyPrefix,
            organizationId: trail.isOrganizationTrail ? trail.organizationId : null,
            accountId: g.accountId,
            region: g.region,
            deliveredAt: new Date(),
            unique: uniqueSuffix(),
            kind: g.kind,
          }),
      },
      { maxRecords: this.maxRecords, maxBytes: this.maxBytes },
    );
  }

  /** Writes one fixed file (again, after a crash: same key, same events, same bytes) and commits it. */
  private async deliverFile(client: PoolClient, trail: TrailTarget, file: PendingLogFile, records: string[]): Promise<number> {
    const status = { trailId: trail.id, region: file.region, trailAccountId: trail.accountId };
    const body = await buildLogFileBody(records);
    try {
      await this.writer.putServiceObject(file.bucket, file.objectKey, body.gzipped, {
        contentType: 'application/json',
        contentEncoding: 'gzip',
        source: { accountId: trail.accountId, arns: [trail.trailArn] },
        ...logFileEncryption(trail),
      });
    } catch (err) {
      const code = storageErrorCode(err);
      await statusRepo.deliveryFailed(client, status, new Date(), code);
      this.logger.warn({ trailId: trail.id, bucket: file.bucket, key: file.objectKey, code }, 'log file delivery failed; will retry');
      throw err;
    }
    if (this.options.afterObjectWritten) await this.options.afterObjectWritten(file);
    await client.query('BEGIN');
    try {
      await files.markDelivered(
        client,
        file,
        { sha256: body.sha256, objectSha256: body.objectSha256, byteSize: body.gzipped.length, uncompressedSize: body.uncompressedSize },
        records.length,
      );
      await statusRepo.deliverySucceeded(client, status, new Date());
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    if (trail.snsTopicName) this.notify(trail, file);
    return records.length;
  }

  /** Fire and forget (see LogFileNotifier); tracked so close() can wait for the ones in flight. */
  private notify(trail: TrailTarget, file: PendingLogFile): void {
    const sent = this.notifier
      .notify(this.pool, trail, file)
      .then(
        () => undefined,
        (err) => this.logger.warn({ err, trailId: trail.id }, 'log file notification failed'),
      )
      .finally(() => this.notifications.delete(sent));
    this.notifications.add(sent);
  }

  /** Waits for notifications still in flight (worker shutdown). */
  async drainNotifications(): Promise<void> {
    await Promise.all([...this.notifications]);
  }
}

/**
 * SSE-KMS of a trail's log files when it names a key: the encryption context CloudTrail uses
 * (`aws:cloudtrail:arn` = trail ARN). A key failure (disabled, deleted, policy) fails the write
 * with its `KMS.<code>`, recorded like any other delivery error; events stay pending.
 */
export function logFileEncryption(trail: Pick<TrailTarget, 'kmsKeyId' | 'trailArn'>): {
  kms?: { keyArn: string; context: Record<string, string> };
} {
  return trail.kmsKeyId ? { kms: { keyArn: trail.kmsKeyId, context: { 'aws:cloudtrail:arn': trail.trailArn } } } : {};
}

/** S3-style code of a failed write (AccessDenied, NoSuchBucket …) for LatestDeliveryError. */
export function storageErrorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Za-z][A-Za-z0-9.]*$/.test(code) ? code : 'InternalError';
}

export type { TrailTarget };
