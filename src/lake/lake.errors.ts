import { OpenTrailError } from '../common/errors';

/** CloudTrail Lake exceptions (spec §8.1, §8.4, §13). */
export const LakeErrors = {
  arnInvalid: (value: string) =>
    new OpenTrailError(
      'EventDataStoreARNInvalidException',
      `The specified event data store ARN is not valid or does not map to an event data store in your account: ${value.slice(0, 256)}`,
    ),
  notFound: (value: string) =>
    new OpenTrailError('EventDataStoreNotFoundException', `The specified event data store ${value.slice(0, 256)} was not found.`, 404),
  alreadyExists: (name: string) =>
    new OpenTrailError(
      'EventDataStoreAlreadyExistsException',
      `An event data store with the name ${name} already exists in this account and Region.`,
      409,
    ),
  maxLimit: (max: number) =>
    new OpenTrailError(
      'EventDataStoreMaxLimitExceededException',
      `Your account has the maximum number of event data stores (${max}) in this Region.`,
    ),
  terminationProtected: (arn: string) =>
    new OpenTrailError(
      'EventDataStoreTerminationProtectedException',
      `Event data store ${arn} has termination protection enabled. Disable it with updateEventDataStore before deleting the store.`,
    ),
  inactive: (arn: string) =>
    new OpenTrailError(
      'InactiveEventDataStoreException',
      `Event data store ${arn} is pending deletion: only restoreEventDataStore is allowed.`,
    ),
  invalidStatus: (arn: string, status: string, operation: string) =>
    new OpenTrailError(
      'InvalidEventDataStoreStatusException',
      `Event data store ${arn} is ${status}: ${operation} is not allowed in that status.`,
    ),
  invalidCategory: (message: string) => new OpenTrailError('InvalidEventDataStoreCategoryException', message),
  channelExists: (arn: string) =>
    new OpenTrailError(
      'ChannelExistsForEDSException',
      `Event data store ${arn} is the destination of a channel. Delete the channel or change its destinations first.`,
    ),
  ongoingImport: (arn: string) =>
    new OpenTrailError(
      'EventDataStoreHasOngoingImportException',
      `Event data store ${arn} has an import in progress; wait for it to finish or stop it.`,
    ),
  invalidParameter: (message: string) => new OpenTrailError('InvalidParameterException', message),
  conflict: (message: string) => new OpenTrailError('ConflictException', message, 409),
  invalidMaxResults: () => new OpenTrailError('InvalidMaxResultsException', 'maxResults must be between 1 and 1000.'),
  invalidNextToken: () => new OpenTrailError('InvalidNextTokenException', 'The nextToken is not valid.'),
  notOrganizationMaster: (message: string) => new OpenTrailError('NotOrganizationMasterAccountException', message, 403),
  organizationsNotInUse: () =>
    new OpenTrailError(
      'OrganizationsNotInUseException',
      'This account is not a member of an organization: organization event data stores need AWS Organizations.',
    ),
  operationNotPermitted: (message: string) => new OpenTrailError('OperationNotPermittedException', message, 403),
  // imports (§8.4)
  importNotFound: (id: string) => new OpenTrailError('ImportNotFoundException', `The import ${id.slice(0, 64)} was not found.`, 404),
  accountHasOngoingImport: () =>
    new OpenTrailError(
      'AccountHasOngoingImportException',
      'This account already has an import in progress; only one import can run at a time.',
    ),
  invalidImportSource: (message: string) => new OpenTrailError('InvalidImportSourceException', message),
  invalidTimeRange: (message: string) => new OpenTrailError('InvalidTimeRangeException', message),
};
