import { OpenTrailError } from '../common/errors';

/** AWS Organizations error codes (organizations.amazonaws.com). */
export const OrganizationsErrors = {
  notInUse: () => new OpenTrailError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.'),
  accessDenied: () =>
    new OpenTrailError(
      'AccessDeniedException',
      "You don't have permissions to access this resource: only the organization's management account (or, for reads, a delegated administrator) can call this operation.",
      403,
    ),
  invalidInput: (message: string) => new OpenTrailError('InvalidInputException', message),
  accountNotFound: () =>
    new OpenTrailError('AccountNotFoundException', "You specified an account that doesn't exist in your organization.", 404),
  duplicateAccount: () =>
    new OpenTrailError('DuplicateAccountException', 'An account with this email address already exists in the organization.', 409),
  managementCannotLeave: () =>
    new OpenTrailError('MasterCannotLeaveOrganizationException', "You can't remove the management account from its organization."),
};

/** CloudTrail's delegated-administrator error codes (spec §11.3). */
export const DelegatedAdminErrors = {
  invalidAccountId: (field: string) =>
    new OpenTrailError('InvalidParameterException', `${field} must be an account id of 12 to 16 digits.`),
  organizationsNotInUse: () =>
    new OpenTrailError('OrganizationsNotInUseException', 'This operation requires your account to be a member of an organization.'),
  notManagementAccount: () =>
    new OpenTrailError(
      'NotOrganizationManagementAccountException',
      'This operation can be performed only by the management account of the organization.',
      403,
    ),
  cannotDelegateManagement: () =>
    new OpenTrailError(
      'CannotDelegateManagementAccountException',
      'The management account of an organization cannot be a delegated administrator.',
    ),
  accountNotFound: (accountId: string) =>
    new OpenTrailError('AccountNotFoundException', `Account ${accountId} was not found in the organization.`, 404),
  alreadyRegistered: (accountId: string) =>
    new OpenTrailError('AccountRegisteredException', `Account ${accountId} is already registered as a delegated administrator.`, 409),
  limitExceeded: (max: number) =>
    new OpenTrailError(
      'DelegatedAdminAccountLimitExceededException',
      `The organization already has the maximum of ${max} delegated administrators.`,
    ),
  notRegistered: (accountId: string) =>
    new OpenTrailError('AccountNotRegisteredException', `Account ${accountId} is not registered as a delegated administrator.`, 404),
};
