import type { RequestContext } from '../../src/common/request-context';
import type { Services } from '../../src/app/services';
import { failsWith, startServiceHarness, type ServiceHarness } from '../helpers/service-harness';
import { cloudTrailBucketPolicy, insertTopic } from '../helpers/trails';
import { trailKeyPolicy } from '../helpers/kms';

/** Trail lifecycle rules (spec §1.4, §4, §12.1) on the trail services, without HTTP. */
describe('service: trail lifecycle rules', () => {
  let h: ServiceHarness;
  let trails: Services['trails'];
  let ctx: RequestContext;
  let west: RequestContext;
  let account: string;
  const region = 'us-east-1';
  const arnOf = (name: string, r = region) => `arn:aws:cloudtrail:${r}:${account}:trail/${name}`;

  async function trailBucket(name: string, prefix?: string): Promise<void> {
    await h.services.storage.createBucket(ctx, name);
    await h.services.storage.putBucketPolicy(ctx, name, cloudTrailBucketPolicy(name, [account], prefix));
  }

  beforeAll(async () => {
    h = await startServiceHarness();
    trails = h.services.trails;
    ctx = h.ctx();
    west = h.ctx('us-west-2');
    account = h.admin.accountId;
    await trailBucket('trail-logs-main');
    await trailBucket('trail-logs-prefixed', 'pre/fix');
    await h.services.storage.createBucket(ctx, 'no-policy-bucket');
    await insertTopic(h, account, region, 'trail-notes');
    await trails.lifecycle.createTrail(ctx, { name: 'main', s3BucketName: 'trail-logs-main', isMultiRegionTrail: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('rejects invalid trail names with CloudTrail messages', async () => {
    const cases: Array<[string, string]> = [
      ['ab', 'Trail name too short. Minimum allowed length: 3 characters. Specified name length: 2 characters.'],
      ['a'.repeat(129), 'Trail name too long. Maximum allowed length: 128 characters. Specified name length: 129 characters.'],
      ['-abc', 'Trail name must starts with a letter or number.'],
      ['abc_', 'Trail name must ends with a letter or number.'],
      [
        'ab c',
        'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).',
      ],
      ['my-_x', 'Trail name cannot contain adjacent periods (.), hyphens (-), or underscores (_).'],
      ['my--x', 'Trail name cannot contain adjacent periods (.), hyphens (-), or underscores (_).'],
      ['192.168.5.4', 'Trail name must not be formatted as an IP address.'],
    ];
    for (const [name, message] of cases) {
      expect(
        await failsWith(trails.lifecycle.createTrail(ctx, { name, s3BucketName: 'trail-logs-main' }), 'InvalidTrailNameException'),
      ).toBe(message);
    }
    expect(await failsWith(trails.reads.getTrail(ctx, { name: 'ab' }), 'InvalidTrailNameException')).toContain('too short');
  });

  it('reports unknown trails with the observed message (getTrailStatus echoes an ARN)', async () => {
    expect(await failsWith(trails.reads.getTrail(ctx, { name: 'nope' }), 'TrailNotFoundException')).toBe(
      `Unknown trail: nope for the user: ${account}`,
    );
    expect(await failsWith(trails.reads.getTrailStatus(ctx, { name: 'nope' }), 'TrailNotFoundException')).toBe(
      `Unknown trail: ${arnOf('nope')} for the user: ${account}`,
    );
    await failsWith(trails.lifecycle.deleteTrail(ctx, { name: 'nope' }), 'TrailNotFoundException');
    await failsWith(trails.lifecycle.setLogging(ctx, { name: 'nope' }, true), 'TrailNotFoundException');
    await failsWith(trails.lifecycle.setLogging(ctx, { name: 'nope' }, false), 'TrailNotFoundException');
  });

  it('checks ARN format and region', async () => {
    await failsWith(trails.reads.getTrail(ctx, { name: 'arn:aws:cloudtrail:us-east-1:12345:trail/t' }), 'CloudTrailARNInvalidException');
    await failsWith(trails.reads.getTrail(ctx, { name: 'arn:aws:s3:::bucket' }), 'CloudTrailARNInvalidException');
    expect(await failsWith(trails.reads.getTrail(ctx, { name: arnOf('main', 'eu-west-1') }), 'CloudTrailARNInvalidException')).toBe(
      `Region in ARN is wrong, you can only access resources in region ${region}.`,
    );
  });

  it('refuses duplicates and the sixth trail of a region (multi-Region trails count everywhere)', async () => {
    expect(
      await failsWith(trails.lifecycle.createTrail(ctx, { name: 'main', s3BucketName: 'trail-logs-main' }), 'TrailAlreadyExistsException'),
    ).toBe(`Trail main already exists for customer: ${account}`);
    // 'main' is multi-Region and occupies a slot in us-west-2 too.
    for (const name of ['west1', 'west2', 'west3', 'west4'])
      await trails.lifecycle.createTrail(west, { name, s3BucketName: 'trail-logs-main' });
    await failsWith(
      trails.lifecycle.createTrail(west, { name: 'west5', s3BucketName: 'trail-logs-main' }),
      'MaximumNumberOfTrailsExceededException',
    );
    // A new multi-Region trail homed elsewhere would make us-west-2 overflow.
    await failsWith(
      trails.lifecycle.createTrail(ctx, { name: 'multi2', s3BucketName: 'trail-logs-main', isMultiRegionTrail: true }),
      'MaximumNumberOfTrailsExceededException',
    );
    for (const name of ['west1', 'west2', 'west3', 'west4']) await trails.lifecycle.deleteTrail(west, { name });
    // The freed slots are usable again.
    await trails.lifecycle.createTrail(west, { name: 'west5', s3BucketName: 'trail-logs-main' });
    await trails.lifecycle.deleteTrail(west, { name: 'west5' });
  });

  it('validates buckets, prefixes, topics, KMS keys and CloudWatch Logs settings, creating nothing on failure', async () => {
    const base = { name: 'val1', s3BucketName: 'trail-logs-main' };
    const create = (over: Record<string, unknown>) => trails.lifecycle.createTrail(ctx, { ...base, ...over });
    await failsWith(create({ s3BucketName: 'Bad_Bucket' }), 'InvalidS3BucketNameException');
    await failsWith(create({ s3BucketName: 'a..b' }), 'InvalidS3BucketNameException');
    expect(await failsWith(create({ s3BucketName: 'missing-bucket-x' }), 'S3BucketDoesNotExistException')).toBe(
      'S3 bucket missing-bucket-x does not exist!',
    );
    await failsWith(create({ s3BucketName: 'no-policy-bucket' }), 'InsufficientS3BucketPolicyException');
    await failsWith(create({ s3KeyPrefix: 'p'.repeat(201) }), 'InvalidS3PrefixException');
    // The prefixed bucket's policy covers pre/fix only.
    await failsWith(create({ s3BucketName: 'trail-logs-prefixed' }), 'InsufficientS3BucketPolicyException');
    expect(await failsWith(create({ snsTopicName: 'no-such-topic' }), 'InsufficientSnsTopicPolicyException')).toBe(
      'SNS Topic does not exist or the topic policy is incorrect!',
    );
    await failsWith(create({ snsTopicName: 'bad topic!' }), 'InvalidSnsTopicNameException');
    await failsWith(create({ kmsKeyId: 'not a key' }), 'InvalidKmsKeyIdException');
    await failsWith(create({ kmsKeyId: 'alias/aws/s3' }), 'InvalidKmsKeyIdException');
    await failsWith(
      create({ cloudWatchLogsLogGroupArn: `arn:aws:logs:${region}:${account}:log-group:ct:*` }),
      'InvalidCloudWatchLogsRoleArnException',
    );
    await failsWith(create({ cloudWatchLogsRoleArn: `arn:aws:iam::${account}:role/ct` }), 'InvalidCloudWatchLogsLogGroupArnException');
    expect(
      await failsWith(create({ isMultiRegionTrail: true, includeGlobalServiceEvents: false }), 'InvalidParameterCombinationException'),
    ).toBe('Multi-Region trail must include global service events.');
    await failsWith(trails.reads.getTrail(ctx, { name: 'val1' }), 'TrailNotFoundException');

    const key = await h.services.kms.keys.createKey(ctx, { policy: trailKeyPolicy(account) });
    const full = await create({
      s3BucketName: 'trail-logs-prefixed',
      s3KeyPrefix: 'pre/fix/',
      snsTopicName: 'trail-notes',
      kmsKeyId: key.keyId,
    });
    // The prefix loses its trailing slash and the key id becomes the key ARN.
    expect(full).toMatchObject({
      s3KeyPrefix: 'pre/fix',
      snsTopicName: 'trail-notes',
      kmsKeyId: key.arn,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: true,
    });
  });

  it('applies the multi-Region rules on update; a refused update changes nothing', async () => {
    await trails.lifecycle.updateTrail(ctx, { name: 'val1', includeGlobalServiceEvents: false });
    // single -> multi turns global events on; multi -> single turns them off.
    expect(await trails.lifecycle.updateTrail(ctx, { name: 'val1', isMultiRegionTrail: true })).toMatchObject({
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
    });
    await failsWith(
      trails.lifecycle.updateTrail(ctx, { name: 'val1', includeGlobalServiceEvents: false }),
      'InvalidParameterCombinationException',
    );
    expect(await trails.lifecycle.updateTrail(ctx, { name: 'val1', isMultiRegionTrail: false })).toMatchObject({
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
    });
    await failsWith(
      trails.lifecycle.updateTrail(ctx, { name: 'val1', s3BucketName: 'no-policy-bucket' }),
      'InsufficientS3BucketPolicyException',
    );
    await failsWith(trails.lifecycle.updateTrail(ctx, { name: 'val1', s3BucketName: 'Bad_Bucket' }), 'InvalidS3BucketNameException');
    await failsWith(trails.lifecycle.updateTrail(ctx, { name: 'val1', s3KeyPrefix: 'x'.repeat(201) }), 'InvalidS3PrefixException');
    expect(await trails.reads.getTrail(ctx, { name: 'val1' })).toMatchObject({
      s3BucketName: 'trail-logs-prefixed',
      s3KeyPrefix: 'pre/fix',
    });
  });

  it('allows mutations only in the home region; a single-Region trail is invisible elsewhere', async () => {
    expect((await trails.reads.getTrail(west, { name: 'main' })).homeRegion).toBe(region);
    await failsWith(trails.lifecycle.deleteTrail(west, { name: arnOf('main') }), 'InvalidHomeRegionException');
    await failsWith(trails.lifecycle.setLogging(west, { name: arnOf('main') }, true), 'InvalidHomeRegionException');
    await failsWith(trails.lifecycle.setLogging(west, { name: arnOf('main') }, false), 'InvalidHomeRegionException');
    await failsWith(trails.lifecycle.updateTrail(west, { name: 'main', s3KeyPrefix: 'x' }), 'InvalidHomeRegionException');
    await failsWith(trails.reads.getTrail(west, { name: 'val1' }), 'TrailNotFoundException');
    await failsWith(trails.reads.getTrail(west, { name: arnOf('val1') }), 'CloudTrailARNInvalidException');
    expect((await trails.reads.describeTrails(west, {})).map((t) => t.name)).toEqual(['main']);
    expect(await trails.reads.describeTrails(west, { includeShadowTrails: false })).toEqual([]);
    expect((await trails.reads.listTrails(west, {})).trails.map((t) => t.name)).toEqual(['main']);
    expect((await trails.reads.describeTrails(ctx, { includeShadowTrails: false })).map((t) => t.name).sort()).toEqual(['main', 'val1']);
  });

  it('starts and stops logging: only started trails log, and each transition is timed', async () => {
    expect((await trails.reads.getTrailStatus(ctx, { name: 'val1' })).trail).toMatchObject({
      isLogging: false,
      startLoggingTime: null,
      stopLoggingTime: null,
    });
    await trails.lifecycle.setLogging(ctx, { name: 'val1' }, true);
    const started = (await trails.reads.getTrailStatus(ctx, { name: arnOf('val1') })).trail;
    expect(started.isLogging).toBe(true);
    expect(started.startLoggingTime).toBeInstanceOf(Date);
    // Starting a logging trail again is accepted and keeps it logging.
    await trails.lifecycle.setLogging(ctx, { name: 'val1' }, true);
    expect((await trails.reads.getTrail(ctx, { name: 'val1' })).isLogging).toBe(true);
    await trails.lifecycle.setLogging(ctx, { name: 'val1' }, false);
    const stopped = (await trails.reads.getTrailStatus(ctx, { name: 'val1' })).trail;
    expect(stopped.isLogging).toBe(false);
    expect(stopped.stopLoggingTime!.getTime()).toBeGreaterThanOrEqual(started.startLoggingTime!.getTime());
  });

  it('hides one tenant’s trails from another', async () => {
    const other = await h.createTenant('Trail Tenant B');
    await failsWith(trails.reads.getTrail(other.ctx(), { name: 'main' }), 'TrailNotFoundException');
    await failsWith(trails.lifecycle.deleteTrail(other.ctx(), { name: 'main' }), 'TrailNotFoundException');
    await failsWith(trails.lifecycle.setLogging(other.ctx(), { name: 'main' }, true), 'TrailNotFoundException');
    expect(await trails.reads.describeTrails(other.ctx(), {})).toEqual([]);
  });
});
