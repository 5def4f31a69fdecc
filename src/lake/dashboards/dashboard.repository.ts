import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { LakeQueryEntity } from '../query/lake-query.entity';
import { DashboardEntity } from './dashboard.entity';

/**
 * Queries of `dashboards`. Methods taking an EntityManager run in a tenant transaction
 * (row-level security: the caller's dashboards) and also name the account; those taking a
 * client run as the service, for the scheduled-refresh tick.
 */
export const dashboardRepository = {
  /** One dashboard writer per account at a time, so the quota and name checks cannot race. */
  async lockAccountDashboards(m: EntityManager, accountId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('opentrail:dashboards:' || $1))`, [accountId]);
  },

  countCustom(m: EntityManager, accountId: string, region: string): Promise<number> {
    return m.countBy(DashboardEntity, { accountId, region, type: 'CUSTOM' });
  },

  byName(
    m: EntityManager,
    accountId: string,
    region: string,
    name: string,
    opts: { lock?: boolean } = {},
  ): Promise<DashboardEntity | null> {
    const qb = m
      .createQueryBuilder(DashboardEntity, 'd')
      .where('d.account_id = :account AND d.region = :region AND d.name = :name', { account: accountId, region, name });
    if (opts.lock) qb.setLock('pessimistic_write');
    return qb.getOne();
  },

  /** The account's dashboards in `region` by name after `afterName`, at most `limit`. */
  listInRegion(
    m: EntityManager,
    opts: { accountId: string; region: string; namePrefix: string | null; type: string | null; afterName: string | null; limit: number },
  ): Promise<DashboardEntity[]> {
    const qb = m
      .createQueryBuilder(DashboardEntity, 'd')
      .where('d.account_id = :account AND d.region = :region', { account: opts.accountId, region: opts.region })
      .orderBy('d.name', 'ASC')
      .take(opts.limit);
    if (opts.namePrefix !== null) qb.andWhere(`starts_with(d.name, :prefix)`, { prefix: opts.namePrefix });
    if (opts.type !== null) qb.andWhere('d.type = :type', { type: opts.type });
    if (opts.afterName !== null) qb.andWhere('d.name > :after', { after: opts.afterName });
    return qb.getMany();
  },

  /** The status of each of the account's queries `ids` (a refresh's widget queries). */
  async queryStatuses(m: EntityManager, accountId: string, ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await m
      .createQueryBuilder(LakeQueryEntity, 'q')
      .select(['q.id', 'q.status'])
      .where('q.account_id = :account AND q.id IN (:...ids)', { account: accountId, ids })
      .getMany();
    return new Map(rows.map((r) => [r.id, r.status]));
  },

  /** Dashboards of every tenant whose refresh schedule is ENABLED (the tick decides which are due). */
  async scheduled(c: PoolClient): Promise<Array<Pick<DashboardEntity, 'id' | 'refreshSchedule' | 'scheduleSetAt' | 'lastScheduledSlot'>>> {
    const { rows } = await c.query(
      `SELECT id, refresh_schedule, schedule_set_at, last_scheduled_slot FROM dashboards
       WHERE refresh_schedule->>'status' = 'ENABLED' ORDER BY id`,
    );
    return rows.map((r) => ({
      id: r.id,
      refreshSchedule: r.refresh_schedule,
      scheduleSetAt: r.schedule_set_at,
      lastScheduledSlot: r.last_scheduled_slot,
    }));
  },

  /** The owner of a dashboard, for a scheduled refresh (as the service: the tenant is not known yet). */
  async owner(c: PoolClient, id: string): Promise<{ accountId: string; region: string; name: string } | null> {
    const { rows } = await c.query(`SELECT account_id, region, name FROM dashboards WHERE id = $1`, [id]);
    return rows[0] ? { accountId: rows[0].account_id, region: rows[0].region, name: rows[0].name } : null;
  },
};
