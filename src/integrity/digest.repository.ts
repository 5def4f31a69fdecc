import type { Pool, PoolClient } from 'pg';
import { REGIONS } from '../regions/region-catalog';
import type { DigestLogFile } from './digest-body';

type Db = Pool | PoolClient;

/** One (trail, account, source region) digest chain, as digest_chains stores it. */
export interface DigestChain {
  trailId: string;
  accountId: string;
  region: string;
  trailAccountId: string;
  trailArn: string;
  trailName: string;
  homeRegion: string;
  bucket: string;
  keyPrefix: string | null;
  organizationId: string | null;
  active: boolean;
  nextStart: Date;
  chainBroken: boolean;
  stopAt: Date | null;
  resumeAt: Date | null;
}

export interface ChainKey {
  trailId: string;
  accountId: string;
  region: string;
}

export interface ListedLogFile extends DigestLogFile {
  id: string;
  deliveredAt: Date;
}

export interface StoredDigest {
  id: string;
  bucket: string;
  objectKey: string;
  startTime: Date;
  endTime: Date;
  sha256: string;
  signature: string;
}

const toChain = (r: any): DigestChain => ({
  trailId: r.trail_id,
  accountId: r.account_id,
  region: r.region,
  trailAccountId: r.trail_account_id,
  trailArn: r.trail_arn,
  trailName: r.trail_name,
  homeRegion: r.home_region,
  bucket: r.bucket,
  keyPrefix: r.key_prefix,
  organizationId: r.organization_id,
  active: r.active,
  nextStart: r.next_start,
  chainBroken: r.chain_broken,
  stopAt: r.stop_at,
  resumeAt: r.resume_at,
});

const toDigest = (r: any): StoredDigest => ({
  id: r.id,
  bucket: r.bucket,
  objectKey: r.object_key,
  startTime: r.start_time,
  endTime: r.end_time,
  sha256: r.sha256,
  signature: r.signature,
});

const ALL_REGIONS = REGIONS.map((r) => r.regionName);

const chainLockKey = (k: ChainKey) => `opentrail:digest:${k.trailId}:${k.accountId}:${k.region}`;

/**
 * The chains that should produce digests now: every trail logging with validation on, per covered
 * account (the owner; for organization trails every account of the organization) and source
 * region (the home region; every catalog region for multi-region trails). `$2` limits to one trail.
 */
const WANTED = `
  SELECT t.id AS trail_id, a.account_id, r.region, t.account_id AS trail_account_id, t.trail_arn, t.name AS trail_name,
         t.home_region, t.s3_bucket_name AS bucket, t.s3_key_prefix AS key_prefix,
         CASE WHEN t.is_organization_trail THEN t.organization_id END AS organization_id
  FROM trails t
  CROSS JOIN LATERAL (
    SELECT t.account_id AS account_id WHERE NOT t.is_organization_trail
    UNION ALL
    SELECT acc.id FROM accounts acc WHERE t.is_organization_trail AND acc.organization_id = t.organization_id
  ) a
  CROSS JOIN LATERAL unnest(CASE WHEN t.is_multi_region_trail THEN $1::text[] ELSE ARRAY[t.home_region::text] END) AS r(region)
  WHERE t.is_logging AND t.log_file_validation_enabled AND ($2::uuid IS NULL OR t.id = $2::uuid)`;

/** Every statement of the digest worker, on its tables and (one function) on trail_log_files. */
export const digestRepository = {
  /**
   * Takes the chain's session advisory lock on this connection, without waiting: false when
   * another process writes the chain's digests. PostgreSQL releases it if this process dies.
   */
  async tryLockChain(client: PoolClient, k: ChainKey): Promise<boolean> {
    const { rows } = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok`, [chainLockKey(k)]);
    return rows[0].ok;
  },

  async unlockChain(client: PoolClient, k: ChainKey): Promise<void> {
    await client.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [chainLockKey(k)]);
  },

  /**
   * Brings digest_chains in line with the trails (all, or one after a lifecycle call), in one
   * transaction: new chains start now; chains of trails that came back on get `resume_at`; chains
   * no longer wanted (stopped, validation off, trail deleted, region or account no longer covered)
   * get `stop_at`, so their final digest is written. Wanted chains take the trail's current
   * bucket, prefix and organization (a bucket change continues the chain into the new bucket).
   */
  async reconcile(client: PoolClient, trailId: string | null): Promise<void> {
    await client.query('BEGIN');
    try {
      // One reconcile at a time (the tick and lifecycle hooks upsert the same rows; no deadlocks).
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('opentrail:digest:reconcile'))`);
      await client.query(
        `INSERT INTO digest_chains (trail_id, account_id, region, trail_account_id, trail_arn, trail_name, home_region, bucket, key_prefix,
                                    organization_id, active, next_start, chain_broken, stop_at, resume_at, updated_at)
         SELECT w.*, true, date_trunc('second', now()), true, NULL, NULL, now() FROM (${WANTED}) w
         ON CONFLICT (trail_id, account_id, region) DO UPDATE SET
           trail_account_id = EXCLUDED.trail_account_id, trail_arn = EXCLUDED.trail_arn, trail_name = EXCLUDED.trail_name,
           home_region = EXCLUDED.home_region, bucket = EXCLUDED.bucket, key_prefix = EXCLUDED.key_prefix,
           organization_id = EXCLUDED.organization_id,
           resume_at = CASE WHEN digest_chains.active AND digest_chains.stop_at IS NULL THEN digest_chains.resume_at
                            ELSE COALESCE(digest_chains.resume_at, EXCLUDED.next_start) END,
           updated_at = now()
         -- Rows already in line are left alone: this runs every tick and must not rewrite them.
         WHERE ((NOT digest_chains.active OR digest_chains.stop_at IS NOT NULL) AND digest_chains.resume_at IS NULL)
            OR (digest_chains.trail_account_id, digest_chains.trail_arn, digest_chains.trail_name, digest_chains.home_region,
                digest_chains.bucket, digest_chains.key_prefix, digest_chains.organization_id)
               IS DISTINCT FROM (EXCLUDED.trail_account_id, EXCLUDED.trail_arn, EXCLUDED.trail_name, EXCLUDED.home_region,
                EXCLUDED.bucket, EXCLUDED.key_prefix, EXCLUDED.organization_id)`,
        [ALL_REGIONS, trailId],
      );
      await client.query(
        `UPDATE digest_chains c SET stop_at = date_trunc('second', now()), updated_at = now()
         WHERE ($2::uuid IS NULL OR c.trail_id = $2::uuid) AND c.stop_at IS NULL AND (c.active OR c.resume_at IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM (${WANTED}) w WHERE w.trail_id = c.trail_id AND w.account_id = c.account_id AND w.region = c.region)`,
        [ALL_REGIONS, trailId],
      );
      // Chains of deleted trails, finished (final digest written) longer ago than any backfill
      // could look: forget them with their digest rows (the objects stay in the bucket).
      await client.query(
        `WITH gone AS (
           DELETE FROM digest_chains c WHERE NOT c.active AND c.stop_at IS NULL AND c.resume_at IS NULL
             AND c.updated_at < now() - interval '8 days' AND NOT EXISTS (SELECT 1 FROM trails t WHERE t.id = c.trail_id)
           RETURNING trail_id, account_id, region
         ), digests_gone AS (
           DELETE FROM digests d USING gone g WHERE d.trail_id = g.trail_id AND d.account_id = g.account_id AND d.region = g.region RETURNING d.id
         )
         DELETE FROM digest_log_files WHERE digest_id IN (SELECT id FROM digests_gone)`,
      );
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  },

  /** Chains with a digest due (window ended `graceSeconds` ago, a final digest, or a restart). */
  async dueChains(db: Db, intervalSeconds: number, graceSeconds: number, limit: number): Promise<ChainKey[]> {
    const { rows } = await db.query(
      `SELECT trail_id, account_id, region FROM digest_chains
       WHERE (NOT active AND resume_at IS NOT NULL)
          OR (active AND stop_at IS NOT NULL AND stop_at <= now() - make_interval(secs => $2))
          OR (active AND next_start + make_interval(secs => $1) <= now() - make_interval(secs => $2))
       LIMIT $3`,
      [intervalSeconds, graceSeconds, limit],
    );
    return rows.map((r) => ({ trailId: r.trail_id, accountId: r.account_id, region: r.region }));
  },

  async chain(db: Db, k: ChainKey): Promise<DigestChain | null> {
    const { rows } = await db.query(`SELECT * FROM digest_chains WHERE trail_id = $1 AND account_id = $2 AND region = $3`, [
      k.trailId,
      k.accountId,
      k.region,
    ]);
    return rows[0] ? toChain(rows[0]) : null;
  },

  async updateChain(db: Db, c: DigestChain): Promise<void> {
    await db.query(
      `UPDATE digest_chains SET active = $4, next_start = $5, chain_broken = $6, stop_at = $7, resume_at = $8, updated_at = now()
       WHERE trail_id = $1 AND account_id = $2 AND region = $3`,
      [c.trailId, c.accountId, c.region, c.active, c.nextStart, c.chainBroken, c.stopAt, c.resumeAt],
    );
  },

  async dbNow(db: Db): Promise<Date> {
    const { rows } = await db.query(`SELECT now() AS now`);
    return rows[0].now;
  },

  /**
   * The one query over trail_log_files: the chain's delivered log files with `delivered_at` in
   * [from, to) that no digest lists yet, in delivery order. Regular digests ask for their window;
   * the backfill pass for the recent past.
   */
  async undigestedLogFiles(db: Db, k: ChainKey, from: Date, to: Date): Promise<ListedLogFile[]> {
    const { rows } = await db.query(
      `SELECT f.id, f.bucket, f.object_key, f.sha256, f.object_sha256, f.oldest_event_time, f.newest_event_time, f.delivered_at
       FROM trail_log_files f
       WHERE f.trail_id = $1 AND f.account_id = $2 AND f.region = $3 AND f.state = 'delivered'
         AND f.delivered_at >= $4 AND f.delivered_at < $5
         AND NOT EXISTS (SELECT 1 FROM digest_log_files d WHERE d.log_file_id = f.id)
       ORDER BY f.delivered_at, f.id`,
      [k.trailId, k.accountId, k.region, from, to],
    );
    return rows.map((r) => ({
      id: r.id,
      bucket: r.bucket,
      key: r.object_key,
      sha256: r.sha256,
      objectSha256: r.object_sha256,
      oldestEventTime: r.oldest_event_time,
      newestEventTime: r.newest_event_time,
      deliveredAt: r.delivered_at,
    }));
  },

  /** Whether events routed to the chain still wait for delivery (the final digest waits for them). */
  async hasPendingEvents(db: Db, k: ChainKey): Promise<boolean> {
    const { rows } = await db.query(
      `SELECT EXISTS (SELECT 1 FROM trail_pending_events WHERE trail_id = $1 AND account_id = $2 AND region = $3) AS pending`,
      [k.trailId, k.accountId, k.region],
    );
    return rows[0].pending;
  },

  /** The newest digest of the chain (regular, or backfill): what the next one points back to. */
  async latestDigest(db: Db, k: ChainKey, backfill: boolean): Promise<StoredDigest | null> {
    const { rows } = await db.query(
      `SELECT * FROM digests WHERE trail_id = $1 AND account_id = $2 AND region = $3 AND backfill = $4
       ORDER BY end_time DESC, created_at DESC LIMIT 1`,
      [k.trailId, k.accountId, k.region, backfill],
    );
    return rows[0] ? toDigest(rows[0]) : null;
  },

  /** Regular digests of the chain ending after `since` (the windows a backfill may refer to). */
  async regularDigestsSince(db: Db, k: ChainKey, since: Date): Promise<StoredDigest[]> {
    const { rows } = await db.query(
      `SELECT * FROM digests WHERE trail_id = $1 AND account_id = $2 AND region = $3 AND NOT backfill AND end_time > $4 ORDER BY start_time`,
      [k.trailId, k.accountId, k.region, since],
    );
    return rows.map(toDigest);
  },

  async keyTaken(db: Db, bucket: string, key: string): Promise<boolean> {
    const { rows } = await db.query(`SELECT 1 FROM digests WHERE bucket = $1 AND object_key = $2`, [bucket, key]);
    return rows.length > 0;
  },

  /** Inside the caller's transaction: the digest row and which log files it lists. */
  async insertDigest(client: PoolClient, k: ChainKey, d: StoredDigest & { backfill: boolean }, logFileIds: string[]): Promise<void> {
    await client.query(
      `INSERT INTO digests (id, trail_id, account_id, region, backfill, bucket, object_key, start_time, end_time, sha256, signature, log_file_count)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        d.id,
        k.trailId,
        k.accountId,
        k.region,
        d.backfill,
        d.bucket,
        d.objectKey,
        d.startTime,
        d.endTime,
        d.sha256,
        d.signature,
        logFileIds.length,
      ],
    );
    if (logFileIds.length > 0) {
      await client.query(`INSERT INTO digest_log_files (log_file_id, digest_id) SELECT unnest($1::uuid[]), $2`, [logFileIds, d.id]);
    }
  },

  /**
   * Forgets digests that ended before `before` (and which files they listed), keeping the newest
   * regular and backfill digest of the chain: the chain only needs its last link, and late files
   * are only looked for in the recent windows (the objects themselves stay in the bucket).
   */
  async pruneBefore(client: PoolClient, k: ChainKey, before: Date): Promise<void> {
    await client.query(
      `WITH keep AS (
         SELECT DISTINCT ON (backfill) id FROM digests WHERE trail_id = $1 AND account_id = $2 AND region = $3 ORDER BY backfill, end_time DESC
       ), gone AS (
         DELETE FROM digests WHERE trail_id = $1 AND account_id = $2 AND region = $3 AND end_time < $4 AND id NOT IN (SELECT id FROM keep) RETURNING id
       )
       DELETE FROM digest_log_files WHERE digest_id IN (SELECT id FROM gone)`,
      [k.trailId, k.accountId, k.region, before],
    );
  },

  /** getTrailStatus's LatestDigestDeliveryTime / LatestDigestDeliveryError of the source region. */
  async digestStatus(
    db: Db,
    c: { trailId: string; region: string; trailAccountId: string },
    at: Date,
    error: string | null,
  ): Promise<void> {
    await db.query(
      `INSERT INTO trail_delivery_status (trail_id, region, account_id, latest_digest_delivery_time, latest_digest_delivery_error, updated_at)
       SELECT $1, $2, $3, CASE WHEN $5::text IS NULL THEN $4::timestamptz END, $5::text, now()
       WHERE EXISTS (SELECT 1 FROM trails WHERE id = $1)
       ON CONFLICT (trail_id, region) DO UPDATE SET
         latest_digest_delivery_time = CASE WHEN $5::text IS NULL THEN $4::timestamptz ELSE trail_delivery_status.latest_digest_delivery_time END,
         latest_digest_delivery_error = $5::text, updated_at = now()`,
      [c.trailId, c.region, c.trailAccountId, at, error === null ? null : error.slice(0, 1024)],
    );
  },
};
