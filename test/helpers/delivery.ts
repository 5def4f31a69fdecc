import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { accountRepository } from '../../src/accounts/account.repository';
import { normaliseRecord, type EventRow } from '../../src/events/event-record';
import type { Services } from '../../src/app/services';
import { BucketEntity } from '../../src/storage/bucket.entity';
import type { ObjectStore } from '../../src/storage/object-store';
import { TrailEntity } from '../../src/trails/trail.entity';
import type { Database } from '../../src/db/database';

/** Trail rows straight into the table (the trails API is another module's; delivery reads rows). */
export async function insertTrail(
  db: Database,
  t: Partial<TrailEntity> & { accountId: string; name: string; s3BucketName: string; homeRegion: string },
): Promise<TrailEntity> {
  const repo = db.dataSource.getRepository(TrailEntity);
  return repo.save(
    repo.create({
      organizationId: null,
      isOrganizationTrail: false,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: true,
      isLogging: true,
      trailArn: `arn:aws:cloudtrail:${t.homeRegion}:${t.accountId}:trail/${t.name}`,
      ...t,
    }),
  );
}

/**
 * A bucket policy letting CloudTrail write anywhere in the bucket for `accountId` (spec §5.3, with
 * the aws:SourceAccount condition CloudTrail accepts instead of aws:SourceArn).
 */
export function cloudTrailBucketPolicy(bucket: string, accountId: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck20150319',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
      {
        Sid: 'AWSCloudTrailWrite20150319',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceAccount': accountId } },
      },
    ],
  };
}

/** A bucket row (with a policy that lets CloudTrail write for its owner, unless one is given) and its container. */
export async function insertBucket(
  db: Database,
  store: ObjectStore,
  accountId: string,
  name: string,
  region = 'us-east-1',
  policy: unknown = cloudTrailBucketPolicy(name, accountId),
): Promise<void> {
  await db.dataSource.getRepository(BucketEntity).save({ name, accountId, region, policy: policy as BucketEntity['policy'] });
  await store.createBucket(name);
}

/** Replaces a bucket's policy directly (what putBucketPolicy stores). */
export async function setBucketPolicy(db: Database, name: string, policy: unknown): Promise<void> {
  await db.pool.query(`UPDATE buckets SET policy = $2 WHERE name = $1`, [name, policy === null ? null : JSON.stringify(policy)]);
}

export async function insertMemberAccount(db: Database, organizationId: string, name: string): Promise<string> {
  const account = await db.dataSource.transaction((m) =>
    accountRepository.insertAccount(m, { organizationId, name, email: `${name}@example.com` }),
  );
  return account.id;
}

/** Records events of `accountId` through the durable write path (events + outbox, then routing). */
export async function recordAs(
  services: Services,
  accountId: string,
  organizationId: string | null,
  records: Array<Record<string, unknown>>,
): Promise<EventRow[]> {
  const rows = records.map((r) => {
    const result = normaliseRecord({ recipientAccountId: accountId, ...r }, { accountId, now: new Date(), retentionDays: 90 });
    if ('error' in result) throw new Error(JSON.stringify(result.error));
    return result.row;
  });
  await services.eventWriter.write({ accountId, organizationId }, rows, 'record');
  return rows;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface DeliveredFile {
  key: string;
  bucket: string;
  accountId: string;
  region: string;
  records: Array<Record<string, any>>;
}

/**
 * Every delivered log file of a trail, read back from the bucket, decompressed and checked against
 * the SHA-256 and count recorded for it.
 */
export async function deliveredFiles(db: Database, store: ObjectStore, trailId: string): Promise<DeliveredFile[]> {
  const { rows } = await db.pool.query(`SELECT * FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered' ORDER BY created_at`, [
    trailId,
  ]);
  const out: DeliveredFile[] = [];
  for (const r of rows) {
    const obj = await store.getObject(r.bucket, r.object_key);
    if (!obj) throw new Error(`log file ${r.object_key} is recorded as delivered but missing`);
    const json = gunzipSync(obj.body);
    if (createHash('sha256').update(json).digest('hex') !== r.sha256) throw new Error(`sha256 mismatch for ${r.object_key}`);
    const parsed = JSON.parse(json.toString('utf8'));
    if (parsed.Records.length !== r.event_count) throw new Error(`event count mismatch for ${r.object_key}`);
    out.push({ key: r.object_key, bucket: r.bucket, accountId: r.account_id, region: r.region, records: parsed.Records });
  }
  return out;
}

/** Event ids delivered for a trail, each with how often it appears. */
export function countById(files: DeliveredFile[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of files) for (const rec of f.records) counts.set(rec.eventID, (counts.get(rec.eventID) ?? 0) + 1);
  return counts;
}

/** Every object key under a bucket (to find orphan files no delivered row accounts for). */
export async function allKeys(store: ObjectStore, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await store.listObjects(bucket, { startAfter, limit: 1000 });
    keys.push(...page.objects.map((o) => o.key));
    if (!page.isTruncated || page.objects.length === 0) return keys;
    startAfter = page.objects[page.objects.length - 1].key;
  }
}

export async function pendingCount(db: Database): Promise<number> {
  const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM trail_pending_events`);
  return rows[0].n;
}
