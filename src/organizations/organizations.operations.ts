import { defineOperations } from '../graphql/operation-spec';

const ORGANIZATIONS = 'organizations.amazonaws.com';
const CLOUDTRAIL = 'cloudtrail.amazonaws.com';

// Organizations actions are authorized against `*`, as AWS does for these calls; whether the
// caller's account may act for the organization at all is decided by the services.
export const ORGANIZATIONS_OPERATIONS = defineOperations({
  createAccount: { eventSource: ORGANIZATIONS, eventName: 'CreateAccount', action: 'organizations:CreateAccount' },
  listAccounts: { eventSource: ORGANIZATIONS, eventName: 'ListAccounts', action: 'organizations:ListAccounts' },
  describeOrganization: { eventSource: ORGANIZATIONS, eventName: 'DescribeOrganization', action: 'organizations:DescribeOrganization' },
  removeAccountFromOrganization: {
    eventSource: ORGANIZATIONS,
    eventName: 'RemoveAccountFromOrganization',
    action: 'organizations:RemoveAccountFromOrganization',
  },
  listDelegatedAdministrators: {
    eventSource: ORGANIZATIONS,
    eventName: 'ListDelegatedAdministrators',
    action: 'organizations:ListDelegatedAdministrators',
  },
  registerOrganizationDelegatedAdmin: {
    eventSource: CLOUDTRAIL,
    eventName: 'RegisterOrganizationDelegatedAdmin',
    action: 'cloudtrail:RegisterOrganizationDelegatedAdmin',
  },
  deregisterOrganizationDelegatedAdmin: {
    eventSource: CLOUDTRAIL,
    eventName: 'DeregisterOrganizationDelegatedAdmin',
    action: 'cloudtrail:DeregisterOrganizationDelegatedAdmin',
  },
});
