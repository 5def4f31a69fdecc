import { OpenTrailError } from '../common/errors';

/** AWS KMS exception names, as KMS returns them. */
export const KmsErrors = {
  notFound: (keyId: string) => new OpenTrailError('NotFoundException', `Key '${keyId.slice(0, 300)}' does not exist`, 404),
  invalidKeyId: (keyId: string) => new OpenTrailError('NotFoundException', `Invalid keyId '${keyId.slice(0, 300)}'`, 404),
  invalidArn: (arn: string) => new OpenTrailError('InvalidArnException', `ARN ${arn.slice(0, 300)} is not a valid KMS key ARN`),
  disabled: (arn: string) => new OpenTrailError('DisabledException', `${arn} is disabled.`),
  invalidState: (arn: string, state: string) => new OpenTrailError('KMSInvalidStateException', `${arn} is ${state}.`),
  malformedPolicy: (why: string) => new OpenTrailError('MalformedPolicyDocumentException', why),
  validation: (why: string) => new OpenTrailError('ValidationException', why),
  unsupported: (why: string) => new OpenTrailError('UnsupportedOperationException', why),
  limitExceeded: (max: number) =>
    new OpenTrailError('LimitExceededException', `An account may have at most ${max} customer managed keys per Region.`),
  accessDenied: (action: string, arn: string, who: string) =>
    new OpenTrailError(
      'AccessDeniedException',
      `User: ${who} is not authorized to perform: ${action} on resource: ${arn} because no resource-based policy allows the ${action} action`,
      403,
    ),
  invalidAliasName: (why: string) => new OpenTrailError('InvalidAliasNameException', why),
  aliasExists: (name: string) => new OpenTrailError('AlreadyExistsException', `An alias with the name ${name} already exists`, 409),
  invalidMarker: () =>
    new OpenTrailError('InvalidMarkerException', 'The marker that specifies where pagination should next begin is not valid.'),
  invalidCiphertext: () =>
    new OpenTrailError('InvalidCiphertextException', 'The ciphertext or its encryption context is not valid for this key.'),
};
