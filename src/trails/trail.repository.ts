import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { TrailEntity } from './trail.entity';

/** The columns delivery needs of a trail it writes log files for. */
export interface TrailTarget {
  id: string;
  trailArn: string;
  accountId: string;
  organizationId: string | null;
  isOrganizationTrail: boolean;
  s3BucketName: string;
  s3KeyPrefix: string | null;
  snsTopicName: string | null;
  homeRegion: string;
  kmsKeyId: string | null;
}

/**
 * Queries of the `trails` table. Those taking an EntityManager run inside a tenant transaction:
 * row-level security already limits rows to the caller's account plus its organization's
 * organization trails, and every query below also names the account or region it wants. Those
 * taking a PoolClient run as the service, for the workers.
 */
export const trailRepository = {
  /**
   * Serializes the account's trail creations and updates until the transaction ends, so two of
   * them cannot both pass the name check or the per-Region limit.
   */
  async lockAccountTrails(m: EntityManager, accountId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('opentrail:trails:' || $1))`, [accountId]);
  },

  /** A trail by id, as the delivery worker sees it (the service: any account). */
  async deliveryTarget(client: PoolClient, trailId: string): Promise<TrailTarget | null> {
    const { rows } = await client.query(
      `SELECT id, trail_arn, account_id, organization_id, is_organization_trail, s3_bucket_name, s3_key_prefix, sns_topic_name, home_region, kms_key_id
       FROM trails WHERE id = $1`,
      [trailId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      trailArn: r.trail_arn,
      accountId: r.account_id,
      organizationId: r.organization_id,
      isOrganizationTrail: r.is_organization_trail,
      s3BucketName: r.s3_bucket_name,
      s3KeyPrefix: r.s3_key_prefix,
      snsTopicName: r.sns_topic_name,
      homeRegion: r.home_region,
      kmsKeyId: r.kms_key_id,
    };
  },

  /** A visible trail by ARN (own trails, or an organization trail of the caller's organization). */
  byArn(m: EntityManager, arn: string): Promise<TrailEntity | null> {
    return m.findOneBy(TrailEntity, { trailArn: arn });
  },

  /** The account's trail of that name seen from `region`: its home is there, or it is multi-Region. */
  async byName(m: EntityManager, accountId: string, region: string, name: string): Promise<TrailEntity | null> {
    const rows = await m
      .createQueryBuilder(TrailEntity, 't')
      .where('t.account_id = :accountId AND t.name = :name', { accountId, name })
      .andWhere('(t.home_region = :region OR t.is_multi_region_trail)', { region })
      .orderBy('(t.home_region = :region)', 'DESC')
      .getMany();
    return rows[0] ?? null;
  },

  /** Trails of the account that occupy a slot in `region` (spec §12.1 counts shadows too). */
  countInRegion(m: EntityManager, accountId: string, region: string, excludeId?: string): Promise<number> {
    const q = m
      .createQueryBuilder(TrailEntity, 't')
      .where('t.account_id = :accountId', { accountId })
      .andWhere('(t.home_region = :region OR t.is_multi_region_trail)', { region });
    if (excludeId) q.andWhere('t.id <> :excludeId', { excludeId });
    return q.getCount();
  },

  /** The fullest region of the account if one more multi-Region trail appeared everywhere. */
  async busiestRegionCount(m: EntityManager, accountId: string, excludeId?: string): Promise<number> {
    const rows: Array<{ n: string }> = await m.query(
      `SELECT (SELECT count(*) FROM trails WHERE account_id = $1 AND is_multi_region_trail AND id::text <> $2)
            + coalesce((SELECT max(c) FROM (SELECT count(*) AS c FROM trails
                 WHERE account_id = $1 AND NOT is_multi_region_trail AND id::text <> $2 GROUP BY home_region) s), 0) AS n`,
      [accountId, excludeId ?? ''],
    );
    return Number(rows[0]?.n ?? 0);
  },

  /** Whether the account already has a trail of that name anywhere it would collide with `region`. */
  async nameTaken(
    m: EntityManager,
    accountId: string,
    name: string,
    region: string,
    multiRegion: boolean,
    excludeId?: string,
  ): Promise<boolean> {
    const q = m.createQueryBuilder(TrailEntity, 't').where('t.account_id = :accountId AND t.name = :name', { accountId, name });
    if (!multiRegion) q.andWhere('(t.home_region = :region OR t.is_multi_region_trail)', { region });
    if (excludeId) q.andWhere('t.id <> :excludeId', { excludeId });
    return (await q.getCount()) > 0;
  },

  /**
   * Trails seen from `region`, by ARN, after `afterArn`: those whose home is here plus, with
   * shadows, multi-Region trails homed elsewhere and the organization's trails of other accounts.
   */
  listInRegion(
    m: EntityManager,
    opts: { accountId: string; region: string; includeShadows: boolean; afterArn?: string | null; limit?: number },
  ): Promise<TrailEntity[]> {
    const q = m.createQueryBuilder(TrailEntity, 't');
    if (opts.includeShadows) q.where('(t.home_region = :region OR t.is_multi_region_trail)', { region: opts.region });
    else q.where('t.home_region = :region AND t.account_id = :accountId', { region: opts.region, accountId: opts.accountId });
    if (opts.afterArn) q.andWhere('t.trail_arn > :after', { after: opts.afterArn });
    q.orderBy('t.trail_arn', 'ASC');
    if (opts.limit) q.limit(opts.limit);
    return q.getMany();
  },
};
