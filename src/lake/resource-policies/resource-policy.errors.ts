import { OpenTrailError } from '../../common/errors';

/** The exceptions of PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy (spec §8.6, §13). */
export const ResourcePolicyErrors = {
  arnNotValid: (value: string) =>
    new OpenTrailError(
      'ResourceARNNotValidException',
      `The resource ARN ${String(value).slice(0, 256)} is not valid: name an event data store or a channel by its full ARN.`,
    ),
  typeNotSupported: (value: string) =>
    new OpenTrailError(
      'ResourceTypeNotSupportedException',
      `Resource-based policies are supported on event data stores and channels, not on ${value.slice(0, 256)}.`,
    ),
  notFound: (value: string) => new OpenTrailError('ResourceNotFoundException', `Resource not found: ${value.slice(0, 256)}`, 404),
  policyNotFound: (arn: string) =>
    new OpenTrailError('ResourcePolicyNotFoundException', `The resource ${arn} has no resource-based policy.`, 404),
  notValid: (why: string) => new OpenTrailError('ResourcePolicyNotValidException', `The resource-based policy is not valid: ${why}`),
};
