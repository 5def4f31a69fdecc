import type { EntityManager } from 'typeorm';
import type { Caller } from '../common/request-context';
import { delegatedAdminRepository } from './delegated-admin.repository';

/** The part of the caller the rule reads. */
export type OrganizationCaller = Pick<Caller, 'accountId' | 'organizationId'>;

/** Whether the caller's account is a registered CloudTrail delegated administrator of its own organization. */
export async function isDelegatedAdministrator(m: EntityManager, caller: OrganizationCaller): Promise<boolean> {
  return caller.organizationId !== null && delegatedAdminRepository.isRegistered(m, caller.organizationId, caller.accountId);
}

/**
 * CloudTrail's rule for organization-wide resources and listings (spec §11): the caller is the
 * organization's management account or a registered delegated administrator of it.
 * `managementAccountId` is the organization's row's, or the owner of an organization trail or
 * store (always the management account). Each caller throws its own error when this is false.
 * Runs in the caller's transaction, so row-level security scopes the registration read.
 */
export async function isManagementOrDelegatedAdmin(
  m: EntityManager,
  caller: OrganizationCaller,
  managementAccountId: string,
): Promise<boolean> {
  return caller.accountId === managementAccountId || isDelegatedAdministrator(m, caller);
}
