import type { GqlResult, TestApp } from './test-app';

/** GraphQL documents of the IAM, STS and Organizations operations, shared by the e2e suites. */
export const OPS = {
  createUser: 'mutation($input: CreateUserInput!) { createUser(input: $input) { userName userId arn path createDate } }',
  getUser: 'query($input: UserNameInput) { getUser(input: $input) { userName userId arn path createDate } }',
  listUsers: 'query($input: ListPrincipalsInput) { listUsers(input: $input) { users { userName arn path } isTruncated marker } }',
  createRole:
    'mutation($input: CreateRoleInput!) { createRole(input: $input) { roleName roleId arn path description maxSessionDuration assumeRolePolicyDocument createDate } }',
  listRoles: 'query($input: ListPrincipalsInput) { listRoles(input: $input) { roles { roleName arn path } isTruncated marker } }',
  createAccessKey:
    'mutation($input: UserNameInput) { createAccessKey(input: $input) { accessKey { userName accessKeyId secretAccessKey status createDate } } }',
  deleteAccessKey: 'mutation($input: DeleteAccessKeyInput!) { deleteAccessKey(input: $input) }',
  listAccessKeys:
    'query($input: UserNameInput) { listAccessKeys(input: $input) { accessKeyMetadata { userName accessKeyId status createDate } isTruncated } }',
  putUserPolicy: 'mutation($input: PutUserPolicyInput!) { putUserPolicy(input: $input) }',
  putRolePolicy: 'mutation($input: PutRolePolicyInput!) { putRolePolicy(input: $input) }',
  attachUserPolicy: 'mutation($input: AttachUserPolicyInput!) { attachUserPolicy(input: $input) }',
  attachRolePolicy: 'mutation($input: AttachRolePolicyInput!) { attachRolePolicy(input: $input) }',
  listPolicies:
    'query { listPolicies { policies { policyName arn description attachmentCount isAttachable policyDocument } isTruncated } }',
  assumeRole:
    'mutation($input: AssumeRoleInput!) { assumeRole(input: $input) { token accessKeyId assumedRoleUser { arn assumedRoleId } } }',
  getCallerIdentity: 'query { getCallerIdentity { account arn userId } }',
  createAccount:
    'mutation($input: CreateAccountInput!) { createAccount(input: $input) { id arn name email status joinedMethod joinedTimestamp } }',
  listAccounts:
    'query($input: ListAccountsInput) { listAccounts(input: $input) { accounts { id arn name email status joinedMethod } nextToken } }',
  describeOrganization:
    'query { describeOrganization { id arn featureSet masterAccountId managementAccountId masterAccountArn masterAccountEmail } }',
  removeAccountFromOrganization: 'mutation($input: RemoveAccountFromOrganizationInput!) { removeAccountFromOrganization(input: $input) }',
  registerOrganizationDelegatedAdmin:
    'mutation($input: RegisterOrganizationDelegatedAdminInput!) { registerOrganizationDelegatedAdmin(input: $input) }',
  deregisterOrganizationDelegatedAdmin:
    'mutation($input: DeregisterOrganizationDelegatedAdminInput!) { deregisterOrganizationDelegatedAdmin(input: $input) }',
  listDelegatedAdministrators:
    'query { listDelegatedAdministrators { delegatedAdministrators { id arn name email delegationEnabledDate } } }',
} as const;

export type OpName = keyof typeof OPS;

/** Runs one operation and returns its field's data (throws with the errors when it failed). */
export async function call<T = any>(
  app: TestApp,
  op: OpName,
  input: Record<string, unknown> | undefined,
  token: string,
  region?: string,
): Promise<T> {
  const result = await app.gql(OPS[op], input === undefined ? {} : { input }, { token, region });
  if (result.errors?.length || !result.data) throw new Error(`${op} failed: ${JSON.stringify(result.errors)}`);
  return result.data[op] as T;
}

/** Runs one operation that must fail; returns the error for further checks. */
export async function callFails(
  app: TestApp,
  op: OpName,
  input: Record<string, unknown> | undefined,
  token: string | undefined,
  code: string,
): Promise<{ message: string; code: string; result: GqlResult }> {
  const result = await app.gql(OPS[op], input === undefined ? {} : { input }, { token });
  const error = result.errors?.[0];
  if (!error) throw new Error(`${op} was expected to fail with ${code} but returned ${JSON.stringify(result.data)}`);
  expect({ op, code: error.extensions?.code }).toEqual({ op, code });
  expect(result.data?.[op] ?? null).toBeNull();
  return { message: error.message, code: String(error.extensions?.code), result };
}

export const policyJson = (...statements: Array<Record<string, unknown>>) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** Creates a user with an access key and the given managed policies, and logs it in. */
export async function createUserSession(
  app: TestApp,
  adminToken: string,
  userName: string,
  managedPolicyArns: string[] = [],
): Promise<{ token: string; accessKeyId: string; secretAccessKey: string; arn: string }> {
  const user = await call(app, 'createUser', { userName }, adminToken);
  for (const policyArn of managedPolicyArns) await call(app, 'attachUserPolicy', { userName, policyArn }, adminToken);
  const { accessKey } = await call(app, 'createAccessKey', { userName }, adminToken);
  const token = await app.login({ accessKeyId: accessKey.accessKeyId, secretAccessKey: accessKey.secretAccessKey });
  return { token, accessKeyId: accessKey.accessKeyId, secretAccessKey: accessKey.secretAccessKey, arn: user.arn };
}

export const MANAGED = {
  admin: 'arn:aws:iam::aws:policy/AdministratorAccess',
  cloudTrailFull: 'arn:aws:iam::aws:policy/AWSCloudTrail_FullAccess',
  cloudTrailReadOnly: 'arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess',
};
