import { createOrganizationWithAdmin, type TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createUserSession, policyJson } from '../helpers/iam-ops';

const Q = {
  createBucket: 'mutation($input: BucketNameInput!) { createBucket(input: $input) { bucketName region } }',
  listBuckets: 'query { listBuckets { buckets { bucketName region creationDate } } }',
  deleteBucket: 'mutation($input: BucketNameInput!) { deleteBucket(input: $input) }',
  putBucketPolicy: 'mutation($input: PutBucketPolicyInput!) { putBucketPolicy(input: $input) { bucketName } }',
  getBucketPolicy: 'query($input: BucketNameInput!) { getBucketPolicy(input: $input) { bucketName policy } }',
  listObjects:
    'query($input: ListObjectsInput!, $first: Int, $after: String) { listObjects(input: $input, first: $first, after: $after) { edges { node { key size lastModified } } pageInfo { hasNextPage endCursor } } }',
  getObject:
    'query($input: GetObjectInput!) { getObject(input: $input) { key body contentLength contentType contentEncoding metadata { key value } } }',
};
type Op = keyof typeof Q;

describe('buckets over GraphQL', () => {
  let app: TestApp;
  let tokenA: string;
  let tokenB: string;
  let b: TenantCredentials;

  async function ok(op: Op, vars: Record<string, unknown>, token: string, region?: string): Promise<any> {
    const r = await app.gql(Q[op], vars, { token, region });
    if (r.errors?.length) throw new Error(`${op}: ${JSON.stringify(r.errors)}`);
    return r.data![op];
  }
  async function fails(op: Op, vars: Record<string, unknown>, token: string): Promise<{ code: string; message: string; text: string }> {
    const r = await app.gql(Q[op], vars, { token });
    expect(r.errors).toHaveLength(1);
    expect(r.data?.[op] ?? null).toBeNull();
    return { code: String(r.errors![0].extensions?.code), message: r.errors![0].message, text: JSON.stringify(r) };
  }

  beforeAll(async () => {
    app = await startTestApp();
    tokenA = await app.login(app.admin);
    b = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B'));
    tokenB = await app.login(b);
  });
  afterAll(async () => app?.close());

  it('creates, lists and deletes a bucket with S3 naming and ownership errors', async () => {
    expect(await ok('createBucket', { input: { bucketName: 'alpha-logs' } }, tokenA, 'eu-west-1')).toEqual({
      bucketName: 'alpha-logs',
      region: 'eu-west-1',
    });
    for (const bad of ['ab', 'Upper', 'under_score', 'ends-', '192.168.5.4', 'a..b', 'a-.b', 'x'.repeat(64)]) {
      expect((await fails('createBucket', { input: { bucketName: bad } }, tokenA)).code).toBe('InvalidBucketName');
    }
    expect((await fails('createBucket', { input: { bucketName: 'alpha-logs' } }, tokenA)).code).toBe('BucketAlreadyOwnedByYou');
    expect((await fails('createBucket', { input: { bucketName: 'alpha-logs' } }, tokenB)).code).toBe('BucketAlreadyExists');

    const listed = await ok('listBuckets', {}, tokenA);
    expect(listed.buckets.map((x: any) => x.bucketName)).toEqual(['alpha-logs']);
    expect((await ok('listBuckets', {}, tokenB)).buckets).toEqual([]);

    await ok('createBucket', { input: { bucketName: 'alpha-temp' } }, tokenA);
    expect(await ok('deleteBucket', { input: { bucketName: 'alpha-temp' } }, tokenA)).toBe(true);
    expect((await fails('deleteBucket', { input: { bucketName: 'alpha-temp' } }, tokenA)).code).toBe('NoSuchBucket');
    // The name is free again, for anyone.
    await ok('createBucket', { input: { bucketName: 'alpha-temp' } }, tokenB);
  });

  it('deleteBucket refuses a bucket with objects (BucketNotEmpty)', async () => {
    await ok('createBucket', { input: { bucketName: 'alpha-full' } }, tokenA);
    await app.services.storage.objects.putObject('alpha-full', 'k', Buffer.from('x'));
    expect((await fails('deleteBucket', { input: { bucketName: 'alpha-full' } }, tokenA)).code).toBe('BucketNotEmpty');
  });

  it('puts and gets a bucket policy; malformed ones are refused', async () => {
    const policy = policyJson({
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: 'arn:aws:s3:::alpha-logs',
    });
    expect((await fails('getBucketPolicy', { input: { bucketName: 'alpha-logs' } }, tokenA)).code).toBe('NoSuchBucketPolicy');
    expect(await ok('putBucketPolicy', { input: { bucketName: 'alpha-logs', policy } }, tokenA)).toEqual({ bucketName: 'alpha-logs' });
    const got = await ok('getBucketPolicy', { input: { bucketName: 'alpha-logs' } }, tokenA);
    expect(JSON.parse(got.policy)).toEqual(JSON.parse(policy));
    for (const bad of [
      'not json',
      '[]',
      policyJson({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::alpha-logs/*' }),
      policyJson({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other-bucket/*' }),
      policyJson({ Effect: 'Allow', Principal: '*', Action: 'iam:CreateUser', Resource: 'arn:aws:s3:::alpha-logs' }),
      policyJson({
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::alpha-logs/*',
        Condition: { NumericLessThan: { 'aws:x': '1' } },
      }),
    ]) {
      expect((await fails('putBucketPolicy', { input: { bucketName: 'alpha-logs', policy: bad } }, tokenA)).code).toBe('MalformedPolicy');
    }
    expect(JSON.parse((await ok('getBucketPolicy', { input: { bucketName: 'alpha-logs' } }, tokenA)).policy)).toEqual(JSON.parse(policy));
  });

  it('lists objects as a Relay connection and returns bytes and metadata exactly', async () => {
    await ok('createBucket', { input: { bucketName: 'alpha-objects' } }, tokenA);
    const body = Buffer.from([0x1f, 0x8b, 0, 1, 2, 255]);
    for (const key of ['p/c', 'p/a', 'p/b', 'q/z']) {
      await app.services.storage.objects.putObject('alpha-objects', key, body, {
        metadata: { signature: 'sig' },
        contentType: 'application/json',
        contentEncoding: 'gzip',
      });
    }
    const keys: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await ok('listObjects', { input: { bucketName: 'alpha-objects', prefix: 'p/' }, first: 2, after }, tokenA);
      keys.push(...page.edges.map((e: any) => e.node.key));
      expect(page.edges.every((e: any) => e.node.size === body.length)).toBe(true);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(keys).toEqual(['p/a', 'p/b', 'p/c']);
    expect((await fails('listObjects', { input: { bucketName: 'alpha-objects' }, after: 'garbage!' }, tokenA)).code).toBe(
      'InvalidArgument',
    );

    const got = await ok('getObject', { input: { bucketName: 'alpha-objects', key: 'p/a' } }, tokenA);
    expect(Buffer.from(got.body, 'base64').equals(body)).toBe(true);
    expect(got).toMatchObject({
      contentLength: 6,
      contentType: 'application/json',
      contentEncoding: 'gzip',
      metadata: [{ key: 'signature', value: 'sig' }],
    });
    expect((await fails('getObject', { input: { bucketName: 'alpha-objects', key: 'nope' } }, tokenA)).code).toBe('NoSuchKey');
    expect((await fails('getObject', { input: { bucketName: 'alpha-objects', key: '../alpha-logs/x' } }, tokenA)).code).toBe(
      'InvalidObjectKey',
    );
    expect((await fails('getObject', { input: { bucketName: 'no-such-bucket-zz', key: 'k' } }, tokenA)).code).toBe('NoSuchBucket');
  });

  it('another tenant can neither list, read, delete nor put a policy on the bucket, and learns nothing of its contents', async () => {
    await ok('createBucket', { input: { bucketName: 'alpha-private' } }, tokenA);
    await app.services.storage.objects.putObject('alpha-private', 'secret/KEY-OF-A', Buffer.from('CONTENT-OF-A'));
    const attempts: Array<[Op, Record<string, unknown>]> = [
      ['listObjects', { input: { bucketName: 'alpha-private' } }],
      ['getObject', { input: { bucketName: 'alpha-private', key: 'secret/KEY-OF-A' } }],
      ['deleteBucket', { input: { bucketName: 'alpha-private' } }],
      [
        'putBucketPolicy',
        {
          input: {
            bucketName: 'alpha-private',
            policy: policyJson({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::alpha-private/*' }),
          },
        },
      ],
      ['getBucketPolicy', { input: { bucketName: 'alpha-private' } }],
    ];
    for (const [op, vars] of attempts) {
      const f = await fails(op, vars, tokenB);
      expect({ op, code: f.code }).toEqual({ op, code: 'AccessDenied' });
      expect(f.text).not.toContain('CONTENT-OF-A');
      if (op !== 'getObject') expect(f.text).not.toContain('KEY-OF-A');
    }
    // Still there, unchanged.
    expect((await ok('listObjects', { input: { bucketName: 'alpha-private' } }, tokenA)).edges).toHaveLength(1);
    expect((await fails('getBucketPolicy', { input: { bucketName: 'alpha-private' } }, tokenA)).code).toBe('NoSuchBucketPolicy');
  });

  it('a bucket policy can grant another account read access, and a Deny wins even for the owner', async () => {
    await ok('createBucket', { input: { bucketName: 'alpha-shared' } }, tokenA);
    await app.services.storage.objects.putObject('alpha-shared', 'public/a', Buffer.from('A'));
    await app.services.storage.objects.putObject('alpha-shared', 'hidden/b', Buffer.from('B'));
    const policy = policyJson(
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${b.accountId}:root` },
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::alpha-shared', 'arn:aws:s3:::alpha-shared/public/*'],
      },
      { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::alpha-shared/hidden/*' },
    );
    await ok('putBucketPolicy', { input: { bucketName: 'alpha-shared', policy } }, tokenA);
    const got = await ok('getObject', { input: { bucketName: 'alpha-shared', key: 'public/a' } }, tokenB);
    expect(Buffer.from(got.body, 'base64').toString()).toBe('A');
    expect((await ok('listObjects', { input: { bucketName: 'alpha-shared' } }, tokenB)).edges).toHaveLength(2);
    expect((await fails('getObject', { input: { bucketName: 'alpha-shared', key: 'hidden/b' } }, tokenB)).code).toBe('AccessDenied');
    expect((await fails('getObject', { input: { bucketName: 'alpha-shared', key: 'hidden/b' } }, tokenA)).code).toBe('AccessDenied');
    // Owner-only operations stay owner-only whatever the policy says.
    expect((await fails('deleteBucket', { input: { bucketName: 'alpha-shared' } }, tokenB)).code).toBe('AccessDenied');
  });

  it("the owner account's principals are subject to their IAM policies", async () => {
    const reader = await createUserSession(app, tokenA, 'bucket-reader');
    await app.gql(
      'mutation($input: PutUserPolicyInput!) { putUserPolicy(input: $input) }',
      {
        input: {
          userName: 'bucket-reader',
          policyName: 'read',
          policyDocument: policyJson({
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:ListBucket'],
            Resource: 'arn:aws:s3:::alpha-objects*',
          }),
        },
      },
      { token: tokenA },
    );
    const readerToken = await app.login(reader);
    expect((await ok('listObjects', { input: { bucketName: 'alpha-objects' } }, readerToken)).edges.length).toBeGreaterThan(0);
    expect((await fails('createBucket', { input: { bucketName: 'reader-bucket' } }, readerToken)).code).toBe('AccessDeniedException');
    expect((await fails('deleteBucket', { input: { bucketName: 'alpha-objects' } }, readerToken)).code).toBe('AccessDeniedException');
    expect((await fails('listObjects', { input: { bucketName: 'alpha-logs' } }, readerToken)).code).toBe('AccessDeniedException');
  });
});
