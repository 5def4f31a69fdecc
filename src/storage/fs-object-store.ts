import { randomBytes } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { compareKeys, normalizeMetadata, validateBucketName, validateObjectKey } from './names';
import type { ObjectInfo, ObjectStore, PutObjectOptions, StoredObject } from './object-store';
import { StorageErrors } from './storage.errors';

/*
 * On-disk format: one file per object, `$DATA_DIR/objects/<bucket>/<key>`, holding a header and
 * the body, so metadata can never be out of step with the bytes it describes:
 *   MAGIC (8 bytes) | header length (uint32 BE) | header JSON | body
 * A write goes to a temp file in `objects/.tmp` (same filesystem; bucket names cannot start with
 * '.'), is fsynced, and is renamed over the target, then the directory is fsynced: a reader sees
 * the old object or the new one, never a partial one, and a crash leaves at most a stray temp file.
 */
const MAGIC = Buffer.from('OTOBJ01\n', 'latin1');
const PREAMBLE = MAGIC.length + 4;

interface Header {
  metadata: Record<string, string>;
  contentType: string | null;
  contentEncoding: string | null;
}

export class FsObjectStore implements ObjectStore {
  private readonly root: string;
  private readonly tmpDir: string;

  constructor(dataDir: string) {
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
    // Only empty directories remain (left behind by deleted objects).
    await fs.rm(dir, { recursive: true, force: true });
  }

  async putObject(bucket: string, key: string, body: Buffer, options: PutObjectOptions = {}): Promise<void> {
    const target = this.objectPath(bucket, key);
    await this.requireBucket(bucket);
    const header: Header = {
      metadata: normalizeMetadata(options.metadata),
      contentType: options.contentType ?? null,
      contentEncoding: options.contentEncoding ?? null,
    };
    const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(headerBytes.length);

    await fs.mkdir(this.tmpDir, { recursive: true });
    const dir = path.dirname(target);
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOTDIR' || (err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw StorageErrors.invalidObjectKey('a prefix of the key is itself an object in this bucket (filesystem backend)');
      }
      throw err;
    }
    const tmp = path.join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}`);
    const handle = await fs.open(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
    try {
      await handle.writev([MAGIC, length, headerBytes, body]);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(tmp, target);
    } catch (err) {
      await fs.rm(tmp, { force: true });
      const code = (err as NodeJS.ErrnoException).code;
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
    const { header, bodyOffset } = parseHeader(data, file);
    const body = data.subarray(bodyOffset);
    return { key, size: body.length, lastModified: mtime, body, ...header };
  }

  async headObject(bucket: string, key: string): Promise<(ObjectInfo & { metadata: Record<string, string> }) | null> {
    const file = this.objectPath(bucket, key);
    await this.requireBucket(bucket);
    try {
      const { header, size, mtime } = await readHead(file);
      return { key, size, lastModified: mtime, metadata: header.metadata };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  async listObjects(bucket: string, options: { prefix?: string; startAfter?: string; limit: number }): Promise<{ objects: ObjectInfo[]; isTruncated: boolean }> {
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
        const { size, mtime } = await readHead(path.join(dir, ...key.split('/')));
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

function parseHeader(data: Buffer, file: string): { header: Header; bodyOffset: number } {
  if (data.length < PREAMBLE || !data.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error(`object store: ${file} is not an OpenTrail object file`);
  }
  const headerLength = data.readUInt32BE(MAGIC.length);
  const header = JSON.parse(data.subarray(PREAMBLE, PREAMBLE + headerLength).toString('utf8')) as Header;
  return { header, bodyOffset: PREAMBLE + headerLength };
}

/** Header and body size without reading the body. */
async function readHead(file: string): Promise<{ header: Header; size: number; mtime: Date }> {
  const handle = await fs.open(file, 'r');
  try {
    const stat = await handle.stat();
    const pre = Buffer.alloc(PREAMBLE);
    await handle.read(pre, 0, PREAMBLE, 0);
    if (!pre.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error(`object store: ${file} is not an OpenTrail object file`);
    const headerLength = pre.readUInt32BE(MAGIC.length);
    const headerBytes = Buffer.alloc(headerLength);
    await handle.read(headerBytes, 0, headerLength, PREAMBLE);
    return { header: JSON.parse(headerBytes.toString('utf8')) as Header, size: stat.size - PREAMBLE - headerLength, mtime: new Date(stat.mtimeMs) };
  } finally {
    await handle.close();
  }
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
