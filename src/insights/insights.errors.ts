import { OpenTrailError } from '../common/errors';

/** Errors of the Insights operations (CloudTrail codes, spec §13). */
export const InsightsErrors = {
  invalidParameter: (message: string) => new OpenTrailError('InvalidParameterException', message),
  unsupported: (message: string) => new OpenTrailError('UnsupportedOperationException', message),
};
