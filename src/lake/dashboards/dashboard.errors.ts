import { OpenTrailError } from '../../common/errors';

/** Dashboard exceptions (spec §8.5, §13). */
export const DashboardErrors = {
  notFound: (value: string) =>
    new OpenTrailError('ResourceNotFoundException', `The dashboard ${value.slice(0, 256)} was not found in this account and Region.`, 404),
  alreadyExists: (name: string) =>
    new OpenTrailError('ConflictException', `A dashboard named ${name} already exists in this account and Region.`, 409),
  terminationProtected: (arn: string) =>
    new OpenTrailError(
      'ConflictException',
      `Dashboard ${arn} has termination protection enabled. Disable it with updateDashboard before deleting the dashboard.`,
      409,
    ),
  quota: (message: string) => new OpenTrailError('ServiceQuotaExceededException', message),
  refreshInProgress: (arn: string, refreshId: string) =>
    new OpenTrailError(
      'ServiceQuotaExceededException',
      `Dashboard ${arn} is still refreshing (refresh ${refreshId}); a dashboard runs one refresh at a time.`,
    ),
  unsupported: (message: string) => new OpenTrailError('UnsupportedOperationException', message),
  invalidParameter: (message: string) => new OpenTrailError('InvalidParameterException', message),
  invalidNextToken: () => new OpenTrailError('InvalidNextTokenException', 'The nextToken is not valid.'),
};
