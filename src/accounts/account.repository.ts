import type { Pool } from 'pg';
import type { EntityManager } from 'typeorm';
import { newAccountId } from '../common/ids';
import { AccountEntity } from './account.entity';

export const accountRepository = {
  /** Inserts an account with a fresh 12-digit id (retrying on the rare id collision). */
  async insertAccount(m: EntityManager, input: { organizationId: string | null; name: string; email: string }): Promise<AccountEntity> {
    for (let attempt = 0; ; attempt++) {
      const id = newAccountId();
      const result = await m
        .createQueryBuilder()
        .insert()
        .into(AccountEntity)
        .values({
          id,
          organizationId: input.organizationId,
          name: input.name,
          email: input.email,
          status: 'ACTIVE',
          joinedMethod: 'CREATED',
        })
        .orIgnore()
        .execute();
      if (result.identifiers.length > 0 && (result.raw as unknown[]).length > 0) return m.findOneByOrFail(AccountEntity, { id });
      if (attempt > 5) throw new Error('could not allocate an account id');
    }
  },

  /** Up to `limit` accounts of the organization after `afterId`, by account id. */
  listInOrganization(m: EntityManager, organizationId: string, afterId: string | null, limit: number): Promise<AccountEntity[]> {
    const q = m
      .createQueryBuilder(AccountEntity, 'a')
      .where('a.organization_id = :org', { org: organizationId })
      .orderBy('a.id', 'ASC')
      .take(limit);
    if (afterId !== null) q.andWhere('a.id > :after', { after: afterId });
    return q.getMany();
  },

  /** The ids of an organization's accounts, read with the service's rights (the Lake import worker). */
  async idsInOrganization(pool: Pick<Pool, 'query'>, organizationId: string): Promise<string[]> {
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM accounts WHERE organization_id = $1', [organizationId]);
    return rows.map((r) => r.id);
  },
};
