import type { Pool, PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { EventDataStoreEntity, type MaxEventSize } from './event-data-store.entity';

/**
 * Queries of `event_data_stores` outside aggregation (lake-routing.repository.ts) and retention
 * (lake-retention.repository.ts). EntityManager methods run in the request's tenant transaction,
 * where row-level security limits rows to the tenant's stores; the pool and client methods serve
 * the workers and the raw tenant transaction of PutAuditEvents.
 */

/** What an import needs of its destination store. */
export interface ImportDestinationStore {
  id: string;
  account_id: string;
  retention_period: number;
  organization_enabled: boolean;
  organization_id: string | null;
  /** Event configuration: records larger than this are not imported (spec §4.5). */
  max_event_size: MaxEventSize;
}

export const eventDataStoreRepository = {
  /** One writer per owner account at a time, so that the quota and name checks cannot race (until the transaction ends). */
  async lockAccountWrites(m: EntityManager, accountId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('opentrail:eds:' || $1))`, [accountId]);
  },

  /**
   * The stores of `region` by ARN after `afterArn`, at most `limit`: the account's own, and with
   * `withOrganization` also the organization stores of `organizationId` (a delegated administrator's view).
   */
  listInRegion(
    m: EntityManager,
    opts: {
      region: string;
      accountId: string;
      organizationId: string | null;
      withOrganization: boolean;
      afterArn: string | null;
      limit: number;
    },
  ): Promise<EventDataStoreEntity[]> {
    const qb = m
      .createQueryBuilder(EventDataStoreEntity, 's')
      .where('s.region = :region', { region: opts.region })
      .andWhere(
        opts.withOrganization
          ? '(s.account_id = :account OR (s.organization_enabled AND s.organization_id = :org))'
          : 's.account_id = :account',
        {
          account: opts.accountId,
          org: opts.organizationId,
        },
      )
      .orderBy('s.arn', 'ASC')
      .take(opts.limit);
    if (opts.afterArn !== null) qb.andWhere('s.arn > :after', { after: opts.afterArn });
    return qb.getMany();
  },

  /** The ARNs of the stores among `ids`, sorted. */
  async arnsOf(client: PoolClient, ids: string[]): Promise<string[]> {
    const { rows } = await client.query(`SELECT arn FROM event_data_stores WHERE id = ANY($1::uuid[]) ORDER BY arn`, [ids]);
    return rows.map((r) => r.arn as string);
  },

  /** The stores among `ids` that are not pending deletion (PutAuditEvents: row-level security keeps them the caller's). */
  async acceptingAmong(
    client: PoolClient,
    ids: string[],
  ): Promise<Array<{ id: string; account_id: string; max_event_size: MaxEventSize }>> {
    const { rows } = await client.query(
      `SELECT id, account_id, max_event_size FROM event_data_stores WHERE id = ANY($1::uuid[]) AND status <> 'PENDING_DELETION'`,
      [ids],
    );
    return rows;
  },

  /** An import's destination store, read by the lake-import worker as the service. */
  async importDestination(pool: Pool, id: string): Promise<ImportDestinationStore | null> {
    const { rows } = await pool.query(
      `SELECT id, account_id, retention_period, organization_enabled, organization_id, max_event_size FROM event_data_stores WHERE id = $1`,
      [id],
    );
    return (rows[0] as ImportDestinationStore | undefined) ?? null;
  },
};
