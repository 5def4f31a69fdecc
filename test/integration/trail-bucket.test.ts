import { startTestApp, type TestApp } from '../helpers/test-app';
import { policyJson } from '../helpers/iam-ops';

const ACCT = '111122223333';
const ORG = 'o-exampleorgid';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCT}:trail/MyTrail`;

/** CloudTrail's usual bucket policy (spec §5.3) for one bucket and write path. */
function cloudTrailPolicy(
  bucket: string,
  writePaths: string[],
  condition: Record<string, string> = { 'aws:SourceArn': TRAIL_ARN },
): string {
  return policyJson(
    {
      Sid: 'AWSCloudTrailAclCheck20150319',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: `arn:aws:s3:::${bucket}`,
      Condition: { StringEquals: condition },
    },
    {
      Sid: 'AWSCloudTrailWrite20150319',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: writePaths.map((p) => `arn:aws:s3:::${bucket}/${p}`),
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', ...condition } },
    },
  );
}

describe('checkTrailBucket and putServiceObject', () => {
  let app: TestApp;
  let token: string;

  async function bucketWithPolicy(name: string, policy: string | null): Promise<void> {
    const created = await app.gql(
      'mutation($input: BucketNameInput!) { createBucket(input: $input) { bucketName } }',
      { input: { bucketName: name } },
      { token },
    );
    expect(created.errors).toBeUndefined();
    if (policy) {
      const put = await app.gql(
        'mutation($input: PutBucketPolicyInput!) { putBucketPolicy(input: $input) { bucketName } }',
        { input: { bucketName: name, policy } },
        { token },
      );
      expect(put.errors).toBeUndefined();
    }
  }
  const check = (bucket: string, target: Partial<Parameters<TestApp['services']['storage']['checkTrailBucket']>[1]> = {}) =>
    app.services.storage.checkTrailBucket(bucket, {
      accountId: ACCT,
      organizationId: null,
      keyPrefix: null,
      trailArn: TRAIL_ARN,
      ...target,
    });

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login(app.admin);
  });
  afterAll(async () => app?.close());

  it('rejects a missing bucket with S3BucketDoesNotExistException', async () => {
    await expect(check('no-such-trail-bucket')).rejects.toMatchObject({
      code: 'S3BucketDoesNotExistException',
      message: 'S3 bucket no-such-trail-bucket does not exist!',
    });
    await expect(check('../Bad_Name')).rejects.toMatchObject({ code: 'S3BucketDoesNotExistException' });
  });

  it('accepts the usual policy without a prefix, and refuses a bucket without a policy', async () => {
    await bucketWithPolicy('ct-plain', cloudTrailPolicy('ct-plain', [`AWSLogs/${ACCT}/*`]));
    await expect(check('ct-plain')).resolves.toMatchObject({ name: 'ct-plain' });
    await bucketWithPolicy('ct-none', null);
    await expect(check('ct-none')).rejects.toMatchObject({ code: 'InsufficientS3BucketPolicyException' });
  });

  it('requires the prefix path when the trail has a prefix', async () => {
    await bucketWithPolicy('ct-prefix', cloudTrailPolicy('ct-prefix', [`my-prefix/AWSLogs/${ACCT}/*`]));
    await expect(check('ct-prefix', { keyPrefix: 'my-prefix' })).resolves.toBeDefined();
    await expect(check('ct-prefix')).rejects.toMatchObject({ code: 'InsufficientS3BucketPolicyException' });
    await expect(check('ct-prefix', { keyPrefix: 'other' })).rejects.toMatchObject({ code: 'InsufficientS3BucketPolicyException' });
  });

  it('organization trails need the AWSLogs/<o-id>/ path', async () => {
    await bucketWithPolicy('ct-org', cloudTrailPolicy('ct-org', [`AWSLogs/${ACCT}/*`, `AWSLogs/${ORG}/*`]));
    await expect(check('ct-org', { organizationId: ORG })).resolves.toBeDefined();
    await expect(check('ct-plain', { organizationId: ORG })).rejects.toMatchObject({ code: 'InsufficientS3BucketPolicyException' });
  });

  it('checks the conditions: source ARN, source account, wrong account', async () => {
    await expect(check('ct-plain', { trailArn: `arn:aws:cloudtrail:us-east-1:${ACCT}:trail/Other` })).rejects.toMatchObject({
      code: 'InsufficientS3BucketPolicyException',
    });
    await bucketWithPolicy('ct-account', cloudTrailPolicy('ct-account', [`AWSLogs/${ACCT}/*`], { 'aws:SourceAccount': ACCT }));
    await expect(check('ct-account', { trailArn: `arn:aws:cloudtrail:us-east-1:${ACCT}:trail/Other` })).resolves.toBeDefined();
    // Another account's trail cannot use the bucket: wrong path and wrong source account.
    await expect(
      check('ct-account', { accountId: '444455556666', trailArn: 'arn:aws:cloudtrail:us-east-1:444455556666:trail/MyTrail' }),
    ).rejects.toMatchObject({ code: 'InsufficientS3BucketPolicyException' });
    const like = policyJson(
      { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 's3:GetBucketAcl', Resource: 'arn:aws:s3:::ct-like' },
      {
        Effect: 'Allow',
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:*',
        Resource: 'arn:aws:s3:::ct-like/*',
        Condition: {
          ArnLike: { 'aws:SourceArn': `arn:aws:cloudtrail:*:${ACCT}:trail/*` },
          StringLike: { 's3:x-amz-acl': 'bucket-owner-*' },
        },
      },
    );
    await bucketWithPolicy('ct-like', like);
    await expect(check('ct-like')).resolves.toBeDefined();
    await expect(check('ct-like', { trailArn: 'arn:aws:cloudtrail:us-east-1:999999999999:trail/X' })).rejects.toMatchObject({
      code: 'InsufficientS3BucketPolicyException',
    });
  });

  it('a Deny statement wins, also on one of the folders CloudTrail writes', async () => {
    const base = JSON.parse(cloudTrailPolicy('ct-deny', [`AWSLogs/${ACCT}/*`]));
    base.Statement.push({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::ct-deny/AWSLogs/${ACCT}/CloudTrail-Digest/*`,
    });
    await bucketWithPolicy('ct-deny', JSON.stringify(base));
    await expect(check('ct-deny')).rejects.toMatchObject({ code: 'InsufficientS3BucketPolicyException' });
    // A grant for log files only is not enough either: digests go elsewhere.
    await bucketWithPolicy('ct-narrow', cloudTrailPolicy('ct-narrow', [`AWSLogs/${ACCT}/CloudTrail/*`]));
    await expect(check('ct-narrow')).rejects.toMatchObject({ code: 'InsufficientS3BucketPolicyException' });
  });

  it('putServiceObject writes what the policy allows and refuses the rest with S3 codes', async () => {
    const key = `AWSLogs/${ACCT}/CloudTrail/us-east-1/2024/01/02/${ACCT}_CloudTrail_us-east-1_20240102T0000Z_abcdefghijklmnop.json.gz`;
    const body = Buffer.from([0x1f, 0x8b, 1, 2, 3]);
    await app.services.storage.putServiceObject('ct-plain', key, body, {
      source: { accountId: ACCT, arns: [TRAIL_ARN] },
      contentType: 'application/json',
      contentEncoding: 'gzip',
      metadata: { signature: 's' },
    });
    const read = await app.services.storage.readServiceObject('ct-plain', key);
    expect(read!.body.equals(body)).toBe(true);
    expect(read!.metadata).toEqual({ signature: 's' });
    expect(await app.services.storage.readServiceObject('ct-plain', 'AWSLogs/none')).toBeNull();

    await expect(
      app.services.storage.putServiceObject('ct-plain', key, body, {
        source: { accountId: ACCT, arns: ['arn:aws:cloudtrail:us-east-1:111122223333:trail/Other'] },
      }),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(
      app.services.storage.putServiceObject('ct-plain', 'AWSLogs/444455556666/CloudTrail/x.json.gz', body, {
        source: { accountId: ACCT, arns: [TRAIL_ARN] },
      }),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(
      app.services.storage.putServiceObject('ct-none', `AWSLogs/${ACCT}/x`, body, { source: { accountId: ACCT, arns: [TRAIL_ARN] } }),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(
      app.services.storage.putServiceObject('ct-deny', `AWSLogs/${ACCT}/CloudTrail-Digest/x`, body, {
        source: { accountId: ACCT, arns: [TRAIL_ARN] },
      }),
    ).rejects.toMatchObject({ code: 'AccessDenied' });
    await expect(
      app.services.storage.putServiceObject('ct-deny', `AWSLogs/${ACCT}/CloudTrail/x`, body, {
        source: { accountId: ACCT, arns: [TRAIL_ARN] },
      }),
    ).resolves.toBeUndefined();
    await expect(
      app.services.storage.putServiceObject('gone-bucket', `AWSLogs/${ACCT}/x`, body, { source: { accountId: ACCT, arns: [TRAIL_ARN] } }),
    ).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(app.services.storage.readServiceObject('gone-bucket', 'x')).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });
});
