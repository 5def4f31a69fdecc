import { startTestApp, type TestApp } from '../helpers/test-app';
import { call, callFails, createUserSession } from '../helpers/iam-ops';
import { kms, kmsFails, trailKeyPolicy } from '../helpers/kms';

/**
 * Issue 11 §5: a policy that names a key twice reads one way to a reviewer (the first value) and
 * was enforced the other way (JSON.parse keeps the last). Every policy parser refuses it now.
 */
describe('policy documents with duplicate keys, as an attacker sends them', () => {
  let app: TestApp;
  let admin: string;
  let account: string;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.login(app.admin);
    account = app.admin.accountId;
  });
  afterAll(async () => app?.close());

  it('putUserPolicy refuses "Effect":"Deny","Effect":"Allow" and grants nothing', async () => {
    const mallory = await createUserSession(app, admin, 'mallory');
    // Reads as a Deny of everything; JSON.parse alone would have stored an Allow of everything.
    const policyDocument = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Action":"*","Resource":"*"}]}';
    const { message } = await callFails(
      app,
      'putUserPolicy',
      { userName: 'mallory', policyName: 'looks-safe', policyDocument },
      admin,
      'MalformedPolicyDocumentException',
    );
    expect(message).toBe('Syntax errors in policy: the key "Effect" appears more than once in the object at $.Statement[0]');
    // Nothing was stored: mallory still may not do anything.
    await callFails(app, 'listUsers', undefined, mallory.token, 'AccessDeniedException');
    // The same with the key spelled through an escape.
    const escaped = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Eff\\u0065ct":"Allow","Action":"*","Resource":"*"}]}';
    await callFails(
      app,
      'putUserPolicy',
      { userName: 'mallory', policyName: 'looks-safe', policyDocument: escaped },
      admin,
      'MalformedPolicyDocumentException',
    );
    await callFails(app, 'listUsers', undefined, mallory.token, 'AccessDeniedException');
  });

  it('createRole refuses a trust policy with a Principal named twice', async () => {
    const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${account}:root","AWS":"*"},"Action":"sts:AssumeRole"}]}`;
    await callFails(
      app,
      'createRole',
      { roleName: 'TwoFaced', assumeRolePolicyDocument: trust },
      admin,
      'MalformedPolicyDocumentException',
    );
    const roles = await call(app, 'listRoles', undefined, admin);
    expect(roles.roles.map((r: { roleName: string }) => r.roleName)).not.toContain('TwoFaced');
  });

  it('putBucketPolicy refuses a duplicate Effect (S3 MalformedPolicy) and keeps no policy', async () => {
    const put = 'mutation($input: PutBucketPolicyInput!) { putBucketPolicy(input: $input) { bucketName } }';
    expect(
      (await app.gql('mutation { createBucket(input: {bucketName: "dup-keys"}) { bucketName } }', {}, { token: admin })).errors,
    ).toBeUndefined();
    const policy =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::dup-keys/*"}]}';
    const refused = await app.gql(put, { input: { bucketName: 'dup-keys', policy } }, { token: admin });
    expect(refused.errors?.[0]?.extensions?.code).toBe('MalformedPolicy');
    expect(refused.errors?.[0]?.message).toContain('"Effect" appears more than once');
    const got = await app.gql('query { getBucketPolicy(input: {bucketName: "dup-keys"}) { policy } }', {}, { token: admin });
    expect(got.errors?.[0]?.extensions?.code).toBe('NoSuchBucketPolicy');
  });

  it('createKey and putKeyPolicy refuse a key policy with a duplicate condition key, and the policy stays as it was', async () => {
    const { keyMetadata: key } = await kms(app, 'createKey', { policy: trailKeyPolicy(account) }, admin);
    const before = await kms(app, 'getKeyPolicy', { keyId: key.keyId }, admin);
    const twoAccounts =
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::${account}:root"},"Action":"kms:*","Resource":"*"},` +
      '{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"' +
      account +
      '","kms:CallerAccount":"999999999999"}}}]}';
    await kmsFails(app, 'putKeyPolicy', { keyId: key.keyId, policy: twoAccounts }, admin, 'MalformedPolicyDocumentException');
    expect(await kms(app, 'getKeyPolicy', { keyId: key.keyId }, admin)).toEqual(before);
    await kmsFails(app, 'createKey', { policy: twoAccounts }, admin, 'MalformedPolicyDocumentException');
  });
});
