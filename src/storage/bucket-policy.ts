import {
  evaluateResourcePolicy,
  type EvaluationOptions,
  parseResourcePolicy,
  type Principal,
  type RequestPrincipal,
  type ResourcePolicy,
  type ResourcePolicyDecision,
  type ResourcePolicyRules,
  type ResourceRequest,
} from '../policies/resource-policy';
import { StorageErrors } from './storage.errors';

/**
 * Bucket policies: resource policies (src/policies/resource-policy.ts) with S3's limits and
 * wording. A bucket policy may only speak about its own bucket and its objects.
 */
export type { Principal, RequestPrincipal };
export type BucketPolicy = ResourcePolicy;
export type BucketRequest = ResourceRequest;
export type BucketDecision = ResourcePolicyDecision;

const malformed = (why: string) => StorageErrors.malformedPolicy(why);

function bucketRules(bucket: string): ResourcePolicyRules {
  const own = `arn:aws:s3:::${bucket}`;
  return {
    maxBytes: 20 * 1024,
    service: 's3',
    malformed,
    checkResource(r) {
      if (r !== own && !r.startsWith(`${own}/`)) throw malformed(`Policy has invalid resource: ${r}`);
    },
    messages: {
      tooLarge: 'Policies must be 20 KB or smaller',
      notJson: "Policies must be valid JSON and the first byte must be '{'",
      notObject: 'Policies must be a JSON object',
      badVersion: 'Version must be 2012-10-17 or 2008-10-17',
      missingStatement: 'Missing required field Statement',
      invalidAction: (action) => `Policy has invalid action: ${action}`,
      missingPrincipal: (i) => `Statement ${i}: Missing required field Principal`,
      invalidPrincipal: (p) => `Invalid principal in policy: ${p}`,
    },
  };
}

/** Parses a bucket policy for `bucket`; throws MalformedPolicy naming the problem. */
export function parseBucketPolicy(text: string, bucket: string): BucketPolicy {
  return parseResourcePolicy(text, bucketRules(bucket)).policy;
}

/** IAM evaluation for one request against a bucket policy: explicit Deny wins, then Allow. */
export const evaluateBucketPolicy: (policy: BucketPolicy | null, req: BucketRequest, opts?: EvaluationOptions) => BucketDecision =
  evaluateResourcePolicy;
