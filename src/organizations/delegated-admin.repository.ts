import type { EntityManager } from 'typeorm';
import { DelegatedAdminEntity } from './delegated-admin.entity';

export const CLOUDTRAIL_SERVICE_PRINCIPAL = 'cloudtrail.amazonaws.com';

/** Statements on the delegated-administrator table inside a caller's (organization-scoped) transaction. */
export const delegatedAdminRepository = {
  /** Serialises registrations of one organization until the transaction ends, so the quota cannot be overrun by a race. */
  async lockOrganization(m: EntityManager, organizationId: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('opentrail:delegated-admin:' || $1))`, [organizationId]);
  },

  async isRegistered(m: EntityManager, organizationId: string, accountId: string): Promise<boolean> {
    return m.existsBy(DelegatedAdminEntity, { organizationId, accountId, servicePrincipal: CLOUDTRAIL_SERVICE_PRINCIPAL });
  },
};
