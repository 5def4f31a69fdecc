import jwt from 'jsonwebtoken';
import { startTestApp, type GqlResult, type TestApp } from '../helpers/test-app';
import { MANAGED, OPS, call, callFails, createUserSession, policyJson } from '../helpers/iam-ops';
import type { SessionClaims } from '../../src/auth/token.service';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('session tokens', () => {
  let app: TestApp;
  let adminToken: string;
  let claims: Omit<SessionClaims, 'iat' | 'exp'>;

  /** A protected query made with a raw Authorization header. */
  async function withHeader(authorization: string): Promise<GqlResult> {
    return app.gql(OPS.listUsers, {}, { headers: { authorization } });
  }

  function expectRejected(result: GqlResult, code: string): void {
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual([code]);
    expect(result.data ?? null).toBeNull();
    expect(JSON.stringify(result)).not.toContain(app.admin.accountId);
  }

  beforeAll(async () => {
    app = await startTestApp();
    adminToken = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
    const { rows } = await app.db.pool.query(`SELECT id, arn FROM iam_users WHERE account_id = $1 AND user_name = 'admin'`, [
      app.admin.accountId,
    ]);
    claims = {
      typ: 'user',
      acct: app.admin.accountId,
      org: app.admin.organizationId,
      pref: rows[0].id,
      src: app.admin.accessKeyId,
      akid: app.admin.accessKeyId,
      sub: rows[0].arn,
    };
  });
  afterAll(async () => {
    await app.close();
  });

  it('accepts a token the server issued itself (the baseline the other cases vary)', async () => {
    const { token } = app.services.tokens.issue(claims, 300);
    const result = await withHeader(`Bearer ${token}`);
    expect(result.errors).toBeUndefined();
    expect(result.data.listUsers.users.map((u: { userName: string }) => u.userName)).toContain('admin');
  });

  it('rejects a missing token', async () => {
    expectRejected(await app.gql(OPS.listUsers, {}), 'UnrecognizedClientException');
  });

  it('rejects an expired token with ExpiredTokenException', async () => {
    const { token } = app.services.tokens.issue(claims, -10);
    expectRejected(await withHeader(`Bearer ${token}`), 'ExpiredTokenException');
  });

  it('rejects a token signed with another secret', async () => {
    const token = jwt.sign({ ...claims }, 'not-the-server-secret', { algorithm: 'HS256', issuer: 'opentrail', expiresIn: 300 });
    expectRejected(await withHeader(`Bearer ${token}`), 'UnrecognizedClientException');
  });

  it('rejects an unsigned alg:none token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iss: 'opentrail', iat: now, exp: now + 300 })}.`;
    expectRejected(await withHeader(`Bearer ${token}`), 'UnrecognizedClientException');
  });

  it('rejects another algorithm even with the right secret (the algorithm is pinned)', async () => {
    const secret = (app.services.tokens as unknown as { secret: string }).secret;
    const token = jwt.sign({ ...claims }, secret, { algorithm: 'HS512', issuer: 'opentrail', expiresIn: 300 });
    expectRejected(await withHeader(`Bearer ${token}`), 'UnrecognizedClientException');
  });

  it('rejects a token of another issuer', async () => {
    const secret = (app.services.tokens as unknown as { secret: string }).secret;
    const token = jwt.sign({ ...claims }, secret, { algorithm: 'HS256', issuer: 'someone-else', expiresIn: 300 });
    expectRejected(await withHeader(`Bearer ${token}`), 'UnrecognizedClientException');
  });

  it('rejects tampered claims under the original signature', async () => {
    const reader = await createUserSession(app, adminToken, 'reader', [MANAGED.cloudTrailReadOnly]);
    const [header, payload, signature] = reader.token.split('.');
    const original = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    // Become the admin user, or extend the lifetime: either way the signature no longer matches.
    for (const change of [{ pref: claims.pref, sub: claims.sub }, { exp: original.exp + 86_400 }, { acct: '000000000000' }]) {
      const forged = `${header}.${b64({ ...original, ...change })}.${signature}`;
      expectRejected(await withHeader(`Bearer ${forged}`), 'UnrecognizedClientException');
    }
    // The untouched token still works (so the rejections above are about the tampering).
    const ok = await app.gql(OPS.getCallerIdentity, {}, { token: reader.token });
    expect(ok.data.getCallerIdentity.arn).toBe(reader.arn);
  });

  it('rejects signed tokens whose claims do not name a live principal', async () => {
    for (const change of [
      { pref: 'not-a-uuid' },
      { pref: '00000000-0000-4000-8000-000000000000' },
      { acct: '000000000000' },
      { typ: 'root' },
    ]) {
      const { token } = app.services.tokens.issue({ ...claims, ...change } as typeof claims, 300);
      expectRejected(await withHeader(`Bearer ${token}`), 'UnrecognizedClientException');
    }
  });

  it.each([
    ['a non-Bearer scheme', 'Basic YWRtaW46YWRtaW4='],
    ['Bearer without a token', 'Bearer'],
    ['two tokens', 'Bearer a b'],
    ['garbage', 'Bearer not.a.jwt'],
    ['an oversized token', `Bearer ${'a'.repeat(9000)}`],
  ])('rejects a malformed Authorization header: %s', async (_label, authorization) => {
    expectRejected(await withHeader(authorization), 'UnrecognizedClientException');
  });

  it('ends every session of an access key when the key is deleted, including assumed-role sessions', async () => {
    const hal = await createUserSession(app, adminToken, 'hal', [MANAGED.admin]);
    await call(
      app,
      'createRole',
      {
        roleName: 'HalRole',
        assumeRolePolicyDocument: policyJson({ Effect: 'Allow', Principal: { AWS: hal.arn }, Action: 'sts:AssumeRole' }),
      },
      adminToken,
    );
    await call(app, 'attachRolePolicy', { roleName: 'HalRole', policyArn: MANAGED.admin }, adminToken);
    const roleSession = await call(
      app,
      'assumeRole',
      { roleArn: `arn:aws:iam::${app.admin.accountId}:role/HalRole`, roleSessionName: 'hal' },
      hal.token,
    );
    expect((await call(app, 'getCallerIdentity', undefined, roleSession.token)).arn).toContain('assumed-role/HalRole/hal');

    await call(app, 'deleteAccessKey', { userName: 'hal', accessKeyId: hal.accessKeyId }, adminToken);

    expectRejected(await app.gql(OPS.getCallerIdentity, {}, { token: hal.token }), 'UnrecognizedClientException');
    expectRejected(await app.gql(OPS.listUsers, {}, { token: roleSession.token }), 'UnrecognizedClientException');
    const relogin = await app.gql('mutation($input: CreateSessionInput!) { createSession(input: $input) { token } }', {
      input: { accessKeyId: hal.accessKeyId, secretAccessKey: hal.secretAccessKey },
    });
    expect(relogin.errors?.[0].extensions?.code).toBe('InvalidClientTokenId');
    expect(relogin.data ?? null).toBeNull();
  });

  it('rejects a wrong secret at createSession without issuing anything', async () => {
    const result = await app.gql('mutation($input: CreateSessionInput!) { createSession(input: $input) { token } }', {
      input: { accessKeyId: app.admin.accessKeyId, secretAccessKey: 'x'.repeat(40) },
    });
    expect(result.errors?.[0].extensions?.code).toBe('SignatureDoesNotMatch');
    expect(result.data ?? null).toBeNull();
    await callFails(app, 'getCallerIdentity', undefined, 'x', 'UnrecognizedClientException');
  });
});
