import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config';
import { FsObjectStore } from '../../src/storage/fs-object-store';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import { startS3Server, type TestS3Server } from '../helpers/s3-server';

jest.setTimeout(60_000);

const LOG = Buffer.from(JSON.stringify({ Records: [{ eventVersion: '1.11', eventSource: 'iam.amazonaws.com', eventName: 'CreateUser' }] }));

function walkFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walkFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('filesystem backend: server-side encryption at rest', () => {
  let dataDir: string;
  let store: ObjectStore;
  const file = (key: string) => path.join(dataDir, 'objects', 'sse-bucket', ...key.split('/'));

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-sse-'));
    store = createObjectStore(loadConfig({ DATA_DIR: dataDir }));
    await store.createBucket('sse-bucket');
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('stores ciphertext (no fragment of the body or metadata on disk) and reads it back transparently', async () => {
    await store.putObject('sse-bucket', 'AWSLogs/1/file.json', LOG, {
      metadata: { 'x-marker': 'metadata-value-visible?' },
      contentType: 'application/json',
    });
    const raw = fs.readFileSync(file('AWSLogs/1/file.json'));
    const text = raw.toString('latin1');
    for (const fragment of ['Records', 'eventSource', 'CreateUser', 'iam.amazonaws', 'metadata-value-visible', 'application/json', '{"']) {
      expect(text).not.toContain(fragment);
    }
    const got = await store.getObject('sse-bucket', 'AWSLogs/1/file.json');
    expect(got!.body.equals(LOG)).toBe(true);
    expect(got!.metadata).toEqual({ 'x-marker': 'metadata-value-visible?' });
    expect(got!.contentType).toBe('application/json');
    expect((await store.headObject('sse-bucket', 'AWSLogs/1/file.json'))!.size).toBe(LOG.length);
    const listed = await store.listObjects('sse-bucket', { prefix: 'AWSLogs/1/', limit: 10 });
    expect(listed.objects.map((o) => [o.key, o.size])).toEqual([['AWSLogs/1/file.json', LOG.length]]);
  });

  it('a flipped bit in the body or the header fails the read clearly', async () => {
    for (const [key, at] of [
      ['t/body', -5],
      ['t/header', 20],
    ] as const) {
      await store.putObject('sse-bucket', key, LOG);
      const raw = fs.readFileSync(file(key));
      const i = at < 0 ? raw.length + at : at;
      raw[i] ^= 0x01;
      fs.writeFileSync(file(key), raw);
      await expect(store.getObject('sse-bucket', key)).rejects.toThrow(/failed authentication/);
    }
    await expect(store.headObject('sse-bucket', 't/header')).rejects.toThrow(/failed authentication/);
  });

  it('an object file copied over another key does not open, nor does a body swapped in from an older version', async () => {
    await store.putObject('sse-bucket', 'copy/a', Buffer.from('AAAA'));
    await store.putObject('sse-bucket', 'copy/b', Buffer.from('BBBB'));
    fs.copyFileSync(file('copy/a'), file('copy/b'));
    await expect(store.getObject('sse-bucket', 'copy/b')).rejects.toThrow(/failed authentication/);

    await store.putObject('sse-bucket', 'rollback', Buffer.from('old version'));
    const old = fs.readFileSync(file('rollback'));
    await store.putObject('sse-bucket', 'rollback', Buffer.from('new version'));
    const current = fs.readFileSync(file('rollback'));
    const headerEnd = 12 + current.readUInt32BE(8);
    const oldHeaderEnd = 12 + old.readUInt32BE(8);
    fs.writeFileSync(file('rollback'), Buffer.concat([current.subarray(0, headerEnd), old.subarray(oldHeaderEnd)]));
    await expect(store.getObject('sse-bucket', 'rollback')).rejects.toThrow(/failed authentication/);
  });

  it('objects written before encryption (format v1, in the clear) stay readable; new writes are encrypted', async () => {
    const legacy = new FsObjectStore(dataDir);
    await legacy.putObject('sse-bucket', 'legacy/file', LOG, { metadata: { m: 'v' } });
    expect(fs.readFileSync(file('legacy/file')).toString('latin1')).toContain('CreateUser');
    const got = await store.getObject('sse-bucket', 'legacy/file');
    expect(got!.body.equals(LOG)).toBe(true);
    expect(got!.metadata).toEqual({ m: 'v' });
    await store.putObject('sse-bucket', 'legacy/file', LOG);
    expect(fs.readFileSync(file('legacy/file')).toString('latin1')).not.toContain('CreateUser');
    // A store without the service key refuses encrypted objects rather than returning ciphertext.
    await expect(legacy.getObject('sse-bucket', 'legacy/file')).rejects.toThrow(/encrypted/);
  });

  it('another master key cannot read the objects', async () => {
    const other = createObjectStore(loadConfig({ DATA_DIR: dataDir, MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }));
    await expect(other.getObject('sse-bucket', 'AWSLogs/1/file.json')).rejects.toThrow(/failed authentication/);
  });

  it('no plaintext anywhere under the data directory', () => {
    const files = walkFiles(path.join(dataDir, 'objects', 'sse-bucket')).filter((f) => !f.includes('legacy'));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect(fs.readFileSync(f).toString('latin1')).not.toContain('CreateUser');
  });
});

describe('S3 backend: asks the server for SSE on every write', () => {
  let s3: TestS3Server;
  let proxy: http.Server;
  const puts: Array<Record<string, string | string[] | undefined>> = [];
  let store: ObjectStore;

  beforeAll(async () => {
    s3 = await startS3Server();
    const target = new URL(s3.endpoint);
    // A recording pass-through in front of s3rver (which accepts but does not echo the SSE header).
    proxy = http.createServer((req, res) => {
      if (req.method === 'PUT') puts.push({ url: req.url, ...req.headers });
      const upstream = http.request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    store = createObjectStore(
      loadConfig({
        STORAGE_BACKEND: 's3',
        S3_ENDPOINT: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
        S3_ACCESS_KEY_ID: s3.accessKeyId,
        S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
        S3_FORCE_PATH_STYLE: 'true',
        S3_BUCKET_PREFIX: 'ot-',
      }),
    );
    await store.createBucket('sse-s3');
  });
  afterAll(async () => {
    await store?.close();
    await new Promise((r) => proxy?.close(r));
    await s3?.stop();
  });

  it('sends x-amz-server-side-encryption: AES256 with the PutObject, and reads back the same bytes', async () => {
    await store.putObject('sse-s3', 'AWSLogs/1/file.json', LOG);
    const put = puts.find((p) => String(p.url).includes('AWSLogs/1/file.json'));
    expect(put?.['x-amz-server-side-encryption']).toBe('AES256');
    expect((await store.getObject('sse-s3', 'AWSLogs/1/file.json'))!.body.equals(LOG)).toBe(true);
  });
});
