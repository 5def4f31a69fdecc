import { startTestApp, type TestApp } from '../helpers/test-app';
import { storedRecords } from '../helpers/events';
import { MANAGED, createUserSession, policyJson, call } from '../helpers/iam-ops';
import { type Session, createTrailBucket, insertTopic, trailCall, trailFails } from '../helpers/trails';
import { createTrailKey } from '../helpers/kms';

/** Trail lifecycle: create, read, update, logging, status, delete, and every input rule (spec §1.4, §4). */
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
    await trailCall(app, 'createBucket', { bucketName: 'no-policy-bucket' }, admin);
    await insertTopic(app, account, region, 'trail-notes');
    keyA = await createTrailKey(app, admin.token, account);
    keyB = await createTrailKey(app, admin.token, account);
  });
  afterAll(async () => {
    await app.close();
  });

  it('creates a trail with the contract shape; it does not log until startLogging', async () => {
    const created = await trailCall(app, 'createTrail', { name: 'main', s3BucketName: 'trail-logs-main', isMultiRegionTrail: true, isOrganizationTrail: false, enableLogFileValidation: true }, admin);
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
    expect(status).toMatchObject({ isLogging: false, latestDeliveryTime: null, latestDeliveryError: null, startLoggingTime: null, timeLoggingStarted: '' });

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
    const trail = await app.db.pool.query(`SELECT id FROM trails WHERE trail_arn = $1`, [`arn:aws:cloudtrail:${region}:${account}:trail/main`]);
    const at = new Date('2026-01-02T03:04:05Z');
    await app.db.pool.query(
      `INSERT INTO trail_delivery_status (trail_id, region, account_id, latest_delivery_time, latest_delivery_attempt_time, latest_delivery_error, latest_digest_delivery_time, updated_at)
       VALUES ($1, $2, $3, $4, $4, 'AccessDenied', $4, now())`,
      [trail.rows[0].id, region, account, at],
    );
    const status = await trailCall(app, 'getTrailStatus', { name: 'main' }, admin);
    expect(status).toMatchObject({ latestDeliveryError: 'AccessDenied', latestDeliveryAttemptTime: '2026-01-02T03:04:05Z', latestDeliveryAttemptSucceeded: '2026-01-02T03:04:05Z' });
    expect(new Date(status.latestDeliveryTime).toISOString()).toBe(at.toISOString());
    expect(new Date(status.latestDigestDeliveryTime).toISOString()).toBe(at.toISOString());
    // Another region's status of the same multi-Region trail is its own (none yet).
    const west = await trailCall(app, 'getTrailStatus', { name: `arn:aws:cloudtrail:${region}:${account}:trail/main` }, { ...admin, region: 'us-west-2' });
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

  it('rejects invalid trail names with CloudTrail messages', async () => {
    const cases: Array<[string, string]> = [
      ['ab', 'Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 characters.'],
      ['a'.repeat(129), 'Trail name too long. Maximum allowed length: 128 characters. Specified name length: 129 characters.'],
      ['-abc', 'Trail name must starts with a letter or number.'],
      ['abc_', 'Trail name must ends with a letter or number.'],
      ['ab c', 'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).'],
      ['my-_x', 'Trail name cannot contain adjacent periods (.), hyphens (-), or underscores (_).'],
      ['my--x', 'Trail name cannot contain adjacent periods (.), hyphens (-), or underscores (_).'],
      ['192.168.5.4', 'Trail name must not be formatted as an IP address.'],
    ];
    for (const [name, message] of cases) {
      expect(await trailFails(app, 'createTrail', { name, s3BucketName: 'trail-logs-main' }, admin, 'InvalidTrailNameException')).toBe(message);
    }
    expect(await trailFails(app, 'getTrail', { name: 'ab' }, admin, 'InvalidTrailNameException')).toContain('too short');
  });

  it('reports unknown trails with the observed message (getTrailStatus echoes an ARN)', async () => {
    expect(await trailFails(app, 'getTrail', { name: 'nope' }, admin, 'TrailNotFoundException')).toBe(`Unknown trail: nope for the user: ${account}`);
    expect(await trailFails(app, 'getTrailStatus', { name: 'nope' }, admin, 'TrailNotFoundException')).toBe(
      `Unknown trail: arn:aws:cloudtrail:${region}:${account}:trail/nope for the user: ${account}`,
    );
    for (const op of ['deleteTrail', 'startLogging', 'stopLogging'] as const) {
      await trailFails(app, op, { name: 'nope' }, admin, 'TrailNotFoundException');
    }
  });

  it('checks ARN format and region', async () => {
    await trailFails(app, 'getTrail', { name: 'arn:aws:cloudtrail:us-east-1:12345:trail/t' }, admin, 'CloudTrailARNInvalidException');
    await trailFails(app, 'getTrail', { name: 'arn:aws:s3:::bucket' }, admin, 'CloudTrailARNInvalidException');
    expect(await trailFails(app, 'getTrail', { name: `arn:aws:cloudtrail:eu-west-1:${account}:trail/main` }, admin, 'CloudTrailARNInvalidException')).toBe(
      `Region in ARN is wrong, you can only access resources in region ${region}.`,
    );
  });

  it('refuses duplicates and the sixth trail of a region (multi-Region trails count everywhere)', async () => {
    expect(await trailFails(app, 'createTrail', { name: 'main', s3BucketName: 'trail-logs-main' }, admin, 'TrailAlreadyExistsException')).toBe(
      `Trail main already exists for customer: ${account}`,
    );
    // 'main' is multi-Region and occupies a slot in us-west-2 too.
    for (const n of ['west1', 'west2', 'west3', 'west4']) await trailCall(app, 'createTrail', { name: n, s3BucketName: 'trail-logs-main' }, { ...admin, region: 'us-west-2' });
    await trailFails(app, 'createTrail', { name: 'west5', s3BucketName: 'trail-logs-main' }, { ...admin, region: 'us-west-2' }, 'MaximumNumberOfTrailsExceededException');
    // A single-Region trail homed elsewhere does not count in us-west-2, and a new multi-Region one would make us-west-2 overflow.
    await trailFails(app, 'createTrail', { name: 'multi2', s3BucketName: 'trail-logs-main', isMultiRegionTrail: true }, admin, 'MaximumNumberOfTrailsExceededException');
    for (const n of ['west1', 'west2', 'west3', 'west4']) await trailCall(app, 'deleteTrail', { name: n }, { ...admin, region: 'us-west-2' });
  });

  it('validates buckets, prefixes, topics, KMS keys and CloudWatch Logs settings', async () => {
    const base = { name: 'val1', s3BucketName: 'trail-logs-main' };
    await trailFails(app, 'createTrail', { ...base, s3BucketName: 'Bad_Bucket' }, admin, 'InvalidS3BucketNameException');
    await trailFails(app, 'createTrail', { ...base, s3BucketName: 'a..b' }, admin, 'InvalidS3BucketNameException');
    expect(await trailFails(app, 'createTrail', { ...base, s3BucketName: 'missing-bucket-x' }, admin, 'S3BucketDoesNotExistException')).toBe('S3 bucket missing-bucket-x does not exist!');
    await trailFails(app, 'createTrail', { ...base, s3BucketName: 'no-policy-bucket' }, admin, 'InsufficientS3BucketPolicyException');
    await trailFails(app, 'createTrail', { ...base, s3KeyPrefix: 'p'.repeat(201) }, admin, 'InvalidS3PrefixException');
    // The prefixed bucket's policy covers pre/fix only.
    await trailFails(app, 'createTrail', { ...base, s3BucketName: 'trail-logs-prefixed' }, admin, 'InsufficientS3BucketPolicyException');
    expect(await trailFails(app, 'createTrail', { ...base, snsTopicName: 'no-such-topic' }, admin, 'InsufficientSnsTopicPolicyException')).toBe(
      'SNS Topic does not exist or the topic policy is incorrect!',
    );
    await trailFails(app, 'createTrail', { ...base, snsTopicName: 'bad topic!' }, admin, 'InvalidSnsTopicNameException');
    await trailFails(app, 'createTrail', { ...base, kmsKeyId: 'not a key' }, admin, 'InvalidKmsKeyIdException');
    await trailFails(app, 'createTrail', { ...base, kmsKeyId: 'alias/aws/s3' }, admin, 'InvalidKmsKeyIdException');
    await trailFails(app, 'createTrail', { ...base, cloudWatchLogsLogGroupArn: `arn:aws:logs:${region}:${account}:log-group:ct:*` }, admin, 'InvalidCloudWatchLogsRoleArnException');
    await trailFails(app, 'createTrail', { ...base, cloudWatchLogsRoleArn: `arn:aws:iam::${account}:role/ct` }, admin, 'InvalidCloudWatchLogsLogGroupArnException');
    expect(await trailFails(app, 'createTrail', { ...base, isMultiRegionTrail: true, includeGlobalServiceEvents: false }, admin, 'InvalidParameterCombinationException')).toBe(
      'Multi-Region trail must include global service events.',
    );
    // Nothing was created by any of the failures.
    await trailFails(app, 'getTrail', { name: 'val1' }, admin, 'TrailNotFoundException');

    const full = await trailCall(
      app,
      'createTrail',
      {
        ...base,
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

  it('updates only the given fields, clears with empty strings and applies the multi-Region rules', async () => {
    const u1 = await trailCall(app, 'updateTrail', { name: 'val1', kmsKeyId: keyB.arn, enableLogFileValidation: true }, admin);
    expect(u1).toMatchObject({ kmsKeyId: keyB.arn, logFileValidationEnabled: true, snsTopicName: 'trail-notes', s3KeyPrefix: 'pre/fix' });
    const u2 = await trailCall(app, 'updateTrail', { name: 'val1', kmsKeyId: '', snsTopicName: '', cloudWatchLogsLogGroupArn: '', cloudWatchLogsRoleArn: '' }, admin);
    expect(u2).toMatchObject({ kmsKeyId: null, snsTopicName: null, snsTopicARN: null, cloudWatchLogsLogGroupArn: null, cloudWatchLogsRoleArn: null });
    // single -> multi turns global events on; multi -> single turns them off.
    await trailCall(app, 'updateTrail', { name: 'val1', includeGlobalServiceEvents: false }, admin);
    const multi = await trailCall(app, 'updateTrail', { name: 'val1', isMultiRegionTrail: true }, admin);
    expect(multi).toMatchObject({ isMultiRegionTrail: true, includeGlobalServiceEvents: true });
    await trailFails(app, 'updateTrail', { name: 'val1', includeGlobalServiceEvents: false }, admin, 'InvalidParameterCombinationException');
    const single = await trailCall(app, 'updateTrail', { name: 'val1', isMultiRegionTrail: false }, admin);
    expect(single).toMatchObject({ isMultiRegionTrail: false, includeGlobalServiceEvents: false });
    // Moving to a bucket whose policy does not allow the trail fails and changes nothing.
    await trailFails(app, 'updateTrail', { name: 'val1', s3BucketName: 'no-policy-bucket' }, admin, 'InsufficientS3BucketPolicyException');
    expect((await trailCall(app, 'getTrail', { name: 'val1' }, admin)).s3BucketName).toBe('trail-logs-prefixed');
    await trailFails(app, 'updateTrail', { name: 'val1', s3KeyPrefix: 'x'.repeat(201) }, admin, 'InvalidS3PrefixException');
  });

  it('allows mutations only in the home region; shadows are visible read-only elsewhere', async () => {
    const west = { ...admin, region: 'us-west-2' };
    const arn = `arn:aws:cloudtrail:${region}:${account}:trail/main`;
    expect((await trailCall(app, 'getTrail', { name: 'main' }, west)).homeRegion).toBe(region);
    for (const op of ['deleteTrail', 'startLogging', 'stopLogging'] as const) {
      await trailFails(app, op, { name: arn }, west, 'InvalidHomeRegionException');
    }
    await trailFails(app, 'updateTrail', { name: 'main', s3KeyPrefix: 'x' }, west, 'InvalidHomeRegionException');
    // Single-Region v1 is invisible outside its home region.
    await trailFails(app, 'getTrail', { name: 'val1' }, west, 'TrailNotFoundException');
    await trailFails(app, 'getTrail', { name: `arn:aws:cloudtrail:${region}:${account}:trail/val1` }, west, 'CloudTrailARNInvalidException');
    const shadows = await trailCall(app, 'describeTrails', {}, west);
    expect(shadows.trailList.map((t: any) => t.name)).toEqual(['main']);
    expect((await trailCall(app, 'describeTrails', { includeShadowTrails: false }, west)).trailList).toEqual([]);
    expect((await trailCall(app, 'listTrails', {}, west)).trails.map((t: any) => t.name)).toEqual(['main']);
    const home = await trailCall(app, 'describeTrails', { includeShadowTrails: false }, admin);
    expect(home.trailList.map((t: any) => t.name).sort()).toEqual(['main', 'val1']);
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
    await call(app, 'putUserPolicy', {
      userName: 'trail-scoped',
      policyName: 'main-only',
      policyDocument: policyJson({ Effect: 'Allow', Action: ['cloudtrail:StopLogging', 'cloudtrail:GetTrail'], Resource: [`arn:aws:cloudtrail:${region}:${account}:trail/main`] }),
    }, admin.token);
    const s = { token: scoped.token };
    expect(await trailCall(app, 'stopLogging', { name: 'main' }, s)).toBe(true);
    expect((await trailCall(app, 'getTrail', { name: `arn:aws:cloudtrail:${region}:${account}:trail/main` }, s)).name).toBe('main');
    await trailFails(app, 'getTrail', { name: 'val1' }, s, 'AccessDeniedException');
  });

  it('records every call as a cloudtrail.amazonaws.com event, failures with their errorCode', async () => {
    const records = await storedRecords(app, `event_source = 'cloudtrail.amazonaws.com'`);
    const names = new Set(records.map((r) => r.eventName));
    for (const n of ['CreateTrail', 'UpdateTrail', 'DeleteTrail', 'GetTrail', 'DescribeTrails', 'ListTrails', 'GetTrailStatus', 'StartLogging', 'StopLogging']) {
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
