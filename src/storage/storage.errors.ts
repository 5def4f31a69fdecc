import { OpenTrailError } from '../common/errors';

/**
 * S3's error codes, as S3 names them: the delivery worker records them in getTrailStatus
 * (LatestDeliveryError), so they must be the codes a CloudTrail user knows.
 */
export const StorageErrors = {
  invalidBucketName: (name: string, why: string) =>
    new OpenTrailError('InvalidBucketName', `The specified bucket is not valid: ${JSON.stringify(name.slice(0, 100))} ${why}.`),
  bucketAlreadyExists: () =>
    new OpenTrailError(
      'BucketAlreadyExists',
      'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
      409,
    ),
  bucketAlreadyOwnedByYou: () =>
    new OpenTrailError(
      'BucketAlreadyOwnedByYou',
      'Your previous request to create the named bucket succeeded and you already own it.',
      409,
    ),
  noSuchBucket: () => new OpenTrailError('NoSuchBucket', 'The specified bucket does not exist', 404),
  bucketNotEmpty: () => new OpenTrailError('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409),
  noSuchKey: () => new OpenTrailError('NoSuchKey', 'The specified key does not exist.', 404),
  noSuchBucketPolicy: () => new OpenTrailError('NoSuchBucketPolicy', 'The bucket policy does not exist', 404),
  malformedPolicy: (why: string) => new OpenTrailError('MalformedPolicy', why),
  accessDenied: () => new OpenTrailError('AccessDenied', 'Access Denied', 403),
  invalidObjectKey: (why: string) => new OpenTrailError('InvalidObjectKey', `The specified key is not valid: ${why}.`),
  invalidArgument: (why: string) => new OpenTrailError('InvalidArgument', why),
};
