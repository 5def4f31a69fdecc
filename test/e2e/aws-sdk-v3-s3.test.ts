import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  NoSuchKey,
  paginateListObjectsV2,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/**
 * The npm AWS SDK v3 S3 client (issue 14) against the S3 face on loopback: path-style requests
 * the SDK signs and parses itself, with its default checksums on uploads.
 */
describe('the AWS SDK for JavaScript v3 S3 client against OpenTrail', () => {
  let app: TestApp;
  let s3: S3Client;
  let otherS3: S3Client;
  let otherAccount: string;
  const bucket = 'sdk-v3-s3-objects';

  beforeAll(async () => {
    app = await startTestApp();
    const client = (accessKeyId: string, secretAccessKey: string) =>
      new S3Client({
        endpoint: app.baseUrl,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId, secretAccessKey },
        maxAttempts: 1,
      });
    s3 = client(app.admin.accessKeyId, app.admin.secretAccessKey);
    const other = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'SDK S3 other', 'sdk-s3-other@example.com'));
    await app.login(other); // a key gains SigV4 at its first sign-in
    otherAccount = other.accountId;
    otherS3 = client(other.accessKeyId, other.secretAccessKey);
  });

  afterAll(async () => {
    s3?.destroy();
    otherS3?.destroy();
    await app?.close();
  });

  it('creates a bucket, puts, heads, gets (whole and a range), lists page by page and deletes objects', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    expect((await s3.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toContain(bucket);

    const keys = Array.from({ length: 7 }, (_, i) => `AWSLogs/logs/file-${i}.json`);
    for (const [i, key] of keys.entries()) {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: Buffer.from(`{"n":${i}}`),
          ContentType: 'application/json',
          Metadata: { n: String(i) },
        }),
      );
      expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    }

    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: keys[3] }));
    expect(head).toMatchObject({ ContentLength: 7, ContentType: 'application/json', Metadata: { n: '3' } });

    const whole = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[3] }));
    expect(await whole.Body!.transformToString()).toBe('{"n":3}');
    const range = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[3], Range: 'bytes=1-3' }));
    expect(range.ContentRange).toBe('bytes 1-3/7');
    expect(await range.Body!.transformToString()).toBe('"n"');

    const listed: string[] = [];
    let pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket: bucket, Prefix: 'AWSLogs/' })) {
      pages++;
      listed.push(...(page.Contents ?? []).map((o) => o.Key!));
    }
    expect(pages).toBe(3);
    expect(listed).toEqual([...keys].sort());

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keys[0] }));
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: keys[0] }))).rejects.toBeInstanceOf(NoSuchKey);
  });

  it("keeps another tenant out unless the bucket policy lets it in, with S3's errors", async () => {
    const refused = await otherS3.send(new GetObjectCommand({ Bucket: bucket, Key: 'AWSLogs/logs/file-1.json' })).catch((e) => e);
    expect(refused).toBeInstanceOf(S3ServiceException);
    expect({ name: refused.name, status: refused.$metadata.httpStatusCode }).toEqual({ name: 'AccessDenied', status: 403 });
    expect((await otherS3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);

    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PartnerReadsOneFile',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${otherAccount}:root` },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${bucket}/AWSLogs/logs/file-1.json`,
        },
      ],
    });
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: policy }));
    expect(JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!)).toEqual(JSON.parse(policy));
    const granted = await otherS3.send(new GetObjectCommand({ Bucket: bucket, Key: 'AWSLogs/logs/file-1.json' }));
    expect(await granted.Body!.transformToString()).toBe('{"n":1}');
    const notGranted = await otherS3.send(new GetObjectCommand({ Bucket: bucket, Key: 'AWSLogs/logs/file-2.json' })).catch((e) => e);
    expect(notGranted.name).toBe('AccessDenied');
  });
});
