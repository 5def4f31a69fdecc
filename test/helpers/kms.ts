import { policyJson } from './iam-ops';
import type { TestApp } from './test-app';

/** GraphQL documents of the KMS operations and call helpers (src/kms). */
const META =
  'keyId arn awsAccountId creationDate enabled description keyUsage keyState deletionDate pendingDeletionWindowInDays keySpec keyManager origin';
export const KMS_OPS = {
  createKey: `mutation($input: CreateKeyInput) { createKey(input: $input) { keyMetadata { ${META} } } }`,
  describeKey: `query($input: KeyIdInput!) { describeKey(input: $input) { keyMetadata { ${META} } } }`,
  listKeys: 'query($input: ListKeysInput) { listKeys(input: $input) { keys { keyId keyArn } nextMarker truncated } }',
  enableKey: 'mutation($input: KeyIdInput!) { enableKey(input: $input) }',
  disableKey: 'mutation($input: KeyIdInput!) { disableKey(input: $input) }',
  scheduleKeyDeletion:
    'mutation($input: ScheduleKeyDeletionInput!) { scheduleKeyDeletion(input: $input) { keyId deletionDate keyState pendingWindowInDays } }',
  cancelKeyDeletion: 'mutation($input: KeyIdInput!) { cancelKeyDeletion(input: $input) { keyId } }',
  putKeyPolicy: 'mutation($input: PutKeyPolicyInput!) { putKeyPolicy(input: $input) }',
  getKeyPolicy: 'query($input: GetKeyPolicyInput!) { getKeyPolicy(input: $input) { policyName policy } }',
  createAlias: 'mutation($input: AliasInput!) { createAlias(input: $input) }',
  updateAlias: 'mutation($input: AliasInput!) { updateAlias(input: $input) }',
  deleteAlias: 'mutation($input: AliasNameInput!) { deleteAlias(input: $input) }',
  listAliases:
    'query($input: ListAliasesInput) { listAliases(input: $input) { aliases { aliasName aliasArn targetKeyId creationDate } nextMarker truncated } }',
} as const;
export type KmsOp = keyof typeof KMS_OPS;

export async function kms<T = any>(
  app: TestApp,
  op: KmsOp,
  input: Record<string, unknown> | undefined,
  token: string,
  region?: string,
): Promise<T> {
  const res = await app.gql(KMS_OPS[op], input === undefined ? {} : { input }, { token, region });
  if (res.errors?.length || !res.data) throw new Error(`${op} failed: ${JSON.stringify(res.errors)}`);
  return res.data[op] as T;
}

export async function kmsFails(
  app: TestApp,
  op: KmsOp,
  input: Record<string, unknown> | undefined,
  token: string,
  code: string,
  region?: string,
): Promise<string> {
  const res = await app.gql(KMS_OPS[op], input === undefined ? {} : { input }, { token, region });
  const error = res.errors?.[0];
  if (!error) throw new Error(`${op} was expected to fail with ${code} but returned ${JSON.stringify(res.data)}`);
  expect({ op, code: error.extensions?.code }).toEqual({ op, code });
  expect(res.data?.[op] ?? null).toBeNull();
  return error.message;
}

/** CloudTrail's key policy (spec §7): the owner's root (IAM decides) and CloudTrail for this account's trails. */
export function trailKeyPolicy(account: string, rootActions: Record<string, unknown> = { Action: 'kms:*' }): string {
  return policyJson(
    {
      Sid: 'Enable IAM User Permissions',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      ...rootActions,
      Resource: '*',
    },
    {
      Sid: 'Allow CloudTrail to encrypt logs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: { StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${account}:trail/*` } },
    },
    {
      Sid: 'Allow CloudTrail to describe key',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
    },
  );
}

/** A key CloudTrail may use for this account's trails (created through the API). */
export async function createTrailKey(
  app: TestApp,
  token: string,
  account: string,
  region?: string,
): Promise<{ keyId: string; arn: string }> {
  return (await kms(app, 'createKey', { policy: trailKeyPolicy(account) }, token, region)).keyMetadata;
}
