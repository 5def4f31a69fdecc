import { OpenTrailError } from '../common/errors';
import { type BucketPolicy, type BucketRequest, evaluateBucketPolicy } from './bucket-policy';

/** On whose behalf the service writes: aws:SourceAccount, and the aws:SourceArn(s) of the write. */
export interface WriteSource {
  /** The trail's owner (for organization trails: the management account), or the query's account. */
  accountId: string;
  /** The trail ARN, or each event data store a query read: the write must be allowed for each. */
  arns: readonly string[];
}

/** Whose bucket it is and whose write it is, by account and organization (null: none). */
export interface WriteTenancy {
  ownerAccountId: string;
  ownerOrganizationId: string | null;
  sourceOrganizationId: string | null;
}

/** What a trail will write: whose files, under which prefix. */
export interface TrailBucketTarget {
  /** The trail's owner account (for organization trails: the management account). */
  accountId: string;
  /** Set for organization trails: files go under AWSLogs/<o-id>/. */
  organizationId: string | null;
  keyPrefix: string | null;
  /** The trail ARN, the aws:SourceArn CloudTrail's recommended policy conditions on. */
  trailArn: string;
}

const SERVICE = { service: 'cloudtrail.amazonaws.com' };
const ACL = { 's3:x-amz-acl': 'bucket-owner-full-control' };

/**
 * Whether the bucket policy lets cloudtrail.amazonaws.com do `action` on `resource` for `source`.
 * All tenants share that principal, so in a bucket of another tenant (neither the source account
 * nor an account of its organization) only a statement naming the source through aws:SourceAccount,
 * aws:SourceArn or aws:SourceOrgID grants: a grant to the service alone, or to a path such as
 * AWSLogs/<owner>/ that any tenant can ask for as its prefix, is no grant to other tenants.
 * `unbound` is for s3:GetBucketAcl, which writes nothing: the writes carry the binding.
 */
export function serviceMay(
  policy: BucketPolicy | null,
  tenancy: WriteTenancy,
  source: WriteSource,
  action: string,
  resource: string,
  extra: Record<string, string> = {},
  unbound = false,
): boolean {
  const sameTenant =
    tenancy.ownerAccountId === source.accountId ||
    (tenancy.ownerOrganizationId !== null && tenancy.ownerOrganizationId === tenancy.sourceOrganizationId);
  const boundTo = sameTenant || unbound ? undefined : { accountId: source.accountId, organizationId: tenancy.sourceOrganizationId };
  const context: Record<string, string> = { 'aws:SourceAccount': source.accountId, ...extra };
  if (tenancy.sourceOrganizationId) context['aws:SourceOrgID'] = tenancy.sourceOrganizationId;
  const arns: Array<string | null> = source.arns.length > 0 ? [...source.arns] : [null];
  return arns.every((arn) => {
    const request: BucketRequest = { principal: SERVICE, action, resource, context: arn ? { ...context, 'aws:SourceArn': arn } : context };
    return evaluateBucketPolicy(policy, request, { boundTo }) === 'Allow';
  });
}

/** s3:PutObject of one object as CloudTrail sends it (with the bucket-owner-full-control ACL). */
export function servicePutAllowed(
  bucket: string,
  key: string,
  policy: BucketPolicy | null,
  tenancy: WriteTenancy,
  source: WriteSource,
): boolean {
  return serviceMay(policy, tenancy, source, 's3:PutObject', `arn:aws:s3:::${bucket}/${key}`, ACL);
}

const insufficient = (bucket: string) =>
  new OpenTrailError('InsufficientS3BucketPolicyException', `Incorrect S3 bucket policy is detected for bucket: ${bucket}`);

/**
 * CloudTrail's bucket check (spec §5.3): the policy must let the service read the bucket ACL
 * and put objects with the bucket-owner-full-control ACL under `[<prefix>/]AWSLogs/<account>/`
 * (`AWSLogs/<o-id>/` for organization trails), for this trail (serviceMay). The whole path (`…/*`
 * taken literally) and each folder CloudTrail writes must be allowed, so a narrower grant or a
 * Deny on one of them fails.
 */
export function checkTrailBucketPolicy(
  bucket: string,
  policy: BucketPolicy | null,
  tenancy: WriteTenancy,
  target: TrailBucketTarget,
): void {
  const source = { accountId: target.accountId, arns: [target.trailArn] };
  const owner = target.organizationId ?? target.accountId;
  const base = `${target.keyPrefix ? `${target.keyPrefix}/` : ''}AWSLogs/${owner}/`;
  if (!serviceMay(policy, tenancy, source, 's3:GetBucketAcl', `arn:aws:s3:::${bucket}`, {}, true)) throw insufficient(bucket);
  const folders = [
    '*',
    `${target.accountId}/CloudTrail/x`,
    `${target.accountId}/CloudTrail-Digest/x`,
    `${target.accountId}/CloudTrail-Insight/x`,
    'CloudTrail/x',
    'CloudTrail-Digest/x',
  ].filter((rest) => target.organizationId !== null || !rest.startsWith(target.accountId));
  for (const rest of folders) {
    if (!servicePutAllowed(bucket, base + rest, policy, tenancy, source)) throw insufficient(bucket);
  }
}

/**
 * StartQuery's check of a deliveryS3Uri (spec §8.2.2): the policy must let the service put the
 * result files under `[<prefix>/]AWSLogs/<account>/CloudTrail-Lake/Query/` for this query's
 * account and data stores (serviceMay), as the delivery will.
 */
export function checkQueryResultBucketPolicy(
  bucket: string,
  policy: BucketPolicy | null,
  tenancy: WriteTenancy,
  target: { source: WriteSource; prefix: string | null },
): void {
  const dir = `${target.prefix ? `${target.prefix}/` : ''}AWSLogs/${target.source.accountId}/CloudTrail-Lake/Query/`;
  for (const rest of ['*', 'x/result_1.csv.gz', 'x/result_sign.json']) {
    if (!servicePutAllowed(bucket, dir + rest, policy, tenancy, target.source)) throw insufficient(bucket);
  }
}
