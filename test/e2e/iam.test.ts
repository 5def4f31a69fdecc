import { startTestApp, type TestApp } from '../helpers/test-app';
import { MANAGED, OPS, call, callFails, createUserSession, policyJson } from '../helpers/iam-ops';

describe('IAM operations', () => {
  let app: TestApp;
  let adminToken: string;
  let acct: string;

  beforeAll(async () => {
    app = await startTestApp();
    adminToken = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
    acct = app.admin.accountId;
  });
  afterAll(async () => {
    await app.close();
  });

  describe('users', () => {
    it('creates a user with a path and returns it from getUser and listUsers', async () => {
      const user = await call(app, 'createUser', { userName: 'alice', path: '/ops/' }, adminToken);
      expect(user).toMatchObject({ userName: 'alice', path: '/ops/', arn: `arn:aws:iam::${acct}:user/ops/alice` });
      expect(user.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
      expect(await call(app, 'getUser', { userName: 'alice' }, adminToken)).toEqual(user);
      const listed = await call(app, 'listUsers', { pathPrefix: '/ops/' }, adminToken);
      expect(listed.users.map((u: { userName: string }) => u.userName)).toEqual(['alice']);
    });

    it('getUser without a name returns the calling user', async () => {
      const self = await call(app, 'getUser', undefined, adminToken);
      expect(self).toMatchObject({ userName: 'admin', arn: `arn:aws:iam::${acct}:user/admin` });
    });

    it('rejects a duplicate name, whatever its case', async () => {
      await callFails(app, 'createUser', { userName: 'alice' }, adminToken, 'EntityAlreadyExistsException');
      await callFails(app, 'createUser', { userName: 'ALICE' }, adminToken, 'EntityAlreadyExistsException');
    });

    it.each([[''], ['has space'], ['x'.repeat(65)], ['slash/name'], ['émile']])('rejects the user name %j', async (userName) => {
      await callFails(app, 'createUser', { userName }, adminToken, 'ValidationError');
    });

    it.each([['ops'], ['/ops'], ['ops/'], ['//'], ['/a//b/']])('rejects the path %j', async (path) => {
      await callFails(app, 'createUser', { userName: 'pathy', path }, adminToken, 'ValidationError');
    });

    it('reports an unknown user as NoSuchEntityException', async () => {
      const { message } = await callFails(app, 'getUser', { userName: 'nobody' }, adminToken, 'NoSuchEntityException');
      expect(message).toBe('The user with name nobody cannot be found.');
    });

    it('pages listUsers by name with a marker', async () => {
      for (const name of ['page-a', 'page-b', 'page-c']) await call(app, 'createUser', { userName: name, path: '/paged/' }, adminToken);
      const first = await call(app, 'listUsers', { pathPrefix: '/paged/', maxItems: 2 }, adminToken);
      expect(first.users.map((u: { userName: string }) => u.userName)).toEqual(['page-a', 'page-b']);
      expect(first.isTruncated).toBe(true);
      const second = await call(app, 'listUsers', { pathPrefix: '/paged/', maxItems: 2, marker: first.marker }, adminToken);
      expect(second.users.map((u: { userName: string }) => u.userName)).toEqual(['page-c']);
      expect(second).toMatchObject({ isTruncated: false, marker: null });
      await callFails(app, 'listUsers', { marker: 'garbage!!' }, adminToken, 'ValidationError');
      await callFails(app, 'listUsers', { maxItems: 0 }, adminToken, 'ValidationError');
    });
  });

  describe('roles', () => {
    const trust = () => policyJson({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: 'sts:AssumeRole' });

    it('creates a role and lists it', async () => {
      const role = await call(
        app,
        'createRole',
        { roleName: 'Auditor', assumeRolePolicyDocument: trust(), description: 'reads trails', maxSessionDuration: 7200 },
        adminToken,
      );
      expect(role).toMatchObject({
        roleName: 'Auditor',
        arn: `arn:aws:iam::${acct}:role/Auditor`,
        description: 'reads trails',
        maxSessionDuration: 7200,
      });
      expect(role.roleId).toMatch(/^AROA/);
      expect(JSON.parse(role.assumeRolePolicyDocument).Statement[0].Principal.AWS).toEqual([`arn:aws:iam::${acct}:root`]);
      const listed = await call(app, 'listRoles', undefined, adminToken);
      expect(listed.roles.map((r: { roleName: string }) => r.roleName)).toContain('Auditor');
    });

    it('rejects duplicates, bad names, bad durations and malformed trust policies', async () => {
      await callFails(
        app,
        'createRole',
        { roleName: 'auditor', assumeRolePolicyDocument: trust() },
        adminToken,
        'EntityAlreadyExistsException',
      );
      await callFails(app, 'createRole', { roleName: 'bad name', assumeRolePolicyDocument: trust() }, adminToken, 'ValidationError');
      await callFails(
        app,
        'createRole',
        { roleName: 'Short', assumeRolePolicyDocument: trust(), maxSessionDuration: 60 },
        adminToken,
        'ValidationError',
      );
      await callFails(
        app,
        'createRole',
        { roleName: 'NoJson', assumeRolePolicyDocument: '{' },
        adminToken,
        'MalformedPolicyDocumentException',
      );
      await callFails(
        app,
        'createRole',
        { roleName: 'NoPrincipal', assumeRolePolicyDocument: policyJson({ Effect: 'Allow', Action: 'sts:AssumeRole' }) },
        adminToken,
        'MalformedPolicyDocumentException',
      );
      const roles = await call(app, 'listRoles', undefined, adminToken);
      expect(roles.roles.map((r: { roleName: string }) => r.roleName)).not.toContain('NoJson');
    });

    it('lets a trusted user assume the role and act as it', async () => {
      const bob = await createUserSession(app, adminToken, 'bob', [MANAGED.admin]);
      await call(
        app,
        'putRolePolicy',
        { roleName: 'Auditor', policyName: 'read', policyDocument: policyJson({ Effect: 'Allow', Action: 'iam:List*', Resource: '*' }) },
        adminToken,
      );
      const assumed = await call(app, 'assumeRole', { roleArn: `arn:aws:iam::${acct}:role/Auditor`, roleSessionName: 'audit' }, bob.token);
      const identity = await call(app, 'getCallerIdentity', undefined, assumed.token);
      expect(identity).toMatchObject({ account: acct, arn: `arn:aws:sts::${acct}:assumed-role/Auditor/audit` });
      expect((await call(app, 'listRoles', undefined, assumed.token)).roles.length).toBeGreaterThan(0);
      await callFails(app, 'createUser', { userName: 'from-role' }, assumed.token, 'AccessDeniedException');
    });
  });

  describe('access keys', () => {
    it('creates keys (secret once), lists them without secrets, enforces two per user and deletes them', async () => {
      await call(app, 'createUser', { userName: 'carol' }, adminToken);
      const first = (await call(app, 'createAccessKey', { userName: 'carol' }, adminToken)).accessKey;
      expect(first).toMatchObject({ userName: 'carol', status: 'Active' });
      expect(first.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(first.secretAccessKey).toHaveLength(40);
      const second = (await call(app, 'createAccessKey', { userName: 'carol' }, adminToken)).accessKey;
      await callFails(app, 'createAccessKey', { userName: 'carol' }, adminToken, 'LimitExceededException');

      const listed = await call(app, 'listAccessKeys', { userName: 'carol' }, adminToken);
      expect(listed.accessKeyMetadata.map((k: { accessKeyId: string }) => k.accessKeyId).sort()).toEqual(
        [first.accessKeyId, second.accessKeyId].sort(),
      );
      expect(JSON.stringify(listed)).not.toContain(first.secretAccessKey);

      // The secret is stored only as a hash.
      const stored = await app.db.pool.query('SELECT secret_hash, secret_salt FROM access_keys WHERE access_key_id = $1', [
        first.accessKeyId,
      ]);
      expect(JSON.stringify(stored.rows)).not.toContain(first.secretAccessKey);
      expect(stored.rows[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);

      expect(await call(app, 'deleteAccessKey', { userName: 'carol', accessKeyId: first.accessKeyId }, adminToken)).toBe(true);
      await callFails(app, 'deleteAccessKey', { userName: 'carol', accessKeyId: first.accessKeyId }, adminToken, 'NoSuchEntityException');
      // A key of another user is not found under this user.
      await callFails(app, 'deleteAccessKey', { userName: 'alice', accessKeyId: second.accessKeyId }, adminToken, 'NoSuchEntityException');
      await callFails(app, 'deleteAccessKey', { userName: 'carol', accessKeyId: 'short' }, adminToken, 'ValidationError');
      await callFails(app, 'createAccessKey', { userName: 'nobody' }, adminToken, 'NoSuchEntityException');
      expect((await call(app, 'createAccessKey', { userName: 'carol' }, adminToken)).accessKey.accessKeyId).toMatch(/^AKIA/);
    });

    it('holds the two-key quota and case-insensitive names under concurrent calls', async () => {
      await call(app, 'createUser', { userName: 'racer' }, adminToken);
      const keys = await Promise.all(
        Array.from({ length: 5 }, () => app.gql(OPS.createAccessKey, { input: { userName: 'racer' } }, { token: adminToken })),
      );
      expect(keys.filter((r) => !r.errors).length).toBe(2);
      expect(keys.filter((r) => r.errors?.[0].extensions?.code === 'LimitExceededException').length).toBe(3);

      const users = await Promise.all(
        ['Zed', 'zed', 'ZED', 'zeD'].map((userName) => app.gql(OPS.createUser, { input: { userName } }, { token: adminToken })),
      );
      expect(users.filter((r) => !r.errors).length).toBe(1);
      expect(users.filter((r) => r.errors?.[0].extensions?.code === 'EntityAlreadyExistsException').length).toBe(3);
    });

    it('defaults to the calling user', async () => {
      const dave = await createUserSession(app, adminToken, 'dave', [MANAGED.admin]);
      const keys = await call(app, 'listAccessKeys', undefined, dave.token);
      expect(keys.accessKeyMetadata).toEqual([expect.objectContaining({ userName: 'dave', accessKeyId: dave.accessKeyId })]);
      const second = (await call(app, 'createAccessKey', undefined, dave.token)).accessKey;
      expect(second.userName).toBe('dave');
      await call(app, 'deleteAccessKey', { accessKeyId: second.accessKeyId }, dave.token);
      expect((await call(app, 'listAccessKeys', undefined, dave.token)).accessKeyMetadata).toHaveLength(1);
    });

    it('records the secret only as redacted in the audit trail', async () => {
      const erin = await call(app, 'createUser', { userName: 'erin' }, adminToken);
      const key = (await call(app, 'createAccessKey', { userName: erin.userName }, adminToken)).accessKey;
      const { rows } = await app.db.pool.query(`SELECT record FROM events WHERE event_name = 'CreateAccessKey'`);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.record).join('\n')).not.toContain(key.secretAccessKey);
    });
  });

  describe('policies', () => {
    it('lists the managed policies', async () => {
      const { policies } = await call(app, 'listPolicies', undefined, adminToken);
      const arns = policies.map((p: { arn: string }) => p.arn);
      expect(arns).toEqual(expect.arrayContaining([MANAGED.admin, MANAGED.cloudTrailFull, MANAGED.cloudTrailReadOnly]));
      const admin = policies.find((p: { arn: string }) => p.arn === MANAGED.admin);
      expect(admin.attachmentCount).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(admin.policyDocument).Statement[0].Effect).toBe('Allow');
    });

    it('rejects unknown managed policies, malformed ARNs, unknown principals and malformed inline documents', async () => {
      await callFails(
        app,
        'attachUserPolicy',
        { userName: 'alice', policyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' },
        adminToken,
        'NoSuchEntityException',
      );
      await callFails(app, 'attachUserPolicy', { userName: 'alice', policyArn: 'not-an-arn' }, adminToken, 'ValidationError');
      await callFails(app, 'attachUserPolicy', { userName: 'nobody', policyArn: MANAGED.admin }, adminToken, 'NoSuchEntityException');
      await callFails(app, 'attachRolePolicy', { roleName: 'NoRole', policyArn: MANAGED.admin }, adminToken, 'NoSuchEntityException');
      await callFails(
        app,
        'putUserPolicy',
        { userName: 'alice', policyName: 'p', policyDocument: 'nope' },
        adminToken,
        'MalformedPolicyDocumentException',
      );
      await callFails(
        app,
        'putUserPolicy',
        { userName: 'alice', policyName: 'p', policyDocument: policyJson({ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }) },
        adminToken,
        'MalformedPolicyDocumentException',
      );
      await callFails(
        app,
        'putUserPolicy',
        { userName: 'alice', policyName: 'bad name', policyDocument: policyJson({ Effect: 'Allow', Action: '*', Resource: '*' }) },
        adminToken,
        'ValidationError',
      );
      await callFails(
        app,
        'putRolePolicy',
        { roleName: 'NoRole', policyName: 'p', policyDocument: policyJson({ Effect: 'Allow', Action: '*', Resource: '*' }) },
        adminToken,
        'NoSuchEntityException',
      );
    });

    it('attaches a managed policy to a role', async () => {
      await call(app, 'attachRolePolicy', { roleName: 'Auditor', policyArn: MANAGED.cloudTrailReadOnly }, adminToken);
      await call(app, 'attachRolePolicy', { roleName: 'Auditor', policyArn: MANAGED.cloudTrailReadOnly }, adminToken);
      const { policies } = await call(app, 'listPolicies', undefined, adminToken);
      expect(policies.find((p: { arn: string }) => p.arn === MANAGED.cloudTrailReadOnly).attachmentCount).toBe(1);
    });

    it('denies a read-only user every mutation with AccessDeniedException', async () => {
      const reader = await createUserSession(app, adminToken, 'reader', [MANAGED.cloudTrailReadOnly]);
      const doc = policyJson({ Effect: 'Allow', Action: '*', Resource: '*' });
      const { message } = await callFails(app, 'createUser', { userName: 'sneaky' }, reader.token, 'AccessDeniedException');
      expect(message).toContain('iam:CreateUser');
      await callFails(app, 'createRole', { roleName: 'Sneaky', assumeRolePolicyDocument: doc }, reader.token, 'AccessDeniedException');
      await callFails(app, 'createAccessKey', undefined, reader.token, 'AccessDeniedException');
      await callFails(app, 'deleteAccessKey', { accessKeyId: reader.accessKeyId }, reader.token, 'AccessDeniedException');
      await callFails(
        app,
        'putUserPolicy',
        { userName: 'reader', policyName: 'escalate', policyDocument: doc },
        reader.token,
        'AccessDeniedException',
      );
      await callFails(app, 'attachUserPolicy', { userName: 'reader', policyArn: MANAGED.admin }, reader.token, 'AccessDeniedException');
      await callFails(
        app,
        'putRolePolicy',
        { roleName: 'Auditor', policyName: 'x', policyDocument: doc },
        reader.token,
        'AccessDeniedException',
      );
      await callFails(app, 'attachRolePolicy', { roleName: 'Auditor', policyArn: MANAGED.admin }, reader.token, 'AccessDeniedException');
      await callFails(app, 'createAccount', { accountName: 'x', email: 'x@example.com' }, reader.token, 'AccessDeniedException');
      await callFails(
        app,
        'registerOrganizationDelegatedAdmin',
        { memberAccountId: '123456789012' },
        reader.token,
        'AccessDeniedException',
      );
      // Nothing was changed.
      await callFails(app, 'getUser', { userName: 'sneaky' }, adminToken, 'NoSuchEntityException');
      expect((await call(app, 'listAccessKeys', { userName: 'reader' }, adminToken)).accessKeyMetadata).toHaveLength(1);
    });

    it('lets an inline Deny override AdministratorAccess, and only for what it names', async () => {
      const frank = await createUserSession(app, adminToken, 'frank', [MANAGED.admin]);
      await call(app, 'createUser', { userName: 'frank-made-1' }, frank.token);
      await call(
        app,
        'putUserPolicy',
        {
          userName: 'frank',
          policyName: 'no-users',
          policyDocument: policyJson({ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }),
        },
        adminToken,
      );
      // Policies are re-read on every request: the same session is denied at once.
      await callFails(app, 'createUser', { userName: 'frank-made-2' }, frank.token, 'AccessDeniedException');
      expect((await call(app, 'getUser', { userName: 'frank-made-1' }, frank.token)).userName).toBe('frank-made-1');
      // Replacing the inline policy by name lifts the deny.
      await call(
        app,
        'putUserPolicy',
        {
          userName: 'frank',
          policyName: 'no-users',
          policyDocument: policyJson({ Effect: 'Deny', Action: 'iam:DeleteAccessKey', Resource: '*' }),
        },
        adminToken,
      );
      await call(app, 'createUser', { userName: 'frank-made-2' }, frank.token);
    });

    it('authorizes against the target ARN', async () => {
      const gina = await createUserSession(app, adminToken, 'gina');
      await call(
        app,
        'putUserPolicy',
        {
          userName: 'gina',
          policyName: 'own-keys',
          policyDocument: policyJson({
            Effect: 'Allow',
            Action: ['iam:ListAccessKeys', 'iam:GetUser'],
            Resource: `arn:aws:iam::${acct}:user/gina`,
          }),
        },
        adminToken,
      );
      expect((await call(app, 'listAccessKeys', undefined, gina.token)).accessKeyMetadata).toHaveLength(1);
      expect((await call(app, 'getUser', { userName: 'gina' }, gina.token)).userName).toBe('gina');
      await callFails(app, 'listAccessKeys', { userName: 'alice' }, gina.token, 'AccessDeniedException');
      await callFails(app, 'listUsers', undefined, gina.token, 'AccessDeniedException');
    });
  });
});
