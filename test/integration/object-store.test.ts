import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { FsObjectStore } from '../../src/storage/fs-object-store';
import type { ObjectStore } from '../../src/storage/object-store';
import { S3ObjectStore } from '../../src/storage/s3-object-store';
import { createObjectStore } from '../../src/storage/object-store-factory';
import { loadConfig } from '../../src/config';
import { startS3Server, type TestS3Server } from '../helpers/s3-server';

/**
 * One contract, two backends: everything the rest of OpenTrail relies on from an ObjectStore
 * must hold for the filesystem and for a real S3-compatible server alike.
 */
interface Backend {
  name: string;
  setup(): Promise<ObjectStore>;
  teardown(): Promise<void>;
}

let dataDir = '';
let s3: TestS3Server | null = null;
const backends: Backend[] = [
  {
    name: 'filesystem',
    async setup() {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-fs-store-'));
      return createObjectStore(loadConfig({ DATA_DIR: dataDir }));
    },
    async teardown() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  },
  {
    name: 's3',
    async setup() {
      s3 = await startS3Server();
      const store = createObjectStore(
        loadConfig({
          STORAGE_BACKEND: 's3',
          S3_ENDPOINT: s3.endpoint,
          S3_ACCESS_KEY_ID: s3.accessKeyId,
          S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
          S3_FORCE_PATH_STYLE: 'true',
          S3_BUCKET_PREFIX: 'ot-',
        }),
      );
      expect(store).toBeInstanceOf(S3ObjectStore);
      return store;
    },
    async teardown() {
      await s3?.stop();
    },
  },
];

describe.each(backends)('ObjectStore contract: $name', (backend) => {
  let store: ObjectStore;
  const bucket = `contract-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    store = await backend.setup();
    await store.createBucket(bucket);
  });
  afterAll(async () => {
    await store.close();
    await backend.teardown();
  });

  it('creates buckets idempotently', async () => {
    await expect(store.createBucket(bucket)).resolves.toBeUndefined();
  });

  it('returns exactly the bytes, metadata, content type and encoding that were written', async () => {
    const body = Buffer.concat([randomBytes(5000), Buffer.from([0, 255, 0x1f, 0x8b])]);
    await store.putObject(bucket, 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/02/file.json.gz', body, {
      metadata: { Signature: 'abc123', 'signature-algorithm': 'SHA256withRSA' },
      contentType: 'application/json',
      contentEncoding: 'gzip',
    });
    const got = await store.getObject(bucket, 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/02/file.json.gz');
    expect(got).not.toBeNull();
    expect(got!.body.equals(body)).toBe(true);
    expect(got!.size).toBe(body.length);
    // S3 lowercases metadata names; both backends do.
    expect(got!.metadata).toEqual({ signature: 'abc123', 'signature-algorithm': 'SHA256withRSA' });
    expect(got!.contentType).toBe('application/json');
    expect(got!.contentEncoding).toBe('gzip');
    expect(Number.isNaN(got!.lastModified.getTime())).toBe(false);

    const head = await store.headObject(bucket, 'AWSLogs/111122223333/CloudTrail/us-east-1/2024/01/02/file.json.gz');
    expect(head).toMatchObject({ size: body.length, metadata: { signature: 'abc123', 'signature-algorithm': 'SHA256withRSA' } });
  });

  it('stores empty objects', async () => {
    await store.putObject(bucket, 'empty/object', Buffer.alloc(0));
    const got = await store.getObject(bucket, 'empty/object');
    expect(got!.body.length).toBe(0);
    expect(got!.metadata).toEqual({});
  });

  it('a rewrite of the same key replaces the object and its metadata', async () => {
    await store.putObject(bucket, 'rewrite/key', Buffer.from('first'), { metadata: { a: '1', b: '2' } });
    await store.putObject(bucket, 'rewrite/key', Buffer.from('second!'), { metadata: { a: '3' } });
    const got = await store.getObject(bucket, 'rewrite/key');
    expect(got!.body.toString()).toBe('second!');
    expect(got!.metadata).toEqual({ a: '3' });
    const listed = await store.listObjects(bucket, { prefix: 'rewrite/', limit: 10 });
    expect(listed.objects.map((o) => [o.key, o.size])).toEqual([['rewrite/key', 7]]);
  });

  it('returns null for a missing key and NoSuchBucket for a missing bucket', async () => {
    expect(await store.getObject(bucket, 'no/such/key')).toBeNull();
    expect(await store.headObject(bucket, 'no/such/key')).toBeNull();
    await expect(store.getObject('no-such-bucket-x1', 'k')).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(store.putObject('no-such-bucket-x1', 'k', Buffer.from('x'))).rejects.toMatchObject({ code: 'NoSuchBucket' });
    await expect(store.listObjects('no-such-bucket-x1', { limit: 5 })).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });

  it('lists keys in lexicographic (UTF-8 byte) order with prefix, startAfter and limit', async () => {
    const b = `${bucket}-list`;
    await store.createBucket(b);
    const keys = ['a/x', 'a/y/z', 'a/y0', 'b', 'a/ä', 'a/z', 'A', 'a/y/a'];
    // '-' (0x2d) sorts before '/' (0x2f): a-b comes before a/x, as in S3. s3rver walks its
    // directories instead and returns a-b after a/..., so this case is checked on the filesystem.
    if (backend.name === 'filesystem') keys.push('a-b');
    for (const k of keys) await store.putObject(b, k, Buffer.from(k));
    const expected = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));

    const all = await store.listObjects(b, { limit: 100 });
    expect(all.objects.map((o) => o.key)).toEqual(expected);
    expect(all.isTruncated).toBe(false);
    expect(all.objects.find((o) => o.key === 'a/ä')!.size).toBe(Buffer.byteLength('a/ä'));

    // Page through three at a time.
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.listObjects(b, { startAfter: after, limit: 3 });
      paged.push(...page.objects.map((o) => o.key));
      if (!page.isTruncated) break;
      after = page.objects[page.objects.length - 1].key;
    }
    expect(paged).toEqual(expected);

    const prefixed = await store.listObjects(b, { prefix: 'a/y', limit: 100 });
    expect(prefixed.objects.map((o) => o.key)).toEqual(['a/y/a', 'a/y/z', 'a/y0']);
    const afterPrefixed = await store.listObjects(b, { prefix: 'a/', startAfter: 'a/y/a', limit: 2 });
    expect(afterPrefixed.objects.map((o) => o.key)).toEqual(['a/y/z', 'a/y0']);
    expect(afterPrefixed.isTruncated).toBe(true);
    expect((await store.listObjects(b, { prefix: 'nothing', limit: 5 })).objects).toEqual([]);
  });

  it('deletes objects, then an empty bucket; refuses a non-empty bucket', async () => {
    const b = `${bucket}-del`;
    await store.createBucket(b);
    await store.putObject(b, 'x/y', Buffer.from('1'));
    await expect(store.deleteBucket(b)).rejects.toMatchObject({ code: 'BucketNotEmpty' });
    await store.deleteObject(b, 'x/y');
    await store.deleteObject(b, 'x/y'); // idempotent
    expect(await store.getObject(b, 'x/y')).toBeNull();
    expect((await store.listObjects(b, { limit: 5 })).objects).toEqual([]);
    await store.deleteBucket(b);
    await expect(store.listObjects(b, { limit: 5 })).rejects.toMatchObject({ code: 'NoSuchBucket' });
  });

  it.each(['../escape', 'a/../../escape', '/etc/passwd', 'a\\b', 'a\0b', 'a//b', 'a/./b', '..', 'trailing/', ''])(
    'rejects the key %j',
    async (key) => {
      await expect(store.putObject(bucket, key, Buffer.from('x'))).rejects.toMatchObject({ code: 'InvalidObjectKey' });
      await expect(store.getObject(bucket, key)).rejects.toMatchObject({ code: 'InvalidObjectKey' });
      await expect(store.deleteObject(bucket, key)).rejects.toMatchObject({ code: 'InvalidObjectKey' });
    },
  );

  it.each(['..', '../x', 'a/b', '.tmp', 'A-B', 'a\0b', '/abs'])('rejects the bucket name %j', async (name) => {
    await expect(store.createBucket(name)).rejects.toMatchObject({ code: 'InvalidBucketName' });
    await expect(store.putObject(name, 'k', Buffer.from('x'))).rejects.toMatchObject({ code: 'InvalidBucketName' });
  });
});

describe('filesystem backend on disk', () => {
  let dir: string;
  let store: FsObjectStore;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-fs-disk-'));
    store = new FsObjectStore(dir);
    await store.createBucket('disk-bucket');
    await store.createBucket('victim-bucket');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps each object, with its metadata, in one file at objects/<bucket>/<key>', async () => {
    await store.putObject('disk-bucket', 'p/AWSLogs/x.json.gz', Buffer.from('BODY'), { metadata: { m: 'v' } });
    const file = path.join(dir, 'objects', 'disk-bucket', 'p', 'AWSLogs', 'x.json.gz');
    const raw = fs.readFileSync(file);
    expect(raw.subarray(raw.length - 4).toString()).toBe('BODY');
    expect(raw.toString('latin1')).toContain('"m":"v"');
    // No temp file left behind after a completed write.
    expect(fs.readdirSync(path.join(dir, 'objects', '.tmp'))).toEqual([]);
  });

  it('never writes or reads outside the bucket directory, even through a crafted prefix', async () => {
    fs.writeFileSync(path.join(dir, 'objects', 'victim-bucket', 'secret'), 'SECRET');
    await expect(store.getObject('disk-bucket', '../victim-bucket/secret')).rejects.toMatchObject({ code: 'InvalidObjectKey' });
    await expect(store.putObject('disk-bucket', '../victim-bucket/secret', Buffer.from('x'))).rejects.toMatchObject({
      code: 'InvalidObjectKey',
    });
    await expect(store.deleteObject('disk-bucket', '../victim-bucket/secret')).rejects.toMatchObject({ code: 'InvalidObjectKey' });
    await expect(store.getObject('..', 'objects/victim-bucket/secret')).rejects.toMatchObject({ code: 'InvalidBucketName' });
    const listed = await store.listObjects('disk-bucket', { prefix: '../victim-bucket/', limit: 10 });
    expect(listed.objects).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'objects', 'victim-bucket', 'secret'), 'utf8')).toBe('SECRET');
  });

  it('does not follow a temp-file name into the listing', async () => {
    fs.writeFileSync(path.join(dir, 'objects', '.tmp', 'stray'), 'partial');
    const listed = await store.listObjects('disk-bucket', { limit: 10 });
    expect(listed.objects.map((o) => o.key)).toEqual(['p/AWSLogs/x.json.gz']);
  });

  it('refuses a key that would turn an object into a directory, and keeps the object', async () => {
    await store.putObject('disk-bucket', 'obj', Buffer.from('1'));
    await expect(store.putObject('disk-bucket', 'obj/child', Buffer.from('2'))).rejects.toMatchObject({ code: 'InvalidObjectKey' });
    await expect(store.putObject('disk-bucket', 'p', Buffer.from('3'))).rejects.toMatchObject({ code: 'InvalidObjectKey' });
    expect((await store.getObject('disk-bucket', 'obj'))!.body.toString()).toBe('1');
  });

  it('deleteBucket racing a write keeps the object (BucketNotEmpty), and a write into a deleted bucket does not recreate it', async () => {
    // The write lands after deleteBucket's emptiness check: the removal must not take it along.
    class WriteAfterCheck extends FsObjectStore {
      override async listObjects(bucket: string, opts: Parameters<FsObjectStore['listObjects']>[1]) {
        const page = await super.listObjects(bucket, opts);
        await this.putObject(bucket, 'AWSLogs/1/late.json.gz', Buffer.from('LATE'));
        return page;
      }
    }
    await store.createBucket('race-bucket');
    await expect(new WriteAfterCheck(dir).deleteBucket('race-bucket')).rejects.toMatchObject({ code: 'BucketNotEmpty' });
    expect((await store.getObject('race-bucket', 'AWSLogs/1/late.json.gz'))!.body.toString()).toBe('LATE');

    // A write that passed its bucket check before the bucket directory went away gets NoSuchBucket.
    await store.createBucket('gone-bucket');
    const bucketDir = path.join(dir, 'objects', 'gone-bucket');
    class DeletedAfterCheck extends FsObjectStore {
      override async putObject(bucket: string, key: string, body: Buffer) {
        const stat = fs.promises.stat;
        fs.promises.stat = (async (...args: Parameters<typeof stat>) => {
          const result = await stat(...args);
          if (String(args[0]) === bucketDir) fs.rmSync(bucketDir, { recursive: true });
          return result;
        }) as typeof stat;
        try {
          return await super.putObject(bucket, key, body);
        } finally {
          fs.promises.stat = stat;
        }
      }
    }
    await expect(new DeletedAfterCheck(dir).putObject('gone-bucket', 'AWSLogs/1/x.json.gz', Buffer.from('x'))).rejects.toMatchObject({
      code: 'NoSuchBucket',
    });
    expect(fs.existsSync(bucketDir)).toBe(false);
  });

  it('concurrent rewrites of one key leave one complete version', async () => {
    const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(200_000, i + 1));
    await Promise.all(versions.map((v) => store.putObject('disk-bucket', 'race', v, { metadata: { v: String(v[0]) } })));
    const got = await store.getObject('disk-bucket', 'race');
    const fill = got!.body[0];
    expect(got!.body.equals(Buffer.alloc(200_000, fill))).toBe(true);
    expect(got!.metadata).toEqual({ v: String(fill) });
  });
});
