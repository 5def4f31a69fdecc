import { defineOperations } from '../graphql/operation-spec';

const S3 = 's3.amazonaws.com';
const bucket = (args: Record<string, any>) => `arn:aws:s3:::${String(args.input?.bucketName ?? '')}`;
const object = (args: Record<string, any>) => `arn:aws:s3:::${String(args.input?.bucketName ?? '')}/${String(args.input?.key ?? '')}`;

// Bucket-level calls are management events; object reads are data events, as in CloudTrail.
export const STORAGE_OPERATIONS = defineOperations({
  createBucket: { eventSource: S3, eventName: 'CreateBucket', action: 's3:CreateBucket', resource: bucket },
  listBuckets: { eventSource: S3, eventName: 'ListBuckets', action: 's3:ListAllMyBuckets' },
  deleteBucket: { eventSource: S3, eventName: 'DeleteBucket', action: 's3:DeleteBucket', resource: bucket },
  putBucketPolicy: { eventSource: S3, eventName: 'PutBucketPolicy', action: 's3:PutBucketPolicy', resource: bucket },
  getBucketPolicy: { eventSource: S3, eventName: 'GetBucketPolicy', action: 's3:GetBucketPolicy', resource: bucket },
  listObjects: { eventSource: S3, eventName: 'ListObjects', action: 's3:ListBucket', resource: bucket, dataEvent: true },
  getObject: { eventSource: S3, eventName: 'GetObject', action: 's3:GetObject', resource: object, dataEvent: true },
});
