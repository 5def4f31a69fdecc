import type { EntityManager } from 'typeorm';
import { DelegatedAdminEntity } from './delegated-admin.entity';

export const CLOUDTRAIL_SERVICE_PRINCIPAL = 'cloudtrail.amazonaws.com';

/** Reads of the delegated-administrator table inside a caller's (organization-scoped) transaction. */
export const delegatedAdminRepository = {
  async isRegistered(m: EntityManager, organizationId: string, accountId: string): Promise<boolean> {
    return m.existsBy(DelegatedAdminEntity, { organizationId, accountId, servicePrincipal: CLOUDTRAIL_SERVICE_PRINCIPAL });
  },
};
