import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { decryptGcm, DecryptionError, encryptGcm, GCM_OVERHEAD_BYTES } from '../crypto/aes-gcm';
import { compareKeys, normalizeMetadata, validateBucketName, validateObjectKey } from './names';
import type { ObjectInfo, ObjectStore, PutObjectOptions, StoredObject } from './object-store';
import { StorageErrors } from './storage.errors';

/*
 * On-disk format: one file per object, `$DATA_DIR/objects/<bucket>/<key>`, holding a header and
 * the body, so metadata can never be out of step with the bytes it describes:
 *   v1 (no service key):  MAGIC1 | header length (uint32 BE) | header JSON | body
 *   v2 (SSE, encrypted):  MAGIC2 | header blob length (uint32 BE) | GCM(header JSON) | GCM(body)
 * v2 is server-side encryption at rest (what SSE-S3 is on S3): both parts are AES-256-GCM blobs
 * under the service key; the header's associated data is the object's bucket and key (a file
 * copied elsewhere does not open), the body's also names the header blob's IV (a body from
 * another version of the object does not open either). Readers accept both versions: objects
 * written before encryption existed stay readable as they are (README.md).
 * A write goes to a temp file in `objects/.tmp` (same filesystem; bucket names cannot start with
 * '.'), is fsynced, and is renamed over the target, then the directory is fsynced: a reader sees
 * the old object or the new one, never a partial one, and a crash leaves at most a stray temp file.
 */
const MAGIC = Buffer.from('OTOBJ01\n', 'latin1');
const MAGIC_SSE = Buffer.from('OTOBJ02\n', 'latin1');
const PREAMBLE = MAGIC.length + 4;

interface Header {
  metadata: Record<string, string>;
  contentType: string | null;
  contentEncoding: string | null;
}

export class FsObjectStore implements ObjectStore {
  private readonly root: string;
  private readonly tmpDir: string;

  /**
   * @param sseKey 32-byte service key: every object written is encrypted (format v2). Without one
   * (low-level tests only) objects are written in the clear (v1) and v2 objects cannot be read.
   */
  constructor(
    dataDir: string,
    private readonly sseKey: Buffer | null = null,
  ) {
    this.root = path.join(dataDir, 'objects');
    this.tmpDir = path.join(this.root, '.tmp');
  }

  async createBucket(bucket: string): Promise<void> {
    await fs.mkdir(this.bucketDir(bucket), { recursive: true });
  }

  async deleteBucket(bucket: string): Promise<void> {
    const dir = this.bucketDir(bucket);
    const { objects } = await this.listObjects(bucket, { limit: 1 }).catch((err) => {
      if ((err as { code?: string }).code === 'NoSuchBucket') return { objects: [] };
      throw err;
    });
    if (objects.length > 0) throw StorageErrors.bucketNotEmpty();
    // Only empty directories should remain (left behind by deleted objects). They are removed one
    // by one, never recursively: an object written meanwhile (a delivery racing the deletion) makes
    // this BucketNotEmpty instead of being deleted with the directories.
    await removeEmptyTree(dir);
  }

  async putObject(bucket: string, key: string, body: Buffer, options: PutObjectOptions = {}): Promise<void> {
    const target = this.objectPath(bucket, key);
    await this.requireBucket(bucket);
    const header: Header = {
      metadata: normalizeMetadata(options.metadata),
      contentType: options.contentType ?? null,
      contentEncoding: options.contentEncoding ?? null,
    };
    const sealed = this.seal(bucket, key, header, body);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(sealed.header.length);

    await fs.mkdir(this.tmpDir, { recursive: true });
    const dir = path.dirname(target);
    await makeKeyDirs(this.bucketDir(bucket), dir);
    const tmp = path.join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const handle = await fs.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    try {
      await handle.writev([sealed.magic, length, sealed.header, sealed.body]);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(tmp, target);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
      // The key's directory was removed by a concurrent deleteBucket: the bucket is gone.
      if (code === 'ENOENT') throw StorageErrors.noSuchBucket();
      if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
        throw StorageErrors.invalidObjectKey('objects exist below this key as a prefix (filesystem backend)');
      }
      throw err;
    }
    await syncDir(dir);
  }

  async getObject(bucket: string, key: string): Promise<StoredObject | null> {
    const file = this.objectPath(bucket, key);
    await this.requireBucket(bucket);
    let data: Buffer;
    let mtime: Date;
    try {
      const handle = await fs.open(file, 'r');
      try {
        mtime = new Date((await handle.stat()).mtimeMs);
        data = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    const { header, body } = this.unseal(bucket, key, data, file);
    return { key, size: body.length, lastModified: mtime, body, ...header };
  }

  async headObject(bucket: string, key: string): Promise<(ObjectInfo & { metadata: Record<string, string> }) | null> {
    const file = this.objectPath(bucket, key);
    await this.requireBucket(bucket);
    try {
      const { header, size, mtime } = await this.readHead(bucket, key, file);
      return { key, size, lastModified: mtime, metadata: header.metadata };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async listObjects(
    bucket: string,
    options: { prefix?: string; startAfter?: string; limit: number },
  ): Promise<{ objects: ObjectInfo[]; isTruncated: boolean }> {
    const dir = this.bucketDir(bucket);
    await this.requireBucket(bucket);
    const prefix = options.prefix ?? '';
    const startAfter = options.startAfter ?? '';
    const limit = Math.max(0, options.limit);
    const objects: ObjectInfo[] = [];
    // Start in the deepest directory the prefix names; keys elsewhere cannot match it.
    const fixed = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/') + 1) : '';
    if (fixed.split('/').some((s) => s === '..' || s === '.' || s.includes('\\') || s.includes('\0'))) {
      return { objects: [], isTruncated: false };
    }
    for await (const key of walk(dir, fixed, prefix, startAfter)) {
      if (objects.length === limit) return { objects, isTruncated: true };
      try {
        const { size, mtime } = await this.readHead(bucket, key, path.join(dir, ...key.split('/')), false);
        objects.push({ key, size, lastModified: mtime });
      } catch (err) {
        if (!isMissing(err)) throw err; // deleted while listing: skip it, as S3 would
      }
    }
    return { objects, isTruncated: false };
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const file = this.objectPath(bucket, key);
    await this.requireBucket(bucket);
    try {
      await fs.unlink(file);
    } catch (err) {
      if (!isMissing(err) && (err as NodeJS.ErrnoException).code !== 'EISDIR' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    }
  }

  async close(): Promise<void> {
    // Nothing is held open between calls.
  }

  /** The file's parts: v2 (encrypted) with a service key, v1 without. */
  private seal(bucket: string, key: string, header: Header, body: Buffer): { magic: Buffer; header: Buffer; body: Buffer } {
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    if (!this.sseKey) return { magic: MAGIC, header: headerBytes, body };
    const sealedHeader = encryptGcm(this.sseKey, headerBytes, headerAad(bucket, key));
    return { magic: MAGIC_SSE, header: sealedHeader, body: encryptGcm(this.sseKey, body, bodyAad(bucket, key, sealedHeader)) };
  }

  private unseal(bucket: string, key: string, data: Buffer, file: string): { header: Header; body: Buffer } {
    const magic = data.subarray(0, MAGIC.length);
    if (data.length < PREAMBLE || (!magic.equals(MAGIC) && !magic.equals(MAGIC_SSE))) throw notAnObject(file);
    const headerLength = data.readUInt32BE(MAGIC.length);
    const headerBytes = data.subarray(PREAMBLE, PREAMBLE + headerLength);
    const rest = data.subarray(PREAMBLE + headerLength);
    if (magic.equals(MAGIC)) return { header: JSON.parse(headerBytes.toString('utf8')) as Header, body: rest };
    const header = this.openHeader(bucket, key, headerBytes, file);
    try {
      return { header, body: decryptGcm(this.sseKey!, rest, bodyAad(bucket, key, headerBytes)) };
    } catch (err) {
      throw tampered(file, err);
    }
  }

  private openHeader(bucket: string, key: string, sealed: Buffer, file: string): Header {
    if (!this.sseKey) throw new Error(`object store: ${file} is encrypted and this store has no service key`);
    try {
      return JSON.parse(decryptGcm(this.sseKey, sealed, headerAad(bucket, key)).toString('utf8')) as Header;
    } catch (err) {
      throw tampered(file, err);
    }
  }

  /** Header and body size without reading the body; listing skips decrypting the header. */
  private async readHead(
    bucket: string,
    key: string,
    file: string,
    withHeader = true,
  ): Promise<{ header: Header; size: number; mtime: Date }> {
    const handle = await fs.open(file, 'r');
    try {
      const stat = await handle.stat();
      const pre = Buffer.alloc(PREAMBLE);
      await handle.read(pre, 0, PREAMBLE, 0);
      const magic = pre.subarray(0, MAGIC.length);
      if (!magic.equals(MAGIC) && !magic.equals(MAGIC_SSE)) throw notAnObject(file);
      const headerLength = pre.readUInt32BE(MAGIC.length);
      const encrypted = magic.equals(MAGIC_SSE);
      const size = stat.size - PREAMBLE - headerLength - (encrypted ? GCM_OVERHEAD_BYTES : 0);
      const mtime = new Date(stat.mtimeMs);
      if (!withHeader) return { header: { metadata: {}, contentType: null, contentEncoding: null }, size, mtime };
      const headerBytes = Buffer.alloc(headerLength);
      await handle.read(headerBytes, 0, headerLength, PREAMBLE);
      const header = encrypted ? this.openHeader(bucket, key, headerBytes, file) : (JSON.parse(headerBytes.toString('utf8')) as Header);
      return { header, size, mtime };
    } finally {
      await handle.close();
    }
  }

  private bucketDir(bucket: string): string {
    validateBucketName(bucket);
    return path.join(this.root, bucket);
  }

  /** Validates both names and checks the resolved path is inside the bucket directory (defence in depth). */
  private objectPath(bucket: string, key: string): string {
    const dir = this.bucketDir(bucket);
    validateObjectKey(key);
    const file = path.resolve(dir, ...key.split('/'));
    if (!file.startsWith(dir + path.sep)) throw StorageErrors.invalidObjectKey('the key resolves outside its bucket');
    return file;
  }

  private async requireBucket(bucket: string): Promise<void> {
    try {
      const stat = await fs.stat(path.join(this.root, bucket));
      if (stat.isDirectory()) return;
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
    throw StorageErrors.noSuchBucket();
  }
}

/**
 * Creates the directories of a key below its bucket's directory, never the bucket directory
 * itself: a bucket deleted meanwhile is NoSuchBucket rather than silently recreated (with the
 * object in it, for whoever creates the name next).
 */
async function makeKeyDirs(bucketDir: string, dir: string): Promise<void> {
  const prefixIsObject = () =>
    StorageErrors.invalidObjectKey('a prefix of the key is itself an object in this bucket (filesystem backend)');
  // Usually the directory exists already (one folder per day): one stat, no walk.
  const existing = await fs.stat(dir).catch(() => null);
  if (existing?.isDirectory()) return;
  let current = bucketDir;
  for (const segment of path.relative(bucketDir, dir).split(path.sep).filter(Boolean)) {
    current = path.join(current, segment);
    try {
      await fs.mkdir(current);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw StorageErrors.noSuchBucket();
      if (code === 'ENOTDIR') throw prefixIsObject();
      if (code !== 'EEXIST') throw err;
      if (!(await fs.stat(current)).isDirectory()) throw prefixIsObject();
    }
  }
}

/** Removes a tree of empty directories bottom-up; any file in it (an object) is BucketNotEmpty. */
async function removeEmptyTree(dir: string): Promise<void> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (isMissing(err)) return;
    throw err;
  }
  for (const e of entries) {
    if (!e.isDirectory()) throw StorageErrors.bucketNotEmpty();
    await removeEmptyTree(path.join(dir, e.name));
  }
  try {
    await fs.rmdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTEMPTY') throw StorageErrors.bucketNotEmpty();
    if (!isMissing(err)) throw err;
  }
}

/** Keys under `rel` (a directory relative to the bucket, '' or ending in '/') in S3 key order. */
async function* walk(bucketDir: string, rel: string, prefix: string, startAfter: string): AsyncGenerator<string> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fs.readdir(path.join(bucketDir, ...rel.split('/').filter(Boolean)), { withFileTypes: true });
  } catch (err) {
    if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return;
    throw err;
  }
  // A directory `d` holds keys `d/...`: sorting it as `d/` puts it where its keys belong.
  const items = entries
    .filter((e) => e.isDirectory() || e.isFile())
    .map((e) => ({ name: rel + e.name + (e.isDirectory() ? '/' : ''), dir: e.isDirectory() }))
    .sort((a, b) => compareKeys(a.name, b.name));
  for (const item of items) {
    if (item.dir) {
      // Skip subtrees that cannot hold a matching key, or hold only keys up to startAfter.
      if (!item.name.startsWith(prefix) && !prefix.startsWith(item.name)) continue;
      if (compareKeys(item.name, startAfter) < 0 && !startAfter.startsWith(item.name)) continue;
      yield* walk(bucketDir, item.name, prefix, startAfter);
    } else if (item.name.startsWith(prefix) && compareKeys(item.name, startAfter) > 0) {
      yield item.name;
    }
  }
}

const headerAad = (bucket: string, key: string) => `opentrail-object:v2:${bucket}/${key}:header`;
/** The header blob's IV (bytes 1..13) ties the body to the header written with it. */
const bodyAad = (bucket: string, key: string, sealedHeader: Buffer) =>
  `opentrail-object:v2:${bucket}/${key}:body:${sealedHeader.subarray(1, 13).toString('hex')}`;

function notAnObject(file: string): Error {
  return new Error(`object store: ${file} is not an OpenTrail object file`);
}

/** An encrypted object that does not authenticate: modified on disk, moved, or another key. */
export class ObjectIntegrityError extends DecryptionError {
  constructor(file: string) {
    super(`object store: ${file} failed authentication (modified on disk, copied from another key, or encrypted under another master key)`);
  }
}

function tampered(file: string, err: unknown): Error {
  return err instanceof DecryptionError ? new ObjectIntegrityError(file) : (err as Error);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}
