import { startTestApp, type TestApp } from '../helpers/test-app';
import { MANAGED, call, callFails, createUserSession } from '../helpers/iam-ops';

describe('Organizations and delegated administrators', () => {
  let app: TestApp;
  let adminToken: string;
  let mgmt: string;
  let orgId: string;

  /** Creates a member account and returns it with a session in its OrganizationAccountAccessRole. */
  async function createMember(name: string): Promise<{ id: string; token: string }> {
    const account = await call(app, 'createAccount', { accountName: name, email: `${name}@example.com` }, adminToken);
    const session = await call(
      app,
      'assumeRole',
      { roleArn: `arn:aws:iam::${account.id}:role/OrganizationAccountAccessRole`, roleSessionName: 'setup' },
      adminToken,
    );
    return { id: account.id, token: session.token };
  }

  beforeAll(async () => {
    app = await startTestApp();
    adminToken = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
    mgmt = app.admin.accountId;
    orgId = app.admin.organizationId;
  });
  afterAll(async () => {
    await app.close();
  });

  it('describes the organization to the management account', async () => {
    const org = await call(app, 'describeOrganization', undefined, adminToken);
    expect(org).toMatchObject({
      id: orgId,
      arn: `arn:aws:organizations::${mgmt}:organization/${orgId}`,
      featureSet: 'ALL',
      masterAccountId: mgmt,
      managementAccountId: mgmt,
      masterAccountArn: `arn:aws:organizations::${mgmt}:account/${orgId}/${mgmt}`,
    });
    expect(org.masterAccountEmail).toContain('@');
  });

  it('creates an account with an OrganizationAccountAccessRole the management account can assume', async () => {
    const account = await call(app, 'createAccount', { accountName: 'Production', email: 'prod@example.com' }, adminToken);
    expect(account).toMatchObject({
      name: 'Production',
      email: 'prod@example.com',
      status: 'ACTIVE',
      joinedMethod: 'CREATED',
      arn: `arn:aws:organizations::${mgmt}:account/${orgId}/${account.id}`,
    });
    expect(account.id).toMatch(/^\d{12}$/);
    expect(account.id).not.toBe(mgmt);
    expect(new Date(account.joinedTimestamp).getTime()).not.toBeNaN();

    const roleArn = `arn:aws:iam::${account.id}:role/OrganizationAccountAccessRole`;
    const session = await call(app, 'assumeRole', { roleArn, roleSessionName: 'ops' }, adminToken);
    const identity = await call(app, 'getCallerIdentity', undefined, session.token);
    expect(identity).toMatchObject({
      account: account.id,
      arn: `arn:aws:sts::${account.id}:assumed-role/OrganizationAccountAccessRole/ops`,
    });

    // The role has AdministratorAccess in the member account, and only there.
    const user = await call(app, 'createUser', { userName: 'deployer' }, session.token);
    expect(user.arn).toBe(`arn:aws:iam::${account.id}:user/deployer`);
    const roles = await call(app, 'listRoles', undefined, session.token);
    expect(roles.roles).toEqual([expect.objectContaining({ roleName: 'OrganizationAccountAccessRole', arn: roleArn })]);
    await callFails(app, 'getUser', { userName: 'deployer' }, adminToken, 'NoSuchEntityException');
    // A role session must name the user whose key it creates.
    await callFails(app, 'createAccessKey', undefined, session.token, 'ValidationError');
  });

  it('rejects invalid and duplicate account input', async () => {
    await callFails(app, 'createAccount', { accountName: 'x', email: 'not-an-email' }, adminToken, 'InvalidInputException');
    await callFails(app, 'createAccount', { accountName: '', email: 'empty@example.com' }, adminToken, 'InvalidInputException');
    await callFails(app, 'createAccount', { accountName: 'x'.repeat(51), email: 'long@example.com' }, adminToken, 'InvalidInputException');
    await callFails(app, 'createAccount', { accountName: 'Again', email: 'prod@example.com' }, adminToken, 'DuplicateAccountException');
  });

  it('lists accounts page by page', async () => {
    await createMember('paging-a');
    const all: string[] = [];
    let nextToken: string | null = null;
    let pages = 0;
    do {
      const page: { accounts: Array<{ id: string }>; nextToken: string | null } = await call(
        app,
        'listAccounts',
        { maxResults: 2, nextToken },
        adminToken,
      );
      expect(page.accounts.length).toBeLessThanOrEqual(2);
      all.push(...page.accounts.map((a) => a.id));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken && pages < 10);
    expect(all.length).toBe(3);
    expect(new Set(all).size).toBe(3);
    expect(all).toContain(mgmt);
    expect([...all].sort()).toEqual(all);
    await callFails(app, 'listAccounts', { nextToken: '!!!!' }, adminToken, 'InvalidInputException');
    await callFails(app, 'listAccounts', { maxResults: 21 }, adminToken, 'InvalidInputException');
  });

  it('keeps management-account operations from member accounts, even with AdministratorAccess', async () => {
    const member = await createMember('member-admin');
    const other = await createMember('member-other');
    // Any account of the organization can describe it.
    expect((await call(app, 'describeOrganization', undefined, member.token)).id).toBe(orgId);
    await callFails(app, 'createAccount', { accountName: 'Rogue', email: 'rogue@example.com' }, member.token, 'AccessDeniedException');
    await callFails(app, 'listAccounts', undefined, member.token, 'AccessDeniedException');
    await callFails(app, 'removeAccountFromOrganization', { accountId: other.id }, member.token, 'AccessDeniedException');
    await callFails(app, 'listDelegatedAdministrators', undefined, member.token, 'AccessDeniedException');
    await callFails(
      app,
      'registerOrganizationDelegatedAdmin',
      { memberAccountId: member.id },
      member.token,
      'NotOrganizationManagementAccountException',
    );
    await callFails(
      app,
      'deregisterOrganizationDelegatedAdmin',
      { delegatedAdminAccountId: member.id },
      member.token,
      'NotOrganizationManagementAccountException',
    );
    // Nothing changed.
    const accounts = await call(app, 'listAccounts', { maxResults: 20 }, adminToken);
    expect(accounts.accounts.map((a: { name: string }) => a.name)).not.toContain('Rogue');
    expect(accounts.accounts.map((a: { id: string }) => a.id)).toContain(other.id);
  });

  describe('delegated administrators', () => {
    let members: Array<{ id: string; token: string }>;

    beforeAll(async () => {
      members = [];
      for (const name of ['da-1', 'da-2', 'da-3', 'da-4']) members.push(await createMember(name));
    });

    it('registers a member, which can then list accounts and administrators', async () => {
      const [first] = members;
      expect(await app.services.delegatedAdmins.isDelegatedAdmin(orgId, first.id)).toBe(false);
      expect(await call(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: first.id }, adminToken)).toBe(true);
      expect(await app.services.delegatedAdmins.isDelegatedAdmin(orgId, first.id)).toBe(true);
      expect(await app.services.delegatedAdmins.isDelegatedAdmin(orgId, members[1].id)).toBe(false);

      const listed = await call(app, 'listDelegatedAdministrators', undefined, adminToken);
      expect(listed.delegatedAdministrators).toEqual([
        expect.objectContaining({
          id: first.id,
          name: 'da-1',
          email: 'da-1@example.com',
          arn: `arn:aws:organizations::${mgmt}:account/${orgId}/${first.id}`,
        }),
      ]);
      expect((await call(app, 'listDelegatedAdministrators', undefined, first.token)).delegatedAdministrators).toHaveLength(1);
      expect((await call(app, 'listAccounts', { maxResults: 20 }, first.token)).accounts.map((a: { id: string }) => a.id)).toContain(mgmt);
      // Registering administrators stays with the management account.
      await callFails(
        app,
        'registerOrganizationDelegatedAdmin',
        { memberAccountId: members[1].id },
        first.token,
        'NotOrganizationManagementAccountException',
      );
      await callFails(
        app,
        'createAccount',
        { accountName: 'ByDelegate', email: 'delegate@example.com' },
        first.token,
        'AccessDeniedException',
      );
    });

    it('returns the exact CloudTrail error codes', async () => {
      const [first] = members;
      await callFails(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: first.id }, adminToken, 'AccountRegisteredException');
      await callFails(
        app,
        'registerOrganizationDelegatedAdmin',
        { memberAccountId: mgmt },
        adminToken,
        'CannotDelegateManagementAccountException',
      );
      await callFails(
        app,
        'registerOrganizationDelegatedAdmin',
        { memberAccountId: '999999999999' },
        adminToken,
        'AccountNotFoundException',
      );
      for (const bad of ['abc', '12345', '12345678901234567', '1234567890ab', '']) {
        await callFails(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: bad }, adminToken, 'InvalidParameterException');
        await callFails(
          app,
          'deregisterOrganizationDelegatedAdmin',
          { delegatedAdminAccountId: bad },
          adminToken,
          'InvalidParameterException',
        );
      }
      await callFails(
        app,
        'deregisterOrganizationDelegatedAdmin',
        { delegatedAdminAccountId: members[1].id },
        adminToken,
        'AccountNotRegisteredException',
      );
      await callFails(
        app,
        'deregisterOrganizationDelegatedAdmin',
        { delegatedAdminAccountId: '999999999999' },
        adminToken,
        'AccountNotFoundException',
      );
    });

    it('allows at most three', async () => {
      await call(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: members[1].id }, adminToken);
      await call(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: members[2].id }, adminToken);
      await callFails(
        app,
        'registerOrganizationDelegatedAdmin',
        { memberAccountId: members[3].id },
        adminToken,
        'DelegatedAdminAccountLimitExceededException',
      );
      expect((await call(app, 'listDelegatedAdministrators', undefined, adminToken)).delegatedAdministrators).toHaveLength(3);
    });

    it('deregisters, after which the account loses its powers', async () => {
      const [, second] = members;
      expect(await call(app, 'deregisterOrganizationDelegatedAdmin', { delegatedAdminAccountId: second.id }, adminToken)).toBe(true);
      await callFails(
        app,
        'deregisterOrganizationDelegatedAdmin',
        { delegatedAdminAccountId: second.id },
        adminToken,
        'AccountNotRegisteredException',
      );
      await callFails(app, 'listAccounts', undefined, second.token, 'AccessDeniedException');
      expect(await app.services.delegatedAdmins.isDelegatedAdmin(orgId, second.id)).toBe(false);
      // The freed slot can be used again.
      await call(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: members[3].id }, adminToken);
    });
  });

  it('records its calls with the Organizations and CloudTrail event sources', async () => {
    const { rows } = await app.db.pool.query(
      `SELECT DISTINCT event_source, event_name FROM events WHERE account_id = $1 AND event_name IN ('CreateAccount', 'RegisterOrganizationDelegatedAdmin', 'ListAccounts')`,
      [mgmt],
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { event_source: 'organizations.amazonaws.com', event_name: 'CreateAccount' },
        { event_source: 'organizations.amazonaws.com', event_name: 'ListAccounts' },
        { event_source: 'cloudtrail.amazonaws.com', event_name: 'RegisterOrganizationDelegatedAdmin' },
      ]),
    );
  });

  describe('removeAccountFromOrganization', () => {
    it('rejects the management account, unknown and malformed ids', async () => {
      await callFails(app, 'removeAccountFromOrganization', { accountId: mgmt }, adminToken, 'MasterCannotLeaveOrganizationException');
      await callFails(app, 'removeAccountFromOrganization', { accountId: '999999999999' }, adminToken, 'AccountNotFoundException');
      await callFails(app, 'removeAccountFromOrganization', { accountId: '12' }, adminToken, 'InvalidInputException');
    });

    it('makes the account standalone; its principals keep working outside the organization', async () => {
      const leaving = await createMember('leaving');
      // Free a delegated-administrator slot (the suite above filled all three) and take it.
      const before = await call(app, 'listDelegatedAdministrators', undefined, adminToken);
      expect(before.delegatedAdministrators).toHaveLength(3);
      await call(
        app,
        'deregisterOrganizationDelegatedAdmin',
        { delegatedAdminAccountId: before.delegatedAdministrators[0].id },
        adminToken,
      );
      await call(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: leaving.id }, adminToken);
      const local = await createUserSession(app, leaving.token, 'local-admin', [MANAGED.admin]);

      expect(await call(app, 'removeAccountFromOrganization', { accountId: leaving.id }, adminToken)).toBe(true);

      const accounts = await call(app, 'listAccounts', { maxResults: 20 }, adminToken);
      expect(accounts.accounts.map((a: { id: string }) => a.id)).not.toContain(leaving.id);
      const admins = await call(app, 'listDelegatedAdministrators', undefined, adminToken);
      expect(admins.delegatedAdministrators.map((a: { id: string }) => a.id)).not.toContain(leaving.id);
      await callFails(app, 'removeAccountFromOrganization', { accountId: leaving.id }, adminToken, 'AccountNotFoundException');
      await callFails(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: leaving.id }, adminToken, 'AccountNotFoundException');

      // The standalone account's own user still works, in its own account, outside any organization.
      expect((await call(app, 'getCallerIdentity', undefined, local.token)).account).toBe(leaving.id);
      expect((await call(app, 'listUsers', undefined, local.token)).users.map((u: { userName: string }) => u.userName)).toContain(
        'local-admin',
      );
      await call(app, 'createUser', { userName: 'after-leaving' }, local.token);
      await callFails(app, 'describeOrganization', undefined, local.token, 'AWSOrganizationsNotInUseException');
      await callFails(app, 'listAccounts', undefined, local.token, 'AWSOrganizationsNotInUseException');
      await callFails(app, 'createAccount', { accountName: 'x', email: 'x@example.com' }, local.token, 'AWSOrganizationsNotInUseException');
      await callFails(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: mgmt }, local.token, 'OrganizationsNotInUseException');
    });
  });
});
