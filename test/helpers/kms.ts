import type { TestApp } from './test-app';

/** GraphQL documents of the KMS operations and call helpers (src/kms). */
const META = 'keyId arn awsAccountId creationDate enabled description keyUsage keyState deletionDate pendingDeletionWindowInDays keySpec keyManager origin';
export const KMS_OPS = {
  createKey: `mutation($input: CreateKeyInput) { createKey(input: $input) { keyMetadata { ${META} } } }`,
  describeKey: `query($input: KeyIdInput!) { describeKey(input: $input) { keyMetadata { ${META} } } }`,
  listKeys: 'query($input: ListKeysInput) { listKeys(input: $input) { keys { keyId keyArn } nextMarker truncated } }',
  enableKey: 'mutation($input: KeyIdInput!) { enableKey(input: $input) }',
  disableKey: 'mutation($input: KeyIdInput!) { disableKey(input: $input) }',
  scheduleKeyDeletion: 'mutation($input: ScheduleKeyDeletionInput!) { scheduleKeyDeletion(input: $input) { keyId deletionDate keyState pendingWindowInDays } }',
  cancelKeyDeletion: 'mutation($input: KeyIdInput!) { cancelKeyDeletion(input: $input) { keyId } }',
  putKeyPolicy: 'mutation($input: PutKeyPolicyInput!) { putKeyPolicy(input: $input) }',
  getKeyPolicy: 'query($input: GetKeyPolicyInput!) { getKeyPolicy(input: $input) { policyName policy } }',
} as const;
export type KmsOp = keyof typeof KMS_OPS;

export async function kms<T = any>(app: TestApp, op: KmsOp, input: Record<string, unknown> | undefined, token: string, region?: string): Promise<T> {
  const res = await app.gql(KMS_OPS[op], input === undefined ? {} : { input }, { token, region });
  if (res.errors?.length || !res.data) throw new Error(`${op} failed: ${JSON.stringify(res.errors)}`);
  return res.data[op] as T;
}

export async function kmsFails(app: TestApp, op: KmsOp, input: Record<string, unknown> | undefined, token: string, code: string, region?: string): Promise<string> {
  const res = await app.gql(KMS_OPS[op], input === undefined ? {} : { input }, { token, region });
  const error = res.errors?.[0];
  if (!error) throw new Error(`${op} was expected to fail with ${code} but returned ${JSON.stringify(res.data)}`);
  expect({ op, code: error.extensions?.code }).toEqual({ op, code });
  expect(res.data?.[op] ?? null).toBeNull();
  return error.message;
}

