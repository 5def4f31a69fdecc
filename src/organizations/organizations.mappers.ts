import type { AccountView, OrganizationView } from './organizations.service';
import type { Organization, OrganizationAccount } from './organizations.types';

/** Storage → AWS Organizations shapes (joinedAt is JoinedTimestamp). */
export function toOrganizationAccount({ account, arn }: AccountView): OrganizationAccount {
  return {
    id: account.id,
    arn,
    name: account.name,
    email: account.email,
    status: account.status,
    joinedMethod: account.joinedMethod,
    joinedTimestamp: account.joinedAt,
  };
}

export function toOrganization(view: OrganizationView): Organization {
  return {
    id: view.organization.id,
    arn: view.arn,
    featureSet: view.organization.featureSet,
    masterAccountId: view.organization.managementAccountId,
    managementAccountId: view.organization.managementAccountId,
    masterAccountArn: view.managementAccountArn,
    masterAccountEmail: view.managementAccountEmail,
  };
}
