import { ApiError } from '../../api/graphql-client';

/** A trail as describeTrails returns it (the fields the page shows and edits). */
export interface Trail {
  name: string;
  trailARN: string;
  homeRegion: string;
  s3BucketName: string;
  s3KeyPrefix: string | null;
  isMultiRegionTrail: boolean;
  includeGlobalServiceEvents: boolean;
  isOrganizationTrail: boolean;
  logFileValidationEnabled: boolean;
  kmsKeyId: string | null;
  hasCustomEventSelectors: boolean;
}

export interface TrailStatus {
  isLogging: boolean;
  latestDeliveryTime: string | null;
  latestDeliveryError: string | null;
  latestDigestDeliveryTime: string | null;
  latestDigestDeliveryError: string | null;
  startLoggingTime: string | null;
  stopLoggingTime: string | null;
}

/** The trail ARN CloudTrail will give a trail of this name created in `region` (for the bucket policy's aws:SourceArn). */
export function trailArnFor(region: string, account: string, name: string): string {
  return `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;
}

/**
 * CloudTrail's recommended bucket policy for one trail (the README's): the service may read the
 * bucket ACL and write under `[prefix/]AWSLogs/<account>/`, both only for this trail (aws:SourceArn),
 * objects with bucket-owner-full-control.
 */
export function recommendedBucketPolicy(bucket: string, prefix: string, account: string, trailArn: string): string {
  const path = `${prefix ? `${prefix.replace(/\/+$/, '')}/` : ''}AWSLogs/${account}/*`;
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailAclCheck20150319',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:GetBucketAcl',
        Resource: `arn:aws:s3:::${bucket}`,
        Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
      },
      {
        Sid: 'AWSCloudTrailWrite20150319',
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/${path}`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn } },
      },
    ],
  };
  return JSON.stringify(policy, null, 2);
}

/** The trail form's fields an API error can belong to. */
export type TrailField = 'name' | 'bucket' | 'prefix' | 'kms' | 'form';

// Which field each CloudTrail (and S3, for the bucket actions) code is about; others go above the form.
const FIELD_OF_CODE: Record<string, TrailField> = {
  InvalidTrailNameException: 'name',
  TrailAlreadyExistsException: 'name',
  MaximumNumberOfTrailsExceededException: 'name',
  S3BucketDoesNotExistException: 'bucket',
  InsufficientS3BucketPolicyException: 'bucket',
  InvalidS3BucketNameException: 'bucket',
  InvalidBucketName: 'bucket',
  BucketAlreadyExists: 'bucket',
  BucketAlreadyOwnedByYou: 'bucket',
  NoSuchBucket: 'bucket',
  MalformedPolicy: 'bucket',
  InvalidS3PrefixException: 'prefix',
  InvalidKmsKeyIdException: 'kms',
  KmsKeyNotFoundException: 'kms',
  KmsKeyDisabledException: 'kms',
  KmsException: 'kms',
  InsufficientEncryptionPolicyException: 'kms',
};

export function fieldOfError(error: unknown): TrailField {
  return (error instanceof ApiError && FIELD_OF_CODE[error.code]) || 'form';
}
