import { OpenTrailError } from '../common/errors';
import { type BucketPolicy, type BucketRequest, evaluateBucketPolicy } from './bucket-policy';

/** What a trail will write: whose files, under which prefix. */
export interface TrailBucketTarget {
  /** The trail's owner account (for organization trails: the management account). */
  accountId: string;
  /** Set for organization trails: files go under AWSLogs/<o-id>/. */
  organizationId: string | null;
  keyPrefix: string | null;
  /** The trail ARN, the aws:SourceArn CloudTrail's usual policy conditions on. */
  trailArn?: string | null;
}

const SERVICE = { service: 'cloudtrail.amazonaws.com' };

/**
 * CloudTrail's bucket check (spec §5.3): the policy must let the service read the bucket ACL
 * and put objects with the bucket-owner-full-control ACL under `[<prefix>/]AWSLogs/<account>/`
 * (`AWSLogs/<o-id>/` for organization trails). The whole path (`…/*` taken literally) and each
 * folder CloudTrail writes must be allowed, so a narrower grant or a Deny on one of them fails.
 */
export function checkTrailBucketPolicy(bucket: string, policy: BucketPolicy | null, target: TrailBucketTarget): void {
  const context: Record<string, string> = { 'aws:SourceAccount': target.accountId };
  if (target.trailArn) context['aws:SourceArn'] = target.trailArn;
  const owner = target.organizationId ?? target.accountId;
  const base = `${target.keyPrefix ? `${target.keyPrefix}/` : ''}AWSLogs/${owner}/`;
  const requests: BucketRequest[] = [
    { principal: SERVICE, action: 's3:GetBucketAcl', resource: `arn:aws:s3:::${bucket}`, context },
    ...['*', `${target.accountId}/CloudTrail/x`, `${target.accountId}/CloudTrail-Digest/x`, `${target.accountId}/CloudTrail-Insight/x`, 'CloudTrail/x', 'CloudTrail-Digest/x']
      .filter((rest) => target.organizationId !== null || !rest.startsWith(target.accountId))
      .map((rest) => ({
        principal: SERVICE,
        action: 's3:PutObject',
        resource: `arn:aws:s3:::${bucket}/${base}${rest}`,
        context: { ...context, 's3:x-amz-acl': 'bucket-owner-full-control' },
      })),
  ];
  for (const request of requests) {
    if (evaluateBucketPolicy(policy, request) !== 'Allow') {
      throw new OpenTrailError('InsufficientS3BucketPolicyException', `Incorrect S3 bucket policy is detected for bucket: ${bucket}`);
    }
  }
}
