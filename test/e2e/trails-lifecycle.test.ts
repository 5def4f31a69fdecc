import { startTestApp, type TestApp } from '../helpers/test-app';
import { storedRecords } from '../helpers/events';
import { MANAGED, createUserSession, policyJson, call } from '../helpers/iam-ops';
import { type Session, createTrailBucket, insertTopic, trailCall, trailFails } from '../helpers/trails';
import { createTrailKey } from '../helpers/kms';

/**
 * Trail lifecycle over GraphQL: create, read, update, logging, status, delete, authorization and
 * self-audit (spec §1.4, §4). The input rules, quotas and home-Region rules are service-tier tests
 * (test/service/trails.service.test.ts).
 */
describe('trails: lifecycle', () => {
  let app: TestApp;
  let admin: Session;
  let account: string;
  /** KMS keys CloudTrail may use (src/kms checks keys on create/update). */
  let keyA: { keyId: string; arn: string };
  let keyB: { keyId: string; arn: string };
  const region = 'us-east-1';

  beforeAll(async () => {
    app = await startTestApp();
    admin = { token: await app.login(app.admin) };
    account = app.admin.accountId;
    await createTrailBucket(app, admin, 'trail-logs-main', [account]);
    await createTrailBucket(app, admin, 'trail-logs-prefixed', [account], 'pre/fix');
    await insertTopic(app, account, region, 'trail-notes');
    keyA = await createTrailKey(app, admin.token, account);
    keyB = await createTrailKey(app, admin.token, account);
  });
  afterAll(async () => {
    await app.close();
  });

  it('creates a trail with the contract shape; it does not log until startLogging', async () => {
    const created = await trailCall(
      app,
      'createTrail',
      {
        name: 'main',
        s3BucketName: 'trail-logs-main',
        isMultiRegionTrail: true,
        isOrganizationTrail: false,
        enableLogFileValidation: true,
      },
      admin,
    );
    expect(created).toMatchObject({
      name: 'main',
      trailARN: `arn:aws:cloudtrail:${region}:${account}:trail/main`,
      homeRegion: region,
      s3BucketName: 'trail-logs-main',
      s3KeyPrefix: null,
      snsTopicARN: null,
      kmsKeyId: null,
      includeGlobalServiceEvents: true,
      isMultiRegionTrail: true,
      logFileValidationEnabled: true,
      isOrganizationTrail: false,
      hasCustomEventSelectors: false,
      hasInsightSelectors: false,
    });
    const status = await trailCall(app, 'getTrailStatus', { name: 'main' }, admin);
    expect(status).toMatchObject({
      isLogging: false,
      latestDeliveryTime: null,
      latestDeliveryError: null,
      startLoggingTime: null,
      timeLoggingStarted: '',
    });

    expect(await trailCall(app, 'startLogging', { name: 'main' }, admin)).toBe(true);
    const started = await trailCall(app, 'getTrailStatus', { name: `arn:aws:cloudtrail:${region}:${account}:trail/main` }, admin);
    expect(started.isLogging).toBe(true);
    expect(new Date(started.startLoggingTime).getTime()).not.toBeNaN();
    expect(started.timeLoggingStarted).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    expect(await trailCall(app, 'stopLogging', { name: 'main' }, admin)).toBe(true);
    const stopped = await trailCall(app, 'getTrailStatus', { name: 'main' }, admin);
    expect(stopped.isLogging).toBe(false);
    expect(stopped.stopLoggingTime).not.toBeNull();
  });

  it('reads the delivery fields of getTrailStatus from trail_delivery_status for the request region', async () => {
    const trail = await app.db.pool.query(`SELECT id FROM trails WHERE trail_arn = $1`, [
      `arn:aws:cloudtrail:${region}:${account}:trail/main`,
    ]);
    const at = new Date('2026-01-02T03:04:05Z');
    await app.db.pool.query(
      `INSERT INTO trail_delivery_status (trail_id, region, account_id, latest_delivery_time, latest_delivery_attempt_time, latest_delivery_error, latest_digest_delivery_time, updated_at)
       VALUES ($1, $2, $3, $4, $4, 'AccessDenied', $4, now())`,
      [trail.rows[0].id, region, account, at],
    );
    const status = await trailCall(app, 'getTrailStatus', { name: 'main' }, admin);
    expect(status).toMatchObject({
      latestDeliveryError: 'AccessDenied',
      latestDeliveryAttemptTime: '2026-01-02T03:04:05Z',
      latestDeliveryAttemptSucceeded: '2026-01-02T03:04:05Z',
    });
    expect(new Date(status.latestDeliveryTime).toISOString()).toBe(at.toISOString());
    expect(new Date(status.latestDigestDeliveryTime).toISOString()).toBe(at.toISOString());
    // Another region's status of the same multi-Region trail is its own (none yet).
    const west = await trailCall(
      app,
      'getTrailStatus',
      { name: `arn:aws:cloudtrail:${region}:${account}:trail/main` },
      { ...admin, region: 'us-west-2' },
    );
    expect(west.latestDeliveryTime).toBeNull();
  });

  it('gets, describes and lists trails; names and ARNs both work', async () => {
    expect((await trailCall(app, 'getTrail', { name: 'main' }, admin)).trailARN).toBe(`arn:aws:cloudtrail:${region}:${account}:trail/main`);
    expect((await trailCall(app, 'getTrail', { name: `arn:aws:cloudtrail:${region}:${account}:trail/main` }, admin)).name).toBe('main');
    const described = await trailCall(app, 'describeTrails', { trailNameList: ['main', 'unknown-trail'] }, admin);
    expect(described.trailList.map((t: any) => t.name)).toEqual(['main']);
    const listed = await trailCall(app, 'listTrails', {}, admin);
    expect(listed.trails).toEqual([{ trailARN: `arn:aws:cloudtrail:${region}:${account}:trail/main`, name: 'main', homeRegion: region }]);
    expect(listed.nextToken).toBeNull();
  });

  it('creates a trail with every optional setting; domain errors reach the client with their CloudTrail code', async () => {
    // The input rules themselves are checked on the services (test/service/trails.service.test.ts).
    expect(
      await trailFails(app, 'createTrail', { name: 'main', s3BucketName: 'trail-logs-main' }, admin, 'TrailAlreadyExistsException'),
    ).toBe(`Trail main already exists for customer: ${account}`);
    expect(
      await trailFails(app, 'createTrail', { name: 'ab', s3BucketName: 'trail-logs-main' }, admin, 'InvalidTrailNameException'),
    ).toContain('too short');
    await trailFails(app, 'deleteTrail', { name: 'nope' }, admin, 'TrailNotFoundException');
    const full = await trailCall(
      app,
      'createTrail',
      {
        name: 'val1',
        s3BucketName: 'trail-logs-prefixed',
        s3KeyPrefix: 'pre/fix/',
        snsTopicName: 'trail-notes',
        kmsKeyId: keyA.keyId,
        cloudWatchLogsLogGroupArn: `arn:aws:logs:${region}:${account}:log-group:ct:*`,
        cloudWatchLogsRoleArn: `arn:aws:iam::${account}:role/ct`,
      },
      admin,
    );
    expect(full).toMatchObject({
      s3KeyPrefix: 'pre/fix',
      snsTopicName: 'trail-notes',
      snsTopicARN: `arn:aws:sns:${region}:${account}:trail-notes`,
      kmsKeyId: keyA.arn,
      isMultiRegionTrail: false,
    });
  });

  it('updates only the given fields and clears with empty strings', async () => {
    const u1 = await trailCall(app, 'updateTrail', { name: 'val1', kmsKeyId: keyB.arn, enableLogFileValidation: true }, admin);
    expect(u1).toMatchObject({ kmsKeyId: keyB.arn, logFileValidationEnabled: true, snsTopicName: 'trail-notes', s3KeyPrefix: 'pre/fix' });
    const u2 = await trailCall(
      app,
      'updateTrail',
      { name: 'val1', kmsKeyId: '', snsTopicName: '', cloudWatchLogsLogGroupArn: '', cloudWatchLogsRoleArn: '' },
      admin,
    );
    expect(u2).toMatchObject({
      kmsKeyId: null,
      snsTopicName: null,
      snsTopicARN: null,
      cloudWatchLogsLogGroupArn: null,
      cloudWatchLogsRoleArn: null,
    });
  });

  it('pages listTrails with opaque tokens', async () => {
    const first = await trailCall(app, 'listTrails', { maxResults: 1 }, admin);
    expect(first.trails).toHaveLength(1);
    expect(first.nextToken).toEqual(expect.any(String));
    const second = await trailCall(app, 'listTrails', { maxResults: 1, nextToken: first.nextToken }, admin);
    expect(second.trails).toHaveLength(1);
    expect(second.trails[0].trailARN > first.trails[0].trailARN).toBe(true);
    expect(second.nextToken).toBeNull();
    await trailFails(app, 'listTrails', { nextToken: 'garbage!' }, admin, 'InvalidParameterException');
  });

  it('authorizes every operation with cloudtrail:<Operation> on the trail ARN', async () => {
    const reader = { token: (await createUserSession(app, admin.token, 'trail-reader', [MANAGED.cloudTrailReadOnly])).token };
    expect((await trailCall(app, 'getTrail', { name: 'main' }, reader)).name).toBe('main');
    await trailCall(app, 'getTrailStatus', { name: 'main' }, reader);
    await trailFails(app, 'createTrail', { name: 'by-reader', s3BucketName: 'trail-logs-main' }, reader, 'AccessDeniedException');
    await trailFails(app, 'startLogging', { name: 'main' }, reader, 'AccessDeniedException');
    // A policy on one trail's ARN allows that trail only, by name or by ARN.
    const scoped = await createUserSession(app, admin.token, 'trail-scoped');
    await call(
      app,
      'putUserPolicy',
      {
        userName: 'trail-scoped',
        policyName: 'main-only',
        policyDocument: policyJson({
          Effect: 'Allow',
          Action: ['cloudtrail:StopLogging', 'cloudtrail:GetTrail'],
          Resource: [`arn:aws:cloudtrail:${region}:${account}:trail/main`],
        }),
      },
      admin.token,
    );
    const s = { token: scoped.token };
    expect(await trailCall(app, 'stopLogging', { name: 'main' }, s)).toBe(true);
    expect((await trailCall(app, 'getTrail', { name: `arn:aws:cloudtrail:${region}:${account}:trail/main` }, s)).name).toBe('main');
    await trailFails(app, 'getTrail', { name: 'val1' }, s, 'AccessDeniedException');
  });

  it('records every call as a cloudtrail.amazonaws.com event, failures with their errorCode', async () => {
    const records = await storedRecords(app, `event_source = 'cloudtrail.amazonaws.com'`);
    const names = new Set(records.map((r) => r.eventName));
    for (const n of [
      'CreateTrail',
      'UpdateTrail',
      'DeleteTrail',
      'GetTrail',
      'DescribeTrails',
      'ListTrails',
      'GetTrailStatus',
      'StartLogging',
      'StopLogging',
    ]) {
      expect(names.has(n)).toBe(true);
    }
    const failed = records.find((r) => r.eventName === 'CreateTrail' && r.errorCode === 'TrailAlreadyExistsException');
    expect(failed).toBeDefined();
    const read = records.find((r) => r.eventName === 'GetTrail' && !r.errorCode);
    expect(read.readOnly).toBe(true);
  });

  it('deletes a trail; its name can be reused', async () => {
    expect(await trailCall(app, 'deleteTrail', { name: 'val1' }, admin)).toBe(true);
    await trailFails(app, 'getTrail', { name: 'val1' }, admin, 'TrailNotFoundException');
    await trailCall(app, 'createTrail', { name: 'val1', s3BucketName: 'trail-logs-main' }, admin);
    expect(await trailCall(app, 'deleteTrail', { name: `arn:aws:cloudtrail:${region}:${account}:trail/val1` }, admin)).toBe(true);
  });
});
