import { OpenTrailError } from '../common/errors';

/** CloudTrail exceptions of ListPublicKeys and validateLogs (spec §6.5, §6.7, §13). */
export const IntegrityErrors = {
  invalidTimeRange: (message: string) => new OpenTrailError('InvalidTimeRangeException', message),
  invalidToken: () => new OpenTrailError('InvalidTokenException', 'NextToken is not supported: all public keys are returned in one page.'),
  invalidParameter: (message: string) => new OpenTrailError('InvalidParameterException', message),
  trailArnInvalid: (arn: string) => new OpenTrailError('CloudTrailARNInvalidException', `Invalid trail ARN provided: ${arn}`),
  trailNotFound: (arn: string) => new OpenTrailError('TrailNotFoundException', `A trail could not be found for ${arn}`, 404),
  missingAccountId: () =>
    new OpenTrailError('InvalidParameterException', "Missing required parameter for organization trail: '--account-id'"),
  noPublicKeys: (start: string, end: string) =>
    new OpenTrailError('InvalidTimeRangeException', `No public keys found between ${start} and ${end}`),
};
