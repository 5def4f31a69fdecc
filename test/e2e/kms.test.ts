import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { MANAGED, createUserSession, policyJson } from '../helpers/iam-ops';
import { storedRecords } from '../helpers/events';
import { kms, kmsFails } from '../helpers/kms';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(60_000);

describe('KMS: customer managed keys', () => {
  let app: TestApp;
  let admin: string;
  let account: string;

  beforeAll(async () => {
    app = await startTestApp();
    admin = await app.login(app.admin);
    account = app.admin.accountId;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('createKey returns KMS KeyMetadata; describeKey by id and by ARN; the default policy lets the account root do kms:*', async () => {
    const { keyMetadata: k } = await kms(app, 'createKey', { description: 'trail logs' }, admin);
    expect(k).toMatchObject({
      awsAccountId: account,
      enabled: true,
      description: 'trail logs',
      keyUsage: 'ENCRYPT_DECRYPT',
      keyState: 'Enabled',
      deletionDate: null,
      keySpec: 'SYMMETRIC_DEFAULT',
      keyManager: 'CUSTOMER',
      origin: 'AWS_KMS',
    });
    expect(k.keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(k.arn).toBe(`arn:aws:kms:us-east-1:${account}:key/${k.keyId}`);
    expect((await kms(app, 'describeKey', { keyId: k.keyId }, admin)).keyMetadata).toEqual(k);
    expect((await kms(app, 'describeKey', { keyId: k.arn }, admin)).keyMetadata).toEqual(k);
    const policy = await kms(app, 'getKeyPolicy', { keyId: k.keyId, policyName: 'default' }, admin);
    expect(policy.policyName).toBe('default');
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: 'kms:*',
        Resource: '*',
      },
    ]);
    // Key material never appears in any answer.
    const { rows } = await app.db.pool.query(`SELECT sealed_material FROM kms_keys WHERE key_id = $1`, [k.keyId]);
    expect(rows[0].sealed_material.length).toBe(1 + 12 + 16 + 32);
  });

  it('enable/disable, scheduleKeyDeletion (7-30 days, default 30), cancel leaves the key Disabled; invalid transitions are KMSInvalidStateException', async () => {
    const { keyMetadata: k } = await kms(app, 'createKey', {}, admin);
    await kms(app, 'disableKey', { keyId: k.keyId }, admin);
    expect((await kms(app, 'describeKey', { keyId: k.keyId }, admin)).keyMetadata).toMatchObject({ enabled: false, keyState: 'Disabled' });
    await kms(app, 'enableKey', { keyId: k.arn }, admin);
    expect((await kms(app, 'describeKey', { keyId: k.keyId }, admin)).keyMetadata).toMatchObject({ enabled: true, keyState: 'Enabled' });

    await kmsFails(app, 'scheduleKeyDeletion', { keyId: k.keyId, pendingWindowInDays: 6 }, admin, 'ValidationException');
    await kmsFails(app, 'scheduleKeyDeletion', { keyId: k.keyId, pendingWindowInDays: 31 }, admin, 'ValidationException');
    const before = Date.now();
    const scheduled = await kms(app, 'scheduleKeyDeletion', { keyId: k.keyId }, admin);
    expect(scheduled).toMatchObject({ keyId: k.arn, keyState: 'PendingDeletion', pendingWindowInDays: 30 });
    const days = (new Date(scheduled.deletionDate).getTime() - before) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThan(30.01);
    expect((await kms(app, 'describeKey', { keyId: k.keyId }, admin)).keyMetadata).toMatchObject({
      enabled: false,
      keyState: 'PendingDeletion',
      pendingDeletionWindowInDays: 30,
    });
    await kmsFails(app, 'enableKey', { keyId: k.keyId }, admin, 'KMSInvalidStateException');
    await kmsFails(app, 'disableKey', { keyId: k.keyId }, admin, 'KMSInvalidStateException');
    await kmsFails(app, 'scheduleKeyDeletion', { keyId: k.keyId, pendingWindowInDays: 7 }, admin, 'KMSInvalidStateException');
    await kmsFails(
      app,
      'putKeyPolicy',
      {
        keyId: k.keyId,
        policy: policyJson({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }),
      },
      admin,
      'KMSInvalidStateException',
    );

    expect(await kms(app, 'cancelKeyDeletion', { keyId: k.keyId }, admin)).toEqual({ keyId: k.arn });
    expect((await kms(app, 'describeKey', { keyId: k.keyId }, admin)).keyMetadata).toMatchObject({
      enabled: false,
      keyState: 'Disabled',
      deletionDate: null,
    });
    await kmsFails(app, 'cancelKeyDeletion', { keyId: k.keyId }, admin, 'KMSInvalidStateException');
    await kms(app, 'enableKey', { keyId: k.keyId }, admin);
  });

  it('a key past its deletion date is gone at once, and the deletion worker removes its row', async () => {
    const { keyMetadata: k } = await kms(app, 'createKey', {}, admin);
    const { keyMetadata: kept } = await kms(app, 'createKey', {}, admin);
    await kms(app, 'scheduleKeyDeletion', { keyId: k.keyId, pendingWindowInDays: 7 }, admin);
    await kms(app, 'scheduleKeyDeletion', { keyId: kept.keyId, pendingWindowInDays: 7 }, admin);
    await app.db.pool.query(`UPDATE kms_keys SET deletion_date = now() - interval '1 second' WHERE key_id = $1`, [k.keyId]);
    await kmsFails(app, 'describeKey', { keyId: k.keyId }, admin, 'NotFoundException');
    const listed = await kms(app, 'listKeys', { limit: 1000 }, admin);
    expect(listed.keys.map((x: { keyId: string }) => x.keyId)).not.toContain(k.keyId);
    expect(await app.services.kms.keys.purgeDeletedKeys()).toBe(1);
    const { rows } = await app.db.pool.query(`SELECT key_id FROM kms_keys WHERE key_id = ANY($1::uuid[])`, [[k.keyId, kept.keyId]]);
    expect(rows.map((r) => r.key_id)).toEqual([kept.keyId]);
  });

  it('listKeys pages with Marker/Truncated over the account keys in the Region', async () => {
    const all = await kms(app, 'listKeys', undefined, admin);
    expect(all.truncated).toBe(false);
    const seen: string[] = [];
    let marker: string | null = null;
    do {
      const page: any = await kms(app, 'listKeys', { limit: 2, ...(marker ? { marker } : {}) }, admin);
      seen.push(...page.keys.map((x: { keyId: string }) => x.keyId));
      marker = page.truncated ? page.nextMarker : null;
    } while (marker);
    expect(seen).toEqual(all.keys.map((x: { keyId: string }) => x.keyId));
    expect(seen.length).toBeGreaterThanOrEqual(3);
    await kmsFails(app, 'listKeys', { limit: 0 }, admin, 'ValidationException');
    await kmsFails(app, 'listKeys', { marker: 'garbage!' }, admin, 'InvalidMarkerException');
    // Another Region has its own keys.
    expect((await kms(app, 'listKeys', undefined, admin, 'us-west-2')).keys).toEqual([]);
  });

  it('bad key ids, other Regions, unsupported specs and malformed policies fail with KMS codes and change nothing', async () => {
    const { keyMetadata: k } = await kms(app, 'createKey', {}, admin);
    await kmsFails(app, 'describeKey', { keyId: '11111111-2222-3333-4444-555555555555' }, admin, 'NotFoundException');
    await kmsFails(app, 'describeKey', { keyId: 'not-a-key' }, admin, 'NotFoundException');
    await kmsFails(app, 'describeKey', { keyId: 'arn:aws:kms:us-east-1:short:key/x' }, admin, 'InvalidArnException');
    await kmsFails(app, 'describeKey', { keyId: 'alias/my-key' }, admin, 'NotFoundException');
    await kmsFails(app, 'describeKey', { keyId: k.keyId }, admin, 'NotFoundException', 'us-west-2');
    await kmsFails(app, 'describeKey', { keyId: k.arn.replace('us-east-1', 'eu-west-1') }, admin, 'NotFoundException');
    await kmsFails(app, 'createKey', { keySpec: 'RSA_2048' }, admin, 'UnsupportedOperationException');
    await kmsFails(app, 'createKey', { keyUsage: 'SIGN_VERIFY' }, admin, 'UnsupportedOperationException');
    await kmsFails(app, 'createKey', { policy: '{not json' }, admin, 'MalformedPolicyDocumentException');
    await kmsFails(
      app,
      'putKeyPolicy',
      { keyId: k.keyId, policy: policyJson({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }) },
      admin,
      'MalformedPolicyDocumentException',
    );
    await kmsFails(
      app,
      'putKeyPolicy',
      { keyId: k.keyId, policy: policyJson({ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 'kms:*', Resource: '*' }) },
      admin,
      'MalformedPolicyDocumentException',
    );
    await kmsFails(
      app,
      'putKeyPolicy',
      {
        keyId: k.keyId,
        policyName: 'other',
        policy: policyJson({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }),
      },
      admin,
      'NotFoundException',
    );
    // The lockout safety check: a policy that would stop the caller from ever changing it again.
    const lockout = policyJson({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${account}:root` },
      Action: 'kms:Describe*',
      Resource: '*',
    });
    const message = await kmsFails(app, 'putKeyPolicy', { keyId: k.keyId, policy: lockout }, admin, 'MalformedPolicyDocumentException');
    expect(message).toMatch(/will not allow you to update the key policy/);
    expect(JSON.parse((await kms(app, 'getKeyPolicy', { keyId: k.keyId }, admin)).policy).Statement[0].Action).toBe('kms:*');
  });

  it('key policy AND IAM: the root statement delegates to IAM; without it, IAM alone is not enough; a principal named in the policy needs no IAM grant', async () => {
    const iamAdmin = await createUserSession(app, admin, 'kms-iam-admin', [MANAGED.admin]);
    const nobody = await createUserSession(app, admin, 'kms-nobody');
    const { keyMetadata: open } = await kms(app, 'createKey', {}, admin);
    // Default policy: IAM decides.
    await kms(app, 'describeKey', { keyId: open.keyId }, iamAdmin.token);
    await kmsFails(app, 'describeKey', { keyId: open.keyId }, nobody.token, 'AccessDeniedException');

    const { keyMetadata: k } = await kms(app, 'createKey', {}, admin);
    const me = (await app.gql('query { getCallerIdentity { arn } }', {}, { token: admin })).data.getCallerIdentity.arn;
    const policy = policyJson(
      { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: me }, Action: 'kms:*', Resource: '*' },
      { Sid: 'Nobody may describe', Effect: 'Allow', Principal: { AWS: nobody.arn }, Action: 'kms:DescribeKey', Resource: '*' },
    );
    await kms(app, 'putKeyPolicy', { keyId: k.keyId, policy }, admin);
    // An IAM administrator not named by a policy without the root statement: denied.
    await kmsFails(app, 'describeKey', { keyId: k.keyId }, iamAdmin.token, 'AccessDeniedException');
    await kmsFails(app, 'disableKey', { keyId: k.keyId }, iamAdmin.token, 'AccessDeniedException');
    // A user without any IAM policy, named in the key policy: allowed exactly what it names.
    expect((await kms(app, 'describeKey', { keyId: k.keyId }, nobody.token)).keyMetadata.keyState).toBe('Enabled');
    await kmsFails(app, 'disableKey', { keyId: k.keyId }, nobody.token, 'AccessDeniedException');
    await kmsFails(app, 'getKeyPolicy', { keyId: k.keyId }, nobody.token, 'AccessDeniedException');
    // An explicit Deny in IAM wins even over a direct grant.
    await app.gql(
      'mutation($input: PutUserPolicyInput!) { putUserPolicy(input: $input) }',
      {
        input: {
          userName: 'kms-nobody',
          policyName: 'deny-kms',
          policyDocument: policyJson({ Effect: 'Deny', Action: 'kms:*', Resource: '*' }),
        },
      },
      { token: admin },
    );
    await kmsFails(app, 'describeKey', { keyId: k.keyId }, nobody.token, 'AccessDeniedException');
    expect((await kms(app, 'describeKey', { keyId: k.keyId }, admin)).keyMetadata.keyState).toBe('Enabled');
  });

  it("another organization's administrator cannot see, list or change this account's keys (NotFoundException, as for a key that does not exist)", async () => {
    const { keyMetadata: k } = await kms(app, 'createKey', { description: 'secret-of-a' }, admin);
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'KMS tenant B', 'kms-b@example.com'));
    const b = await app.login(credsB);
    const ghost = k.arn.replace(k.keyId, '00000000-0000-4000-8000-000000000000');
    for (const op of ['describeKey', 'disableKey', 'enableKey', 'cancelKeyDeletion'] as const) {
      const real = await kmsFails(app, op, { keyId: k.arn }, b, 'NotFoundException');
      const none = await kmsFails(app, op, { keyId: ghost }, b, 'NotFoundException');
      expect(real.replace(k.arn, 'X')).toBe(none.replace(ghost, 'X'));
    }
    await kmsFails(app, 'getKeyPolicy', { keyId: k.arn }, b, 'NotFoundException');
    await kmsFails(app, 'scheduleKeyDeletion', { keyId: k.arn }, b, 'NotFoundException');
    await kmsFails(app, 'describeKey', { keyId: k.keyId }, b, 'NotFoundException');
    expect((await kms(app, 'listKeys', undefined, b)).keys).toEqual([]);
    expect((await kms(app, 'describeKey', { keyId: k.keyId }, admin)).keyMetadata.keyState).toBe('Enabled');
    // RLS: B's tenant transaction cannot read A's rows even by primary key.
    const rows = await app.db.inTenantRaw(
      { accountId: credsB.accountId, organizationId: credsB.organizationId },
      (c) => c.query('SELECT key_id FROM kms_keys'),
      { readOnly: true },
    );
    expect(rows.rows).toEqual([]);
  });

  it('aliases: create, describe through them, list, retarget, delete; name rules and permissions', async () => {
    const { keyMetadata: k1 } = await kms(app, 'createKey', {}, admin);
    const { keyMetadata: k2 } = await kms(app, 'createKey', {}, admin);
    expect(await kms(app, 'createAlias', { aliasName: 'alias/app/logs', targetKeyId: k1.keyId }, admin)).toBe(true);
    await kmsFails(app, 'createAlias', { aliasName: 'alias/app/logs', targetKeyId: k2.keyId }, admin, 'AlreadyExistsException');
    for (const bad of ['app-logs', 'alias/', 'alias/aws/s3', 'alias/has space', `alias/${'x'.repeat(251)}`]) {
      await kmsFails(app, 'createAlias', { aliasName: bad, targetKeyId: k1.keyId }, admin, 'InvalidAliasNameException');
    }
    await kmsFails(app, 'createAlias', { aliasName: 'alias/x', targetKeyId: 'alias/app/logs' }, admin, 'NotFoundException');
    expect((await kms(app, 'describeKey', { keyId: 'alias/app/logs' }, admin)).keyMetadata.keyId).toBe(k1.keyId);
    expect((await kms(app, 'describeKey', { keyId: `arn:aws:kms:us-east-1:${account}:alias/app/logs` }, admin)).keyMetadata.keyId).toBe(
      k1.keyId,
    );
    await kmsFails(app, 'describeKey', { keyId: 'alias/app/logs' }, admin, 'NotFoundException', 'us-west-2');
    // Enable/Disable take key ids only, as in KMS.
    await kmsFails(app, 'disableKey', { keyId: 'alias/app/logs' }, admin, 'NotFoundException');

    const listed = await kms(app, 'listAliases', { keyId: k1.arn }, admin);
    expect(listed.aliases).toEqual([
      expect.objectContaining({
        aliasName: 'alias/app/logs',
        aliasArn: `arn:aws:kms:us-east-1:${account}:alias/app/logs`,
        targetKeyId: k1.keyId,
      }),
    ]);
    await kms(app, 'createAlias', { aliasName: 'alias/app/other', targetKeyId: k2.arn }, admin);
    const page1 = await kms(app, 'listAliases', { limit: 1 }, admin);
    const page2 = await kms(app, 'listAliases', { limit: 1, marker: page1.nextMarker }, admin);
    expect([page1.truncated, page1.aliases[0].aliasName, page2.aliases[0].aliasName]).toEqual([true, 'alias/app/logs', 'alias/app/other']);

    await kms(app, 'updateAlias', { aliasName: 'alias/app/logs', targetKeyId: k2.keyId }, admin);
    expect((await kms(app, 'describeKey', { keyId: 'alias/app/logs' }, admin)).keyMetadata.keyId).toBe(k2.keyId);
    // IAM on the alias ARN is needed besides the key policy (which delegates to IAM here).
    const keysOnly = await createUserSession(app, admin, 'kms-keys-only');
    await app.gql(
      'mutation($input: PutUserPolicyInput!) { putUserPolicy(input: $input) }',
      {
        input: {
          userName: 'kms-keys-only',
          policyName: 'keys',
          policyDocument: policyJson({ Effect: 'Allow', Action: 'kms:*', Resource: `arn:aws:kms:us-east-1:${account}:key/*` }),
        },
      },
      { token: admin },
    );
    await kmsFails(app, 'deleteAlias', { aliasName: 'alias/app/logs' }, keysOnly.token, 'AccessDeniedException');
    await kmsFails(app, 'createAlias', { aliasName: 'alias/mine', targetKeyId: k1.keyId }, keysOnly.token, 'AccessDeniedException');
    expect(await kms(app, 'deleteAlias', { aliasName: 'alias/app/logs' }, admin)).toBe(true);
    await kmsFails(app, 'deleteAlias', { aliasName: 'alias/app/logs' }, admin, 'NotFoundException');
    await kmsFails(app, 'describeKey', { keyId: 'alias/app/logs' }, admin, 'NotFoundException');
    // A deleted key takes its aliases with it.
    await kms(app, 'scheduleKeyDeletion', { keyId: k2.keyId, pendingWindowInDays: 7 }, admin);
    await kmsFails(app, 'createAlias', { aliasName: 'alias/late', targetKeyId: k2.keyId }, admin, 'KMSInvalidStateException');
    await app.db.pool.query(`UPDATE kms_keys SET deletion_date = now() - interval '1 second' WHERE key_id = $1`, [k2.keyId]);
    await app.services.kms.keys.purgeDeletedKeys();
    expect((await kms(app, 'listAliases', undefined, admin)).aliases.map((a: { aliasName: string }) => a.aliasName)).not.toContain(
      'alias/app/other',
    );
  });

  it('every call is self-audited with eventSource kms.amazonaws.com', async () => {
    const { keyMetadata: k } = await kms(app, 'createKey', { description: 'audited' }, admin);
    await kms(app, 'disableKey', { keyId: k.keyId }, admin);
    const records = await storedRecords(app, `record::jsonb->>'eventSource' = 'kms.amazonaws.com'`);
    const names = new Set(records.map((r) => r.eventName));
    for (const n of [
      'CreateKey',
      'DescribeKey',
      'ListKeys',
      'EnableKey',
      'DisableKey',
      'ScheduleKeyDeletion',
      'CancelKeyDeletion',
      'PutKeyPolicy',
      'GetKeyPolicy',
    ])
      expect(names).toContain(n);
    const disable = records.find((r) => r.eventName === 'DisableKey' && r.requestParameters?.input?.keyId === k.keyId);
    expect(disable).toBeDefined();
    expect(JSON.stringify(records)).not.toContain('sealed');
  });
});
