import { createOrganizationWithAdmin, type TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { MANAGED, type OpName, OPS, call, createUserSession, policyJson } from '../helpers/iam-ops';

/**
 * Invariant 2: no tenant can read, list or change another tenant's principals, accounts or
 * delegated administrators, nor tell them apart from ones that do not exist. Organization A is the
 * bootstrapped one; B is a second organization created like the operator CLI does.
 */
describe('tenant isolation', () => {
  let app: TestApp;
  let a: {
    token: string;
    creds: TenantCredentials;
    memberId: string;
    aliceKeyId: string;
    aliceId: string;
    roleArn: string;
    roleId: string;
  };
  let b: { token: string; creds: TenantCredentials };
  /** Everything about A that B must never learn. */
  let secretsOfA: string[];

  const GHOST_ACCOUNT = '999999999999';

  /** The error of one call, with checks that it returned no data and leaked nothing of A beyond the request itself. */
  async function failure(
    op: OpName,
    input: Record<string, unknown> | undefined,
    token: string,
    secrets: string[] = secretsOfA,
  ): Promise<{ code: string; message: string }> {
    const result = await app.gql(OPS[op], input === undefined ? {} : { input }, { token });
    expect(result.errors).toHaveLength(1);
    expect(result.data ?? null).toBeNull();
    const requestText = JSON.stringify(input ?? {});
    const responseText = JSON.stringify(result);
    const leaked = secrets.filter((s) => responseText.includes(s) && !requestText.includes(s));
    expect({ op, leaked }).toEqual({ op, leaked: [] });
    return { code: String(result.errors![0].extensions?.code), message: result.errors![0].message };
  }

  /**
   * A call naming A's resource fails exactly like the same call naming a resource that does not
   * exist: same code, same message once the name itself is substituted.
   */
  async function indistinguishable(
    op: OpName,
    token: string,
    real: Record<string, unknown>,
    ghost: Record<string, unknown>,
    expectedCode: string,
    secrets: string[] = secretsOfA,
  ) {
    const onReal = await failure(op, real, token, secrets);
    const onGhost = await failure(op, ghost, token, secrets);
    expect({ op, code: onReal.code }).toEqual({ op, code: expectedCode });
    expect(onGhost.code).toBe(onReal.code);
    const normalise = (message: string, input: Record<string, unknown>) =>
      Object.values(input).reduce<string>((m, v) => (typeof v === 'string' && v ? m.split(v).join('<x>') : m), message);
    expect(normalise(onReal.message, real)).toBe(normalise(onGhost.message, ghost));
  }

  beforeAll(async () => {
    app = await startTestApp();
    const adminA = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
    const alice = await createUserSession(app, adminA, 'alice-a', [MANAGED.admin]);
    const aliceUser = await call(app, 'getUser', { userName: 'alice-a' }, adminA);
    const role = await call(
      app,
      'createRole',
      {
        roleName: 'RoleA',
        assumeRolePolicyDocument: policyJson({
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${app.admin.accountId}:root` },
          Action: 'sts:AssumeRole',
        }),
      },
      adminA,
    );
    await call(
      app,
      'putUserPolicy',
      { userName: 'alice-a', policyName: 'inline-a', policyDocument: policyJson({ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }) },
      adminA,
    );
    const member = await call(app, 'createAccount', { accountName: 'A member', email: 'member-a@example.com' }, adminA);
    await call(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: member.id }, adminA);
    a = {
      token: adminA,
      creds: app.admin,
      memberId: member.id,
      aliceKeyId: alice.accessKeyId,
      aliceId: aliceUser.userId,
      roleArn: role.arn,
      roleId: role.roleId,
    };

    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'b@example.com'));
    b = { creds: credsB, token: await app.login({ accessKeyId: credsB.accessKeyId, secretAccessKey: credsB.secretAccessKey }) };

    secretsOfA = [
      a.creds.organizationId,
      a.creds.accountId,
      a.creds.accessKeyId,
      a.memberId,
      'member-a@example.com',
      'A member',
      'alice-a',
      a.aliceKeyId,
      a.aliceId,
      'RoleA',
      a.roleId,
      'inline-a',
    ];
  });
  afterAll(async () => {
    await app.close();
  });

  describe("another organization's administrator", () => {
    it('sees only its own organization, accounts, principals and keys in every read', async () => {
      const everything = await Promise.all([
        call(app, 'describeOrganization', undefined, b.token),
        call(app, 'listAccounts', undefined, b.token),
        call(app, 'listDelegatedAdministrators', undefined, b.token),
        call(app, 'listUsers', undefined, b.token),
        call(app, 'listRoles', undefined, b.token),
        call(app, 'listAccessKeys', undefined, b.token),
        call(app, 'listPolicies', undefined, b.token),
        call(app, 'getUser', undefined, b.token),
      ]);
      const text = JSON.stringify(everything);
      expect(secretsOfA.filter((s) => text.includes(s))).toEqual([]);
      expect(everything[0].id).toBe(b.creds.organizationId);
      expect(everything[1].accounts.map((x: { id: string }) => x.id)).toEqual([b.creds.accountId]);
      expect(everything[2].delegatedAdministrators).toEqual([]);
      // AdministratorAccess is attached once in B (its admin), whatever A attached.
      expect(everything[6].policies.find((p: { arn: string }) => p.arn === MANAGED.admin).attachmentCount).toBe(1);
    });

    it("cannot address A's users, roles or keys: they look like names that do not exist", async () => {
      const doc = policyJson({ Effect: 'Allow', Action: '*', Resource: '*' });
      await indistinguishable('getUser', b.token, { userName: 'alice-a' }, { userName: 'ghost-user' }, 'NoSuchEntityException');
      await indistinguishable('listAccessKeys', b.token, { userName: 'alice-a' }, { userName: 'ghost-user' }, 'NoSuchEntityException');
      await indistinguishable('createAccessKey', b.token, { userName: 'alice-a' }, { userName: 'ghost-user' }, 'NoSuchEntityException');
      await indistinguishable(
        'deleteAccessKey',
        b.token,
        { accessKeyId: a.aliceKeyId },
        { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
        'NoSuchEntityException',
      );
      await indistinguishable(
        'deleteAccessKey',
        b.token,
        { accessKeyId: a.creds.accessKeyId },
        { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
        'NoSuchEntityException',
      );
      await indistinguishable(
        'deleteAccessKey',
        b.token,
        { userName: 'alice-a', accessKeyId: a.aliceKeyId },
        { userName: 'ghost-user', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
        'NoSuchEntityException',
      );
      await indistinguishable(
        'putUserPolicy',
        b.token,
        { userName: 'alice-a', policyName: 'p', policyDocument: doc },
        { userName: 'ghost-user', policyName: 'p', policyDocument: doc },
        'NoSuchEntityException',
      );
      await indistinguishable(
        'putRolePolicy',
        b.token,
        { roleName: 'RoleA', policyName: 'p', policyDocument: doc },
        { roleName: 'GhostRole', policyName: 'p', policyDocument: doc },
        'NoSuchEntityException',
      );
      await indistinguishable(
        'attachUserPolicy',
        b.token,
        { userName: 'alice-a', policyArn: MANAGED.admin },
        { userName: 'ghost-user', policyArn: MANAGED.admin },
        'NoSuchEntityException',
      );
      await indistinguishable(
        'attachRolePolicy',
        b.token,
        { roleName: 'RoleA', policyArn: MANAGED.admin },
        { roleName: 'GhostRole', policyArn: MANAGED.admin },
        'NoSuchEntityException',
      );
    });

    it("cannot assume A's roles, and cannot tell them from missing roles", async () => {
      await indistinguishable(
        'assumeRole',
        b.token,
        { roleArn: a.roleArn, roleSessionName: 'steal' },
        { roleArn: `arn:aws:iam::${a.creds.accountId}:role/GhostRole`, roleSessionName: 'steal' },
        'AccessDenied',
      );
      await indistinguishable(
        'assumeRole',
        b.token,
        { roleArn: `arn:aws:iam::${a.memberId}:role/OrganizationAccountAccessRole`, roleSessionName: 'steal' },
        { roleArn: `arn:aws:iam::${GHOST_ACCOUNT}:role/OrganizationAccountAccessRole`, roleSessionName: 'steal' },
        'AccessDenied',
      );
    });

    it("cannot touch A's accounts or delegated administrators: they look like accounts that do not exist", async () => {
      for (const target of [a.memberId, a.creds.accountId]) {
        await indistinguishable(
          'removeAccountFromOrganization',
          b.token,
          { accountId: target },
          { accountId: GHOST_ACCOUNT },
          'AccountNotFoundException',
        );
        await indistinguishable(
          'registerOrganizationDelegatedAdmin',
          b.token,
          { memberAccountId: target },
          { memberAccountId: GHOST_ACCOUNT },
          'AccountNotFoundException',
        );
        await indistinguishable(
          'deregisterOrganizationDelegatedAdmin',
          b.token,
          { delegatedAdminAccountId: target },
          { delegatedAdminAccountId: GHOST_ACCOUNT },
          'AccountNotFoundException',
        );
      }
    });

    it('creates its own resources under the same names without affecting A', async () => {
      await call(app, 'createUser', { userName: 'alice-a' }, b.token);
      await call(
        app,
        'createRole',
        {
          roleName: 'RoleA',
          assumeRolePolicyDocument: policyJson({ Effect: 'Allow', Principal: { AWS: b.creds.accountId }, Action: 'sts:AssumeRole' }),
        },
        b.token,
      );
      const account = await call(app, 'createAccount', { accountName: 'B member', email: 'member-a@example.com' }, b.token);
      expect(account.arn).toContain(b.creds.organizationId);

      // A is unchanged.
      const aliceInA = await call(app, 'getUser', { userName: 'alice-a' }, a.token);
      expect(aliceInA.userId).toBe(a.aliceId);
      expect((await call(app, 'listAccessKeys', { userName: 'alice-a' }, a.token)).accessKeyMetadata).toHaveLength(1);
      const accountsA = (await call(app, 'listAccounts', undefined, a.token)).accounts.map((x: { id: string }) => x.id);
      expect(accountsA.sort()).toEqual([a.creds.accountId, a.memberId].sort());
      expect(
        (await call(app, 'listDelegatedAdministrators', undefined, a.token)).delegatedAdministrators.map((x: { id: string }) => x.id),
      ).toEqual([a.memberId]);
      expect(await app.services.delegatedAdmins.isDelegatedAdmin(b.creds.organizationId, a.memberId)).toBe(false);
      expect(await app.services.delegatedAdmins.isDelegatedAdmin(a.creds.organizationId, a.memberId)).toBe(true);
    });
  });

  describe('a member account of the same organization', () => {
    let weak: string;
    let strong: string;
    let strongAccount: string;
    // A member knows its organization and account ids; the management account's principals and keys stay hidden.
    const managementInternals = () => [a.creds.accessKeyId, a.aliceKeyId, a.aliceId, a.roleId, 'inline-a'];

    beforeAll(async () => {
      // A member-account user without any policy, and an administrator of another member account.
      const memberSession = await call(
        app,
        'assumeRole',
        { roleArn: `arn:aws:iam::${a.memberId}:role/OrganizationAccountAccessRole`, roleSessionName: 'setup' },
        a.token,
      );
      weak = (await createUserSession(app, memberSession.token, 'no-permissions')).token;
      const other = await call(app, 'createAccount', { accountName: 'A other', email: 'other-a@example.com' }, a.token);
      strongAccount = other.id;
      strong = (
        await call(
          app,
          'assumeRole',
          { roleArn: `arn:aws:iam::${other.id}:role/OrganizationAccountAccessRole`, roleSessionName: 'ops' },
          a.token,
        )
      ).token;
    });

    it('without permissions, is denied every operation by IAM', async () => {
      const doc = policyJson({ Effect: 'Allow', Action: '*', Resource: '*' });
      const attempts: Array<[OpName, Record<string, unknown> | undefined]> = [
        ['describeOrganization', undefined],
        ['listAccounts', undefined],
        ['listDelegatedAdministrators', undefined],
        ['listUsers', undefined],
        ['listRoles', undefined],
        ['listPolicies', undefined],
        ['getUser', { userName: 'alice-a' }],
        ['listAccessKeys', undefined],
        ['createUser', { userName: 'x' }],
        ['createRole', { roleName: 'x', assumeRolePolicyDocument: doc }],
        ['createAccessKey', undefined],
        ['deleteAccessKey', { accessKeyId: a.aliceKeyId }],
        ['putUserPolicy', { userName: 'no-permissions', policyName: 'escalate', policyDocument: doc }],
        ['attachUserPolicy', { userName: 'no-permissions', policyArn: MANAGED.admin }],
        ['putRolePolicy', { roleName: 'OrganizationAccountAccessRole', policyName: 'x', policyDocument: doc }],
        ['attachRolePolicy', { roleName: 'OrganizationAccountAccessRole', policyArn: MANAGED.admin }],
        ['createAccount', { accountName: 'x', email: 'x@example.com' }],
        ['removeAccountFromOrganization', { accountId: strongAccount }],
        ['registerOrganizationDelegatedAdmin', { memberAccountId: strongAccount }],
        ['deregisterOrganizationDelegatedAdmin', { delegatedAdminAccountId: a.memberId }],
        ['assumeRole', { roleArn: a.roleArn, roleSessionName: 'x' }],
      ];
      for (const [op, input] of attempts) {
        const { code } = await failure(op, input, weak, managementInternals());
        expect({ op, code }).toEqual({ op, code: 'AccessDeniedException' });
      }
    });

    it('with AdministratorAccess in its own account, still cannot reach the management account or act for the organization', async () => {
      const own = await call(app, 'listUsers', undefined, strong);
      expect(own.users).toEqual([]);
      const hidden = managementInternals();
      await indistinguishable('getUser', strong, { userName: 'alice-a' }, { userName: 'ghost-user' }, 'NoSuchEntityException', hidden);
      await indistinguishable(
        'deleteAccessKey',
        strong,
        { userName: 'alice-a', accessKeyId: a.aliceKeyId },
        { userName: 'ghost-user', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
        'NoSuchEntityException',
        hidden,
      );
      await indistinguishable(
        'assumeRole',
        strong,
        { roleArn: a.roleArn, roleSessionName: 'up' },
        { roleArn: `arn:aws:iam::${a.creds.accountId}:role/GhostRole`, roleSessionName: 'up' },
        'AccessDenied',
        hidden,
      );
      expect((await failure('createAccount', { accountName: 'x', email: 'x@example.com' }, strong, hidden)).code).toBe(
        'AccessDeniedException',
      );
      expect((await failure('listAccounts', undefined, strong, hidden)).code).toBe('AccessDeniedException');
      expect((await failure('removeAccountFromOrganization', { accountId: a.memberId }, strong, hidden)).code).toBe(
        'AccessDeniedException',
      );
      expect((await failure('registerOrganizationDelegatedAdmin', { memberAccountId: strongAccount }, strong, hidden)).code).toBe(
        'NotOrganizationManagementAccountException',
      );
      expect((await failure('deregisterOrganizationDelegatedAdmin', { delegatedAdminAccountId: a.memberId }, strong, hidden)).code).toBe(
        'NotOrganizationManagementAccountException',
      );
      expect(
        (await call(app, 'listDelegatedAdministrators', undefined, a.token)).delegatedAdministrators.map((x: { id: string }) => x.id),
      ).toEqual([a.memberId]);
    });
  });

  describe('row-level security (the second wall)', () => {
    const scopeOfB = () => ({ accountId: b.creds.accountId, organizationId: b.creds.organizationId });

    it('shows a tenant transaction only its own rows, even without a WHERE clause', async () => {
      const tables = ['iam_users', 'iam_roles', 'access_keys', 'inline_policies', 'policy_attachments'];
      for (const table of tables) {
        const visible: Array<{ account_id: string }> = await app.db.inTenant(scopeOfB(), (m) => m.query(`SELECT * FROM ${table}`));
        const all: Array<{ account_id: string }> = await app.db.pool.query(`SELECT account_id FROM ${table}`).then((r) => r.rows);
        expect({ table, accounts: [...new Set(visible.map((r) => r.account_id))] }).toEqual({
          table,
          accounts: visible.length ? [b.creds.accountId] : [],
        });
        expect({ table, count: visible.length }).toEqual({ table, count: all.filter((r) => r.account_id === b.creds.accountId).length });
        // A has rows in every table, so an empty result above is not vacuous.
        expect({ table, aHasRows: all.some((r) => r.account_id === a.creds.accountId) }).toEqual({ table, aHasRows: true });
      }
      const users: Array<{ user_name: string }> = await app.db.inTenant(scopeOfB(), (m) => m.query('SELECT * FROM iam_users'));
      expect(users.map((u) => u.user_name).sort()).toEqual(['admin', 'alice-a']);
      const orgs: Array<{ id: string }> = await app.db.inTenant(scopeOfB(), (m) => m.query('SELECT * FROM organizations'));
      expect(orgs.map((o) => o.id)).toEqual([b.creds.organizationId]);
      const accounts: Array<{ organization_id: string }> = await app.db.inTenant(scopeOfB(), (m) => m.query('SELECT * FROM accounts'));
      expect(new Set(accounts.map((x) => x.organization_id))).toEqual(new Set([b.creds.organizationId]));
      expect(await app.db.inTenant(scopeOfB(), (m) => m.query('SELECT * FROM delegated_admins'))).toEqual([]);
    });

    it("refuses writes into another tenant's rows", async () => {
      const insert = app.db.inTenant(scopeOfB(), (m) =>
        m.query(
          `INSERT INTO iam_users (account_id, user_name, path, principal_id, arn) VALUES ($1, 'planted', '/', 'AIDAPLANTEDPLANTED1', 'x')`,
          [a.creds.accountId],
        ),
      );
      await expect(insert).rejects.toThrow(/row-level security/);
      const updated = await app.db.inTenant(scopeOfB(), (m) =>
        m.query(`UPDATE iam_users SET path = '/owned/' WHERE account_id = $1`, [a.creds.accountId]),
      );
      expect(updated[1]).toBe(0);
      const deleted = await app.db.inTenant(scopeOfB(), (m) =>
        m.query(`DELETE FROM access_keys WHERE account_id = $1`, [a.creds.accountId]),
      );
      expect(deleted[1]).toBe(0);
      const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM access_keys WHERE account_id = $1`, [a.creds.accountId]);
      expect(rows[0].n).toBeGreaterThanOrEqual(2);
    });
  });
});
