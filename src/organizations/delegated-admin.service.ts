import type { EntityManager } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { arns } from '../common/arn';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Database } from '../db/database';
import { DelegatedAdminEntity } from './delegated-admin.entity';
import { CLOUDTRAIL_SERVICE_PRINCIPAL, delegatedAdminRepository } from './delegated-admin.repository';
import { isManagementOrDelegatedAdmin } from './organization-admin';
import { OrganizationEntity } from './organization.entity';
import { DelegatedAdminErrors, OrganizationsErrors } from './organizations.errors';
import type { AccountView } from './organizations.service';

/** CloudTrail's quota of delegated administrators per organization (spec §11.3). */
export const MAX_DELEGATED_ADMINS = 3;

const ACCOUNT_ID_INPUT = /^\d{12,16}$/;

/**
 * CloudTrail delegated administrators of the caller's organization. Registration is the
 * management account's alone, whatever IAM allows; errors follow spec §11.3 in its order of
 * checks: parameter, organization, management account, target account, registration, quota.
 */
export class DelegatedAdminService {
  constructor(private readonly db: Database) {}

  /** cloudtrail:RegisterOrganizationDelegatedAdmin. */
  async register(ctx: RequestContext, input: { memberAccountId: string }): Promise<void> {
    const accountId = input.memberAccountId;
    if (!ACCOUNT_ID_INPUT.test(accountId)) throw DelegatedAdminErrors.invalidAccountId('memberAccountId');
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const org = await this.requireManagementAccount(ctx, m);
      if (accountId === org.managementAccountId) throw DelegatedAdminErrors.cannotDelegateManagement();
      await delegatedAdminRepository.lockOrganization(m, org.id);
      if (!(await m.existsBy(AccountEntity, { id: accountId, organizationId: org.id })))
        throw DelegatedAdminErrors.accountNotFound(accountId);
      if (await delegatedAdminRepository.isRegistered(m, org.id, accountId)) throw DelegatedAdminErrors.alreadyRegistered(accountId);
      const count = await m.countBy(DelegatedAdminEntity, { organizationId: org.id });
      if (count >= MAX_DELEGATED_ADMINS) throw DelegatedAdminErrors.limitExceeded(MAX_DELEGATED_ADMINS);
      await m.insert(DelegatedAdminEntity, { organizationId: org.id, accountId, servicePrincipal: CLOUDTRAIL_SERVICE_PRINCIPAL });
    });
  }

  /** cloudtrail:DeregisterOrganizationDelegatedAdmin. Resources the admin created stay (they belong to the management account). */
  async deregister(ctx: RequestContext, input: { delegatedAdminAccountId: string }): Promise<void> {
    const accountId = input.delegatedAdminAccountId;
    if (!ACCOUNT_ID_INPUT.test(accountId)) throw DelegatedAdminErrors.invalidAccountId('delegatedAdminAccountId');
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const org = await this.requireManagementAccount(ctx, m);
      if (!(await m.existsBy(AccountEntity, { id: accountId, organizationId: org.id })))
        throw DelegatedAdminErrors.accountNotFound(accountId);
      const result = await m.delete(DelegatedAdminEntity, {
        organizationId: org.id,
        accountId,
        servicePrincipal: CLOUDTRAIL_SERVICE_PRINCIPAL,
      });
      if (!result.affected) throw DelegatedAdminErrors.notRegistered(accountId);
    });
  }

  /** organizations:ListDelegatedAdministrators, for the management account and delegated administrators. */
  async list(ctx: RequestContext): Promise<Array<AccountView & { delegationEnabledDate: Date }>> {
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      if (!ctx.caller.organizationId) throw OrganizationsErrors.notInUse();
      const org = await m.findOneBy(OrganizationEntity, { id: ctx.caller.organizationId });
      if (!org) throw OrganizationsErrors.notInUse();
      if (!(await isManagementOrDelegatedAdmin(m, ctx.caller, org.managementAccountId))) throw OrganizationsErrors.accessDenied();
      const rows = await m.find(DelegatedAdminEntity, { where: { organizationId: org.id }, order: { registeredAt: 'ASC' } });
      if (rows.length === 0) return [];
      const accounts = await m.findBy(
        AccountEntity,
        rows.map((r) => ({ id: r.accountId, organizationId: org.id })),
      );
      const byId = new Map(accounts.map((a) => [a.id, a]));
      return rows.flatMap((r) => {
        const account = byId.get(r.accountId);
        if (!account) return [];
        return [
          { account, arn: arns.organizationAccount(org.managementAccountId, org.id, account.id), delegationEnabledDate: r.registeredAt },
        ];
      });
    });
  }

  /**
   * Whether `accountId` is a CloudTrail delegated administrator of `organizationId`, for other
   * modules (organization trails and event data stores). Runs scoped to exactly that account and
   * organization, so it can answer only about the pair it is asked about.
   */
  async isDelegatedAdmin(organizationId: string, accountId: string): Promise<boolean> {
    return this.db.inTenant({ accountId, organizationId }, (m) => delegatedAdminRepository.isRegistered(m, organizationId, accountId));
  }

  private async requireManagementAccount(ctx: RequestContext, m: EntityManager): Promise<OrganizationEntity> {
    if (!ctx.caller.organizationId) throw DelegatedAdminErrors.organizationsNotInUse();
    const org = await m.findOneBy(OrganizationEntity, { id: ctx.caller.organizationId });
    if (!org) throw DelegatedAdminErrors.organizationsNotInUse();
    if (org.managementAccountId !== ctx.caller.accountId) throw DelegatedAdminErrors.notManagementAccount();
    return org;
  }
}
