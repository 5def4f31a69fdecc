import type { EntityManager } from 'typeorm';
import { AccountEntity } from '../accounts/account.entity';
import { accountRepository } from '../accounts/account.repository';
import { arns } from '../common/arn';
import { decodePageToken, encodePageToken } from '../common/page-token';
import { type RequestContext, tenantOf } from '../common/request-context';
import { actAsTenant, type Database } from '../db/database';
import { principalRepository } from '../principals/principal.repository';
import { DelegatedAdminEntity } from './delegated-admin.entity';
import { isManagementOrDelegatedAdmin } from './organization-admin';
import { OrganizationEntity } from './organization.entity';
import { OrganizationsErrors } from './organizations.errors';

/** Role created in every new member account; the management account administers it through it. */
export const ORGANIZATION_ACCESS_ROLE = 'OrganizationAccountAccessRole';

const ACCOUNT_NAME = /^[\u0020-\u007E]{1,50}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ACCOUNT_ID = /^\d{12}$/;

export interface AccountView {
  account: AccountEntity;
  arn: string;
}

export interface OrganizationView {
  organization: OrganizationEntity;
  arn: string;
  managementAccountArn: string;
  managementAccountEmail: string;
}

/**
 * AWS Organizations for the caller's organization: accounts, membership and the organization
 * itself. Management-only operations check the caller's account against the organization's
 * management account whatever IAM policies allow: a member's administrator cannot act for the
 * organization. Another organization's accounts are invisible (row-level security) and so are
 * reported exactly like accounts that do not exist.
 */
export class OrganizationsService {
  constructor(private readonly db: Database) {}

  /**
   * organizations:CreateAccount. Creates the member account and, in it, the
   * OrganizationAccountAccessRole trusting the management account, with AdministratorAccess.
   */
  async createAccount(ctx: RequestContext, input: { accountName: string; email: string }): Promise<AccountView> {
    if (!ACCOUNT_NAME.test(input.accountName))
      throw OrganizationsErrors.invalidInput('accountName must be 1-50 printable ASCII characters.');
    if (input.email.length < 6 || input.email.length > 64 || !EMAIL.test(input.email)) {
      throw OrganizationsErrors.invalidInput('email must be a valid email address of 6-64 characters.');
    }
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const org = await this.requireManagementAccount(ctx, m);
      const duplicate = await m.existsBy(AccountEntity, { organizationId: org.id, email: input.email });
      if (duplicate) throw OrganizationsErrors.duplicateAccount();
      const account = await accountRepository.insertAccount(m, { organizationId: org.id, name: input.accountName, email: input.email });
      // The role lives in the new account: row-level security admits writes only to the account
      // the transaction is scoped to, so switch to it for these rows and back afterwards.
      await actAsTenant(m, { accountId: account.id, organizationId: org.id });
      const role = await principalRepository.insertRole(m, account.id, {
        roleName: ORGANIZATION_ACCESS_ROLE,
        description: 'Lets the management account administer this account.',
        trustPolicy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: [arns.accountRoot(org.managementAccountId)] }, Action: ['sts:AssumeRole'] }],
        },
      });
      await principalRepository.attachManagedPolicy(m, account.id, 'role', role.id, arns.managedPolicy('AdministratorAccess'));
      await actAsTenant(m, { accountId: ctx.caller.accountId, organizationId: org.id });
      return { account, arn: arns.organizationAccount(org.managementAccountId, org.id, account.id) };
    });
  }

  /** organizations:ListAccounts, for the management account and delegated administrators; by account id. */
  async listAccounts(
    ctx: RequestContext,
    input: { maxResults?: number | null; nextToken?: string | null },
  ): Promise<{ accounts: AccountView[]; nextToken: string | null }> {
    const limit = input.maxResults ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > 20) throw OrganizationsErrors.invalidInput('maxResults must be between 1 and 20.');
    const after = input.nextToken ? decodePageToken(input.nextToken) : null;
    if (input.nextToken && after === null) throw OrganizationsErrors.invalidInput('The nextToken is not valid.');
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const org = await this.requireOrganization(ctx, m);
      if (!(await isManagementOrDelegatedAdmin(m, ctx.caller, org.managementAccountId))) throw OrganizationsErrors.accessDenied();
      const rows = await accountRepository.listInOrganization(m, org.id, after, limit + 1);
      const page = rows.slice(0, limit);
      return {
        accounts: page.map((account) => ({ account, arn: arns.organizationAccount(org.managementAccountId, org.id, account.id) })),
        nextToken: rows.length > limit ? encodePageToken(page[page.length - 1].id) : null,
      };
    });
  }

  /** organizations:DescribeOrganization, for any account of the organization. */
  async describeOrganization(ctx: RequestContext): Promise<OrganizationView> {
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const org = await this.requireOrganization(ctx, m);
      const management = await m.findOneByOrFail(AccountEntity, { id: org.managementAccountId, organizationId: org.id });
      return {
        organization: org,
        arn: arns.organization(org.managementAccountId, org.id),
        managementAccountArn: arns.organizationAccount(org.managementAccountId, org.id, org.managementAccountId),
        managementAccountEmail: management.email,
      };
    });
  }

  /**
   * organizations:RemoveAccountFromOrganization. The account becomes standalone: its principals
   * keep working (organization membership is re-read on every request) and it stops being a
   * delegated administrator, since only members can be one.
   */
  async removeAccountFromOrganization(ctx: RequestContext, input: { accountId: string }): Promise<void> {
    if (!ACCOUNT_ID.test(input.accountId)) throw OrganizationsErrors.invalidInput('accountId must be 12 digits.');
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const org = await this.requireManagementAccount(ctx, m);
      if (input.accountId === org.managementAccountId) throw OrganizationsErrors.managementCannotLeave();
      const member = await m.existsBy(AccountEntity, { id: input.accountId, organizationId: org.id });
      if (!member) throw OrganizationsErrors.accountNotFound();
      await m.delete(DelegatedAdminEntity, { organizationId: org.id, accountId: input.accountId });
      // The updated row leaves the organization, so it passes the row-level-security check only
      // as the account itself; scope to it for this one statement.
      await actAsTenant(m, { accountId: input.accountId, organizationId: org.id });
      await m.update(AccountEntity, { id: input.accountId, organizationId: org.id }, { organizationId: null });
      await actAsTenant(m, { accountId: ctx.caller.accountId, organizationId: org.id });
    });
  }

  private async requireOrganization(ctx: RequestContext, m: EntityManager): Promise<OrganizationEntity> {
    if (!ctx.caller.organizationId) throw OrganizationsErrors.notInUse();
    const org = await m.findOneBy(OrganizationEntity, { id: ctx.caller.organizationId });
    if (!org) throw OrganizationsErrors.notInUse();
    return org;
  }

  private async requireManagementAccount(ctx: RequestContext, m: EntityManager): Promise<OrganizationEntity> {
    const org = await this.requireOrganization(ctx, m);
    if (org.managementAccountId !== ctx.caller.accountId) throw OrganizationsErrors.accessDenied();
    return org;
  }
}
