import { arns } from '../common/arn';
import type { PolicyDocument } from './policy-document';

/** AWS-managed policies that can be attached to users and roles. */
interface ManagedPolicy {
  name: string;
  description: string;
  document: PolicyDocument;
}

const DEFINITIONS: ManagedPolicy[] = [
  {
    name: 'AdministratorAccess',
    description: 'Provides full access to every operation and resource.',
    document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['*'], Resource: ['*'] }] },
  },
  {
    name: 'AWSCloudTrail_FullAccess',
    description: 'Full access to CloudTrail: trails, event history, Lake, channels and ingestion.',
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['cloudtrail:*', 'cloudtrail-data:*'], Resource: ['*'] },
        {
          Effect: 'Allow',
          Action: ['s3:CreateBucket', 's3:ListAllMyBuckets', 's3:GetObject', 's3:ListBucket', 's3:PutBucketPolicy', 's3:GetBucketPolicy'],
          Resource: ['*'],
        },
        { Effect: 'Allow', Action: ['kms:ListKeys', 'kms:ListAliases', 'kms:DescribeKey'], Resource: ['*'] },
        { Effect: 'Allow', Action: ['organizations:DescribeOrganization', 'organizations:ListAccounts'], Resource: ['*'] },
        { Effect: 'Allow', Action: ['iam:ListRoles', 'iam:GetRole', 'iam:GetUser'], Resource: ['*'] },
        { Effect: 'Allow', Action: ['account:ListRegions'], Resource: ['*'] },
      ],
    },
  },
  {
    name: 'AWSCloudTrail_ReadOnlyAccess',
    description: 'Read-only access to CloudTrail: describe, get, list and look up events.',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['cloudtrail:Get*', 'cloudtrail:Describe*', 'cloudtrail:List*', 'cloudtrail:LookupEvents'],
          Resource: ['*'],
        },
        { Effect: 'Allow', Action: ['s3:ListAllMyBuckets', 'account:ListRegions'], Resource: ['*'] },
      ],
    },
  },
];

export const MANAGED_POLICIES: ReadonlyMap<string, ManagedPolicy> = new Map(DEFINITIONS.map((p) => [arns.managedPolicy(p.name), p]));

/** The documents of the attached managed policies that exist (unknown ARNs grant nothing). */
export function managedPolicyDocuments(policyArns: readonly string[]): PolicyDocument[] {
  return policyArns.flatMap((arn) => {
    const policy = MANAGED_POLICIES.get(arn);
    return policy ? [policy.document] : [];
  });
}
