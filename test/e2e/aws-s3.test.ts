import fs from 'node:fs';
import path from 'node:path';
import { AwsClients, awsKeys } from '../helpers/aws-cli';
import { waitFor } from '../helpers/delivery';
import { call, createUserSession, policyJson } from '../helpers/iam-ops';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createOrganizationWithAdmin, type TenantCredentials } from '../../src/organizations/organization-bootstrap';

jest.setTimeout(180_000);

/**
 * The S3 face (REST-XML, path-style) with the real clients: the AWS CLI v1 (`aws s3api`, `aws s3`)
 * and boto3, signing with SigV4 themselves against a server on loopback. Nothing here hand-writes
 * a request.
 */
let app: TestApp;
let clients: AwsClients;
let admin: Record<string, string>;
let tenantB: TenantCredentials;
let other: Record<string, string>;
const bucket = 's3-face-bucket';

const aws = async (args: string[], env = admin) => {
  const result = await clients.cli(args, env);
  return { ...result, json: result.code === 0 && result.stdout.trim().startsWith('{') ? JSON.parse(result.stdout) : null };
};
const ok = async (args: string[], env = admin) => {
  const result = await aws(args, env);
  if (result.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${result.stderr}`);
  return result;
};
/** `aws s3 …` (the high-level commands print text, not JSON). */
const s3 = (args: string[], env = admin) =>
  clients.python(['-m', 'awscli', 's3', ...args, '--region', 'us-east-1'], { ...env, AWS_ENDPOINT_URL: app.baseUrl });

/** boto3 from a script on stdin: `s3` is a path-style client of the endpoint; the script prints JSON. */
async function boto3(script: string, env = admin): Promise<any> {
  const prelude = [
    'import boto3, botocore.config, botocore.exceptions, json, os',
    's3 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",',
    '    config=botocore.config.Config(s3={"addressing_style": "path"}))',
    'def error_of(call):',
    '    try:',
    '        call()',
    '        return None',
    '    except botocore.exceptions.ClientError as e:',
    '        return {"Code": e.response["Error"]["Code"], "Status": e.response["ResponseMetadata"]["HTTPStatusCode"]}',
  ].join('\n');
  const result = await clients.python(['-'], { ENDPOINT: app.baseUrl, ...env }, `${prelude}\n${script}\n`);
  if (result.code !== 0) throw new Error(`boto3 script failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

async function managementEvents(eventName: string): Promise<any[]> {
  const token = await app.login(app.admin);
  const result = await app.gql(
    `{ lookupEvents(input: {lookupAttributes: [{attributeKey: EventName, attributeValue: "${eventName}"}]}, first: 50) { edges { node { cloudTrailEvent } } } }`,
    {},
    { token },
  );
  return result.data.lookupEvents.edges.map((e: any) => JSON.parse(e.node.cloudTrailEvent));
}

beforeAll(async () => {
  app = await startTestApp();
  clients = new AwsClients(app.baseUrl);
  // Path-style addressing; SigV4 for presigned URLs too (the CLI v1 presigns with SigV2 otherwise).
  fs.writeFileSync(path.join(clients.dir, 'config'), '[default]\ns3 =\n    addressing_style = path\n    signature_version = s3v4\n');
  admin = awsKeys(app.admin.accessKeyId, app.admin.secretAccessKey);
  tenantB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'b@example.com'));
  // A key made without its secret sealed gains SigV4 when it is first presented to createSession.
  await app.login(tenantB);
  other = awsKeys(tenantB.accessKeyId, tenantB.secretAccessKey);
  await ok(['s3api', 'create-bucket', '--bucket', bucket]);
  const body = path.join(clients.dir, 'body');
  for (const key of ['AWSLogs/a/one.json', 'AWSLogs/a/two.json', 'AWSLogs/b/three.json', 'AWSLogs/top.json', 'readme.txt']) {
    fs.writeFileSync(body, `contents of ${key}`);
    await ok(['s3api', 'put-object', '--bucket', bucket, '--key', key, '--body', body, '--metadata', 'origin=cli,step=setup']);
  }
});

afterAll(async () => {
  await app?.close();
  clients?.close();
});

describe('buckets', () => {
  it('lists, heads and locates buckets; puts, gets and deletes their policy', async () => {
    const listed = await ok(['s3api', 'list-buckets']);
    expect(listed.json.Buckets).toEqual([expect.objectContaining({ Name: bucket, CreationDate: expect.any(String) })]);
    expect((await ok(['s3api', 'head-bucket', '--bucket', bucket])).code).toBe(0);
    expect((await ok(['s3api', 'get-bucket-location', '--bucket', bucket])).json.LocationConstraint).toBeNull();

    const policy = policyJson({
      Sid: 'ReadForB',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${tenantB.accountId}:root` },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${bucket}/readme.txt`,
    });
    await ok(['s3api', 'put-bucket-policy', '--bucket', bucket, '--policy', policy]);
    expect(JSON.parse((await ok(['s3api', 'get-bucket-policy', '--bucket', bucket])).json.Policy)).toEqual(JSON.parse(policy));
    await ok(['s3api', 'delete-bucket-policy', '--bucket', bucket]);
    const gone = await aws(['s3api', 'get-bucket-policy', '--bucket', bucket]);
    expect(gone.stderr).toMatch(/NoSuchBucketPolicy/);

    const text = await s3(['ls']);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d ${bucket}$`, 'm'));
  });

  it("answers with S3's error codes and statuses", async () => {
    const r = await boto3(`print(json.dumps({
  "missing": error_of(lambda: s3.list_objects_v2(Bucket="no-such-bucket-here")),
  "headMissing": error_of(lambda: s3.head_bucket(Bucket="no-such-bucket-here")),
  "again": error_of(lambda: s3.create_bucket(Bucket="${bucket}")),
  "badName": error_of(lambda: s3.create_bucket(Bucket="Bad_Name")),
  "badPolicy": error_of(lambda: s3.put_bucket_policy(Bucket="${bucket}", Policy="{not json")),
  "noKey": error_of(lambda: s3.get_object(Bucket="${bucket}", Key="nothing/here")),
  "headNoKey": error_of(lambda: s3.head_object(Bucket="${bucket}", Key="nothing/here")),
  "badRange": error_of(lambda: s3.get_object(Bucket="${bucket}", Key="readme.txt", Range="bytes=9999-")),
  "badToken": error_of(lambda: s3.list_objects_v2(Bucket="${bucket}", ContinuationToken="garbage!")),
  "acl": error_of(lambda: s3.get_bucket_acl(Bucket="${bucket}")),
}))`);
    expect(r).toEqual({
      missing: { Code: 'NoSuchBucket', Status: 404 },
      headMissing: { Code: '404', Status: 404 },
      again: { Code: 'BucketAlreadyOwnedByYou', Status: 409 },
      badName: { Code: 'InvalidBucketName', Status: 400 },
      badPolicy: { Code: 'MalformedPolicy', Status: 400 },
      noKey: { Code: 'NoSuchKey', Status: 404 },
      headNoKey: { Code: '404', Status: 404 },
      badRange: { Code: 'InvalidRange', Status: 416 },
      badToken: { Code: 'InvalidArgument', Status: 400 },
      acl: { Code: 'NotImplemented', Status: 501 },
    });
  });

  it("creates a bucket in the client's region, which GetBucketLocation and HeadBucket report; another constraint is refused", async () => {
    const r = await boto3(`
eu = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], region_name="eu-west-1",
    config=botocore.config.Config(s3={"addressing_style": "path"}))
eu.create_bucket(Bucket="s3-face-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
print(json.dumps({
  "location": eu.get_bucket_location(Bucket="s3-face-eu")["LocationConstraint"],
  "head": eu.head_bucket(Bucket="s3-face-eu")["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"],
  "mismatch": error_of(lambda: eu.create_bucket(Bucket="s3-face-eu-2", CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})),
}))
eu.delete_bucket(Bucket="s3-face-eu")`);
    expect(r).toEqual({ location: 'eu-west-1', head: 'eu-west-1', mismatch: { Code: 'IllegalLocationConstraintException', Status: 400 } });
  });

  it('records bucket calls in the event history with the real client as user agent', async () => {
    const created = (await managementEvents('CreateBucket')).filter((e) => !e.errorCode);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      eventSource: 's3.amazonaws.com',
      eventName: 'CreateBucket',
      requestParameters: { input: { bucketName: bucket } },
    });
    expect(created[0].userAgent).toMatch(/^aws-cli\//);
    const refused = (await managementEvents('PutBucketPolicy')).find((e) => e.errorCode === 'MalformedPolicy');
    expect(refused?.userAgent).toMatch(/Boto3\//);
  });
});

describe('objects', () => {
  it('ListObjectsV2: prefix, delimiter with common prefixes, max-keys with continuation tokens, start-after', async () => {
    const r = await boto3(`
keys = lambda page: [o["Key"] for o in page.get("Contents", [])]
prefixes = lambda page: [p["Prefix"] for p in page.get("CommonPrefixes", [])]
top = s3.list_objects_v2(Bucket="${bucket}", Delimiter="/")
logs = s3.list_objects_v2(Bucket="${bucket}", Prefix="AWSLogs/", Delimiter="/")
pages, token = [], None
while True:
    args = {"Bucket": "${bucket}", "MaxKeys": 2}
    if token: args["ContinuationToken"] = token
    page = s3.list_objects_v2(**args)
    pages.append({"keys": keys(page), "count": page["KeyCount"], "truncated": page["IsTruncated"]})
    token = page.get("NextContinuationToken")
    if not page["IsTruncated"]: break
rolled, token = [], None
while True:
    args = {"Bucket": "${bucket}", "Prefix": "AWSLogs/", "Delimiter": "/", "MaxKeys": 1}
    if token: args["ContinuationToken"] = token
    page = s3.list_objects_v2(**args)
    rolled.append(keys(page) + prefixes(page))
    token = page.get("NextContinuationToken")
    if not page["IsTruncated"]: break
after = s3.list_objects_v2(Bucket="${bucket}", StartAfter="AWSLogs/a/two.json")
v1 = s3.list_objects(Bucket="${bucket}", Prefix="AWSLogs/", Marker="AWSLogs/a/one.json")
print(json.dumps({
  "top": [keys(top), prefixes(top)], "logs": [keys(logs), prefixes(logs)], "pages": pages, "rolled": rolled,
  "after": keys(after), "v1": keys(v1),
  "size": s3.list_objects_v2(Bucket="${bucket}", Prefix="readme")["Contents"][0]["Size"],
}))`);
    expect(r.top).toEqual([['readme.txt'], ['AWSLogs/']]);
    expect(r.logs).toEqual([['AWSLogs/top.json'], ['AWSLogs/a/', 'AWSLogs/b/']]);
    expect(r.pages).toEqual([
      { keys: ['AWSLogs/a/one.json', 'AWSLogs/a/two.json'], count: 2, truncated: true },
      { keys: ['AWSLogs/b/three.json', 'AWSLogs/top.json'], count: 2, truncated: true },
      { keys: ['readme.txt'], count: 1, truncated: false },
    ]);
    expect(r.rolled).toEqual([['AWSLogs/a/'], ['AWSLogs/b/'], ['AWSLogs/top.json']]);
    expect(r.after).toEqual(['AWSLogs/b/three.json', 'AWSLogs/top.json', 'readme.txt']);
    expect(r.v1).toEqual(['AWSLogs/a/two.json', 'AWSLogs/b/three.json', 'AWSLogs/top.json']);
    expect(r.size).toBe('contents of readme.txt'.length);
  });

  it('`aws s3 ls --recursive` and `aws s3 cp … -`; GetObject with a Range; HeadObject with the metadata', async () => {
    const listed = await s3(['ls', `s3://${bucket}/AWSLogs/`, '--recursive']);
    expect(listed.stderr).toBe('');
    expect(
      listed.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/).pop()),
    ).toEqual(['AWSLogs/a/one.json', 'AWSLogs/a/two.json', 'AWSLogs/b/three.json', 'AWSLogs/top.json']);
    const shallow = await s3(['ls', `s3://${bucket}/AWSLogs/`]);
    expect(shallow.stdout).toMatch(/PRE a\/\n\s+PRE b\/\n.* top\.json/);
    const copied = await s3(['cp', `s3://${bucket}/AWSLogs/b/three.json`, '-']);
    expect(copied).toMatchObject({ code: 0, stdout: 'contents of AWSLogs/b/three.json', stderr: '' });

    const out = path.join(clients.dir, 'ranged');
    const ranged = await ok(['s3api', 'get-object', '--bucket', bucket, '--key', 'readme.txt', '--range', 'bytes=0-7', out]);
    expect(fs.readFileSync(out, 'utf8')).toBe('contents');
    expect(ranged.json).toMatchObject({ ContentRange: `bytes 0-7/${'contents of readme.txt'.length}`, ContentLength: 8 });
    const suffix = await boto3(
      `print(json.dumps(s3.get_object(Bucket="${bucket}", Key="readme.txt", Range="bytes=-3")["Body"].read().decode()))`,
    );
    expect(suffix).toBe('txt');

    const head = await ok(['s3api', 'head-object', '--bucket', bucket, '--key', 'readme.txt']);
    expect(head.json).toMatchObject({
      ContentLength: 'contents of readme.txt'.length,
      Metadata: { origin: 'cli', step: 'setup' },
      ServerSideEncryption: 'AES256',
      ETag: expect.stringMatching(/^"[0-9a-f]{32}"$/),
    });
  });

  it('`aws s3 cp` uploads a file, and a URL from `aws s3 presign` reads it without credentials', async () => {
    const file = path.join(clients.dir, 'upload.txt');
    fs.writeFileSync(file, 'uploaded by aws s3 cp');
    const up = await s3(['cp', file, `s3://${bucket}/uploads/upload.txt`]);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const url = (await s3(['presign', `s3://${bucket}/uploads/upload.txt`, '--expires-in', '300'])).stdout.trim();
    expect(url).toContain('X-Amz-Signature=');
    const fetched = await fetch(url);
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toBe('uploaded by aws s3 cp');
    // The signature covers the key: another key with the same query string is refused.
    const other = await fetch(url.replace('upload.txt', 'upload.tx2'));
    expect(other.status).toBe(403);
    expect(await other.text()).toMatch(/<Code>SignatureDoesNotMatch<\/Code>/);
    await ok(['s3api', 'delete-object', '--bucket', bucket, '--key', 'uploads/upload.txt']);
  });

  it('PutObject and DeleteObject; a deleted key is NoSuchKey; reserved metadata names are refused', async () => {
    const r = await boto3(`
put = s3.put_object(Bucket="${bucket}", Key="tmp/x.bin", Body=b"\\x00\\x01binary", Metadata={"k": "v"}, ContentType="application/octet-stream")
got = s3.get_object(Bucket="${bucket}", Key="tmp/x.bin")
body = list(got["Body"].read())
s3.delete_object(Bucket="${bucket}", Key="tmp/x.bin")
print(json.dumps({
  "etag": put["ETag"] == got["ETag"], "body": body, "meta": got["Metadata"], "type": got["ContentType"],
  "after": error_of(lambda: s3.get_object(Bucket="${bucket}", Key="tmp/x.bin")),
  "again": s3.delete_object(Bucket="${bucket}", Key="tmp/x.bin")["ResponseMetadata"]["HTTPStatusCode"],
  "reserved": error_of(lambda: s3.put_object(Bucket="${bucket}", Key="tmp/y", Body=b"x", Metadata={"x-opentrail-kms-data-key": "AAAA"})),
}))`);
    expect(r).toEqual({
      etag: true,
      body: [0, 1, ...Buffer.from('binary')],
      meta: { k: 'v' },
      type: 'application/octet-stream',
      after: { Code: 'NoSuchKey', Status: 404 },
      again: 204,
      reserved: { Code: 'InvalidArgument', Status: 400 },
    });
  });
});

describe('self-audit', () => {
  it('records object calls as data events of s3.amazonaws.com, with the client as user agent and without the body', async () => {
    const dataEvents = async (name: string) => {
      const { rows } = await app.db.pool.query(
        `SELECT management_event, user_agent, record FROM events WHERE event_source = 's3.amazonaws.com' AND event_name = $1`,
        [name],
      );
      return rows.map((r) => ({ management: r.management_event, userAgent: r.user_agent, record: JSON.parse(r.record) }));
    };
    const gets = await waitFor('GetObject data events', async () => {
      const found = await dataEvents('GetObject');
      return found.length > 0 && found;
    });
    expect(gets.every((e) => e.management === false && e.record.eventCategory === 'Data')).toBe(true);
    expect(gets.some((e) => /^aws-cli\//.test(e.userAgent))).toBe(true);
    const puts = await dataEvents('PutObject');
    expect(puts.length).toBeGreaterThan(0);
    for (const put of puts) expect(put.record.requestParameters).not.toHaveProperty('body');
    expect(puts.some((e) => e.record.requestParameters?.key === 'readme.txt')).toBe(true);
    expect((await dataEvents('ListObjects')).length).toBeGreaterThan(0);
    expect((await dataEvents('HeadObject')).length).toBeGreaterThan(0);
  });
});

describe('authorization and tenant walls', () => {
  it("another account's key cannot list, get or put in a bucket that does not grant it, nor see it listed", async () => {
    const r = await boto3(
      `print(json.dumps({
  "buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]],
  "list": error_of(lambda: s3.list_objects_v2(Bucket="${bucket}")),
  "head": error_of(lambda: s3.head_bucket(Bucket="${bucket}")),
  "location": error_of(lambda: s3.get_bucket_location(Bucket="${bucket}")),
  "get": error_of(lambda: s3.get_object(Bucket="${bucket}", Key="readme.txt")),
  "headObject": error_of(lambda: s3.head_object(Bucket="${bucket}", Key="readme.txt")),
  "put": error_of(lambda: s3.put_object(Bucket="${bucket}", Key="AWSLogs/evil.json", Body=b"x")),
  "delete": error_of(lambda: s3.delete_object(Bucket="${bucket}", Key="readme.txt")),
  "policy": error_of(lambda: s3.get_bucket_policy(Bucket="${bucket}")),
}))`,
      other,
    );
    expect(r).toEqual({
      buckets: [],
      list: { Code: 'AccessDenied', Status: 403 },
      head: { Code: '403', Status: 403 },
      location: { Code: 'AccessDenied', Status: 403 },
      get: { Code: 'AccessDenied', Status: 403 },
      headObject: { Code: '403', Status: 403 },
      put: { Code: 'AccessDenied', Status: 403 },
      delete: { Code: 'AccessDenied', Status: 403 },
      policy: { Code: 'AccessDenied', Status: 403 },
    });
    expect((await ok(['s3api', 'head-object', '--bucket', bucket, '--key', 'readme.txt'])).code).toBe(0);
  });

  it('the bucket policy grants another account exactly what it names; a Deny in it binds the owner too', async () => {
    const policy = policyJson(
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${tenantB.accountId}:root` },
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: `arn:aws:s3:::${bucket}/shared/*`,
      },
      { Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${bucket}/AWSLogs/*` },
    );
    await ok(['s3api', 'put-bucket-policy', '--bucket', bucket, '--policy', policy]);
    const r = await boto3(
      `s3.put_object(Bucket="${bucket}", Key="shared/from-b.txt", Body=b"hello from b")
print(json.dumps({
  "read": s3.get_object(Bucket="${bucket}", Key="shared/from-b.txt")["Body"].read().decode(),
  "outside": error_of(lambda: s3.get_object(Bucket="${bucket}", Key="readme.txt")),
  "list": error_of(lambda: s3.list_objects_v2(Bucket="${bucket}", Prefix="shared/")),
  "delete": error_of(lambda: s3.delete_object(Bucket="${bucket}", Key="shared/from-b.txt")),
}))`,
      other,
    );
    expect(r).toEqual({
      read: 'hello from b',
      outside: { Code: 'AccessDenied', Status: 403 },
      list: { Code: 'AccessDenied', Status: 403 },
      delete: { Code: 'AccessDenied', Status: 403 },
    });
    const denied = await aws(['s3api', 'delete-object', '--bucket', bucket, '--key', 'AWSLogs/top.json']);
    expect(denied.stderr).toMatch(/AccessDenied/);
    await ok(['s3api', 'delete-bucket-policy', '--bucket', bucket]);
  });

  it("the owner's own users act only as their IAM policies allow", async () => {
    const adminToken = await app.login(app.admin);
    const reader = await createUserSession(app, adminToken, 's3-list-only');
    await call(
      app,
      'putUserPolicy',
      {
        userName: 's3-list-only',
        policyName: 'list',
        policyDocument: policyJson({ Effect: 'Allow', Action: ['s3:ListBucket', 's3:ListAllMyBuckets'], Resource: '*' }),
      },
      adminToken,
    );
    const r = await boto3(
      `print(json.dumps({
  "buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]],
  "keys": s3.list_objects_v2(Bucket="${bucket}", Prefix="readme")["KeyCount"],
  "get": error_of(lambda: s3.get_object(Bucket="${bucket}", Key="readme.txt")),
  "put": error_of(lambda: s3.put_object(Bucket="${bucket}", Key="readme.txt", Body=b"overwritten")),
  "policy": error_of(lambda: s3.put_bucket_policy(Bucket="${bucket}", Policy="{}")),
}))`,
      awsKeys(reader.accessKeyId, reader.secretAccessKey),
    );
    expect(r).toEqual({
      buckets: [bucket],
      keys: 1,
      get: { Code: 'AccessDenied', Status: 403 },
      put: { Code: 'AccessDenied', Status: 403 },
      policy: { Code: 'AccessDenied', Status: 403 },
    });
    const copied = await s3(['cp', `s3://${bucket}/readme.txt`, '-']);
    expect(copied.stdout).toBe('contents of readme.txt');
  });
});
