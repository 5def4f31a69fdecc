import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { call } from '../helpers/iam-ops';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { type Session, createTrailBucket, trailCall, trailFails } from '../helpers/trails';

/** Organization trails (spec §11.1), delegated administrators, and tenant isolation of trails. */
describe('trails: organizations and isolation', () => {
  let app: TestApp;
  let mgmt: Session;
  let mgmtId: string;
  let orgId: string;
  let member: Session & { id: string };
  let admin2: Session & { id: string };
  let other: Session & { id: string };
  const region = 'us-east-1';
  const orgArn = () => `arn:aws:cloudtrail:${region}:${mgmtId}:trail/org-trail`;

  async function createMember(name: string): Promise<Session & { id: string }> {
    const account = await call(app, 'createAccount', { accountName: name, email: `${name}@example.com` }, mgmt.token);
    const session = await call(
      app,
      'assumeRole',
      { roleArn: `arn:aws:iam::${account.id}:role/OrganizationAccountAccessRole`, roleSessionName: 'setup' },
      mgmt.token,
    );
    return { id: account.id, token: session.token };
  }

  beforeAll(async () => {
    app = await startTestApp();
    mgmt = { token: await app.login(app.admin) };
    mgmtId = app.admin.accountId;
    orgId = app.admin.organizationId;
    member = await createMember('member-one');
    admin2 = await createMember('delegated-one');
    await call(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: admin2.id }, mgmt.token);
    await createTrailBucket(app, mgmt, 'org-trail-logs', [mgmtId, orgId]);
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'b@example.com'));
    other = { id: credsB.accountId, token: await app.login(credsB) };
  });
  afterAll(async () => {
    await app.close();
  });

  it('lets the management account create an organization trail', async () => {
    const trail = await trailCall(
      app,
      'createTrail',
      { name: 'org-trail', s3BucketName: 'org-trail-logs', isOrganizationTrail: true, isMultiRegionTrail: true },
      mgmt,
    );
    expect(trail).toMatchObject({ trailARN: orgArn(), isOrganizationTrail: true, isMultiRegionTrail: true });
    await trailCall(app, 'startLogging', { name: 'org-trail' }, mgmt);
  });

  it('shows the organization trail read-only to a member account, by ARN', async () => {
    const seen = await trailCall(app, 'getTrail', { name: orgArn() }, member);
    expect(seen).toMatchObject({ trailARN: orgArn(), isOrganizationTrail: true, homeRegion: region });
    const described = await trailCall(app, 'describeTrails', {}, member);
    expect(described.trailList.map((t: any) => t.trailARN)).toEqual([orgArn()]);
    // For a member it is a shadow: not listed without shadows, and a bare name means the member's own trail.
    expect((await trailCall(app, 'describeTrails', { includeShadowTrails: false }, member)).trailList).toEqual([]);
    await trailFails(app, 'getTrail', { name: 'org-trail' }, member, 'TrailNotFoundException');
    const status = await trailCall(app, 'getTrailStatus', { name: orgArn() }, member);
    expect(status.isLogging).toBe(true);
    const selectors = await trailCall(app, 'getEventSelectors', { trailName: orgArn() }, member);
    expect(selectors.trailARN).toBe(orgArn());
    // Visible from other regions too (multi-Region), still by its home-region ARN.
    expect((await trailCall(app, 'getTrail', { name: orgArn() }, { ...member, region: 'eu-west-1' })).name).toBe('org-trail');
  });

  it('refuses every mutation of the organization trail from a member account', async () => {
    for (const op of ['deleteTrail', 'startLogging', 'stopLogging'] as const) {
      await trailFails(app, op, { name: orgArn() }, member, 'NotOrganizationMasterAccountException');
    }
    await trailFails(app, 'updateTrail', { name: orgArn(), s3KeyPrefix: 'x' }, member, 'NotOrganizationMasterAccountException');
    await trailFails(
      app,
      'putEventSelectors',
      { trailName: orgArn(), eventSelectors: [{ readWriteType: 'ReadOnly' }] },
      member,
      'NotOrganizationMasterAccountException',
    );
    await trailFails(app, 'addTags', { resourceId: orgArn(), tagsList: [{ key: 'k' }] }, member, 'NotOrganizationMasterAccountException');
    await trailFails(
      app,
      'createTrail',
      { name: 'member-org', s3BucketName: 'org-trail-logs', isOrganizationTrail: true },
      member,
      'NotOrganizationMasterAccountException',
    );
    const after = await trailCall(app, 'getTrail', { name: orgArn() }, mgmt);
    expect(after).toMatchObject({ s3KeyPrefix: null, hasCustomEventSelectors: false });
  });

  it('lets a delegated administrator create and manage organization trails owned by the management account', async () => {
    const trail = await trailCall(
      app,
      'createTrail',
      { name: 'admin-org-trail', s3BucketName: 'org-trail-logs', isOrganizationTrail: true },
      admin2,
    );
    const arn = `arn:aws:cloudtrail:${region}:${mgmtId}:trail/admin-org-trail`;
    expect(trail.trailARN).toBe(arn);
    expect(await trailCall(app, 'startLogging', { name: arn }, admin2)).toBe(true);
    await trailCall(app, 'putEventSelectors', { trailName: arn, eventSelectors: [{ readWriteType: 'WriteOnly' }] }, admin2);
    expect((await trailCall(app, 'getTrail', { name: 'admin-org-trail' }, mgmt)).hasCustomEventSelectors).toBe(true);
    // Conversion to a non-organization trail is the management account's alone.
    await trailFails(app, 'updateTrail', { name: arn, isOrganizationTrail: false }, admin2, 'NotOrganizationMasterAccountException');
    expect(await trailCall(app, 'deleteTrail', { name: arn }, admin2)).toBe(true);
    await trailFails(app, 'getTrail', { name: 'admin-org-trail' }, mgmt, 'TrailNotFoundException');
  });

  it('converts between organization and account trails from the management account only', async () => {
    await createTrailBucket(app, mgmt, 'acct-only-logs', [mgmtId]);
    await trailCall(app, 'createTrail', { name: 'acct-trail', s3BucketName: 'acct-only-logs' }, mgmt);
    // The bucket policy does not cover AWSLogs/<o-id>/: conversion is refused and nothing changes.
    await trailFails(app, 'updateTrail', { name: 'acct-trail', isOrganizationTrail: true }, mgmt, 'InsufficientS3BucketPolicyException');
    const converted = await trailCall(
      app,
      'updateTrail',
      { name: 'acct-trail', s3BucketName: 'org-trail-logs', isOrganizationTrail: true },
      mgmt,
    );
    expect(converted.isOrganizationTrail).toBe(true);
    const back = await trailCall(app, 'updateTrail', { name: 'acct-trail', isOrganizationTrail: false }, mgmt);
    expect(back.isOrganizationTrail).toBe(false);
    // No longer an organization trail: members cannot see it.
    await trailFails(
      app,
      'getTrail',
      { name: `arn:aws:cloudtrail:${region}:${mgmtId}:trail/acct-trail` },
      member,
      'TrailNotFoundException',
    );
  });

  it('refuses organization trails to an account outside any organization', async () => {
    const credsC = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant C', 'c@example.com'));
    // Membership is read on every request: the account is standalone from now on.
    await app.db.pool.query(`UPDATE accounts SET organization_id = NULL WHERE id = $1`, [credsC.accountId]);
    const standalone = { token: await app.login(credsC) };
    await trailFails(
      app,
      'createTrail',
      { name: 'solo-org', s3BucketName: 'org-trail-logs', isOrganizationTrail: true },
      standalone,
      'OrganizationsNotInUseException',
    );
  });

  it('isolates trails between organizations: not found by name or ARN, nothing leaked', async () => {
    const foreign: Session = { token: other.token };
    for (const name of ['org-trail', orgArn(), `arn:aws:cloudtrail:${region}:${mgmtId}:trail/acct-trail`]) {
      const message = await trailFails(app, 'getTrail', { name }, foreign, 'TrailNotFoundException');
      expect(message).toBe(`Unknown trail: ${name} for the user: ${other.id}`);
      await trailFails(app, 'getTrailStatus', { name }, foreign, 'TrailNotFoundException');
      await trailFails(app, 'deleteTrail', { name }, foreign, 'TrailNotFoundException');
      await trailFails(app, 'updateTrail', { name, s3KeyPrefix: 'x' }, foreign, 'TrailNotFoundException');
      await trailFails(app, 'startLogging', { name }, foreign, 'TrailNotFoundException');
      await trailFails(app, 'putEventSelectors', { trailName: name, eventSelectors: [{}] }, foreign, 'TrailNotFoundException');
      await trailFails(app, 'getEventSelectors', { trailName: name }, foreign, 'TrailNotFoundException');
      await trailFails(app, 'getInsightSelectors', { trailName: name }, foreign, 'TrailNotFoundException');
    }
    await trailFails(app, 'addTags', { resourceId: orgArn(), tagsList: [{ key: 'k' }] }, foreign, 'ResourceNotFoundException');
    await trailFails(app, 'listTags', { resourceIdList: [orgArn()] }, foreign, 'ResourceNotFoundException');
    expect((await trailCall(app, 'describeTrails', { trailNameList: [orgArn()] }, foreign)).trailList).toEqual([]);
    expect((await trailCall(app, 'describeTrails', {}, foreign)).trailList).toEqual([]);
    expect((await trailCall(app, 'listTrails', {}, foreign)).trails).toEqual([]);
    // The same name is free in the other tenant.
    await createTrailBucket(app, foreign, 'tenant-b-logs', [other.id]);
    const own = await trailCall(app, 'createTrail', { name: 'org-trail', s3BucketName: 'tenant-b-logs' }, foreign);
    expect(own.trailARN).toBe(`arn:aws:cloudtrail:${region}:${other.id}:trail/org-trail`);
    expect((await trailCall(app, 'getTrail', { name: orgArn() }, mgmt)).s3BucketName).toBe('org-trail-logs');
  });
});
