import { OpenTrailError } from '../common/errors';

/** IAM's error codes, named as the AWS SDKs (v3) surface them. */
export const IamErrors = {
  validation: (message: string) => new OpenTrailError('ValidationError', message),
  alreadyExists: (message: string) => new OpenTrailError('EntityAlreadyExistsException', message, 409),
  noSuchUser: (userName: string) => new OpenTrailError('NoSuchEntityException', `The user with name ${userName} cannot be found.`, 404),
  noSuchRole: (roleName: string) => new OpenTrailError('NoSuchEntityException', `The role with name ${roleName} cannot be found.`, 404),
  noSuchAccessKey: (accessKeyId: string) =>
    new OpenTrailError('NoSuchEntityException', `The Access Key with id ${accessKeyId} cannot be found.`, 404),
  noSuchPolicy: (policyArn: string) =>
    new OpenTrailError('NoSuchEntityException', `Policy ${policyArn} does not exist or is not attachable.`, 404),
  limitExceeded: (message: string) => new OpenTrailError('LimitExceededException', message, 409),
};
