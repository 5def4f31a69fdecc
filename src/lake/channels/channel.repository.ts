import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { ChannelEntity } from './channel.entity';

/**
 * Queries of `channels`, always in a tenant transaction (row-level security: the caller's
 * channels), each also naming the account.
 */
export const channelRepository = {
  /** One channel writer per account at a time, so that the quota and uniqueness checks cannot race (until the transaction ends). */
  async lockAccountChannels(m: EntityManager, accountId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('opentrail:channels:' || $1))`, [accountId]);
  },

  /** The account's channels in `region` by ARN after `afterArn`, at most `limit`. */
  listInRegion(
    m: EntityManager,
    opts: { accountId: string; region: string; afterArn: string | null; limit: number },
  ): Promise<ChannelEntity[]> {
    const qb = m
      .createQueryBuilder(ChannelEntity, 'c')
      .where('c.account_id = :account AND c.region = :region', { account: opts.accountId, region: opts.region })
      .orderBy('c.arn', 'ASC')
      .take(opts.limit);
    if (opts.afterArn !== null) qb.andWhere('c.arn > :after', { after: opts.afterArn });
    return qb.getMany();
  },

  /** The account's channels that name the store `storeArn` as a destination (such a store cannot be deleted). */
  countDeliveringTo(m: EntityManager, accountId: string, storeArn: string): Promise<number> {
    return m
      .createQueryBuilder(ChannelEntity, 'c')
      .where('c.account_id = :account', { account: accountId })
      .andWhere(`c.destinations @> :dest::jsonb`, { dest: JSON.stringify([{ Location: storeArn }]) })
      .getCount();
  },

  /**
   * Records a PutAuditEvents call on the channel: the attempt always, with the last stored event
   * (`lastEventId`, the success time when there is one) and the last failed event's error code.
   */
  async recordIngestion(client: PoolClient, channelId: string, lastEventId: string | null, lastErrorCode: string | null): Promise<void> {
    await client.query(
      `UPDATE channels SET latest_ingestion_attempt_time = now(), latest_ingestion_attempt_event_id = $2,
              latest_ingestion_success_time = CASE WHEN $3::text IS NULL THEN latest_ingestion_success_time ELSE now() END,
              latest_ingestion_success_event_id = coalesce($3, latest_ingestion_success_event_id),
              latest_ingestion_error_code = coalesce($4, latest_ingestion_error_code)
       WHERE id = $1`,
      [channelId, lastEventId, lastEventId, lastErrorCode],
    );
  },
};
