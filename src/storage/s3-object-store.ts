import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { normalizeMetadata, validateBucketName, validateObjectKey } from './names';
import type { ObjectInfo, ObjectStore, PutObjectOptions, StoredObject } from './object-store';
import { StorageErrors } from './storage.errors';

export interface S3StoreOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  /** Physical bucket = prefix + logical bucket name. */
  bucketPrefix: string;
}

/**
 * Any S3-compatible service. The logical bucket `b` lives in the physical bucket
 * `<bucketPrefix>b`; user metadata travels as x-amz-meta-* headers; every PutObject asks for
 * SSE-S3. Keys are validated like the filesystem backend's so both accept the same keys.
 */
export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;

  constructor(private readonly options: S3StoreOptions) {
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // Many S3-compatible services do not implement the newer flexible checksums; send and
      // validate them only where the API requires them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  async createBucket(bucket: string): Promise<void> {
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.physical(bucket) }));
    } catch (err) {
      // Idempotent: a bucket we created before (maybe by an earlier, crashed request) is fine.
      if (errorName(err) === 'BucketAlreadyOwnedByYou') return;
      if (errorName(err) === 'BucketAlreadyExists' && (await this.bucketExists(bucket))) return;
      throw mapError(err);
    }
  }

  async deleteBucket(bucket: string): Promise<void> {
    try {
      await this.client.send(new DeleteBucketCommand({ Bucket: this.physical(bucket) }));
    } catch (err) {
      if (errorName(err) === 'NoSuchBucket') return;
      throw mapError(err);
    }
  }

  async putObject(bucket: string, key: string, body: Buffer, options: PutObjectOptions = {}): Promise<void> {
    validateObjectKey(key);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.physical(bucket),
          Key: key,
          Body: body,
          ContentLength: body.length,
          Metadata: normalizeMetadata(options.metadata),
          ContentType: options.contentType,
          ContentEncoding: options.contentEncoding,
          ServerSideEncryption: 'AES256',
        }),
      );
    } catch (err) {
      throw mapError(err);
    }
  }

  async getObject(bucket: string, key: string): Promise<StoredObject | null> {
    validateObjectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.physical(bucket), Key: key }));
      const body = Buffer.from(res.Body ? await res.Body.transformToByteArray() : new Uint8Array());
      return {
        key,
        size: body.length,
        lastModified: res.LastModified ?? new Date(0),
        body,
        metadata: lowerKeys(res.Metadata),
        contentType: res.ContentType ?? null,
        contentEncoding: res.ContentEncoding ?? null,
      };
    } catch (err) {
      if (errorName(err) === 'NoSuchKey') return null;
      throw mapError(err);
    }
  }

  async headObject(bucket: string, key: string): Promise<(ObjectInfo & { metadata: Record<string, string> }) | null> {
    validateObjectKey(key);
    try {
      const res = await this.client.send(new HeadObjectCommand({ Bucket: this.physical(bucket), Key: key }));
      return { key, size: res.ContentLength ?? 0, lastModified: res.LastModified ?? new Date(0), metadata: lowerKeys(res.Metadata) };
    } catch (err) {
      // HEAD responses have no body: a missing key is a bare 404 "NotFound".
      if (errorName(err) === 'NotFound' || errorName(err) === 'NoSuchKey') {
        if (!(await this.bucketExists(bucket))) throw StorageErrors.noSuchBucket();
        return null;
      }
      throw mapError(err);
    }
  }

  async listObjects(
    bucket: string,
    options: { prefix?: string; startAfter?: string; limit: number },
  ): Promise<{ objects: ObjectInfo[]; isTruncated: boolean }> {
    const objects: ObjectInfo[] = [];
    let startAfter = options.startAfter || undefined;
    // A server may return fewer keys than asked for per page, so pages are followed. Each page
    // starts after the last key seen (StartAfter) rather than from a continuation token: the
    // same keys, without depending on opaque server state that some S3-compatible services
    // implement badly.
    for (;;) {
      let res;
      try {
        res = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.physical(bucket),
            Prefix: options.prefix || undefined,
            StartAfter: startAfter,
            MaxKeys: Math.max(1, Math.min(1000, options.limit - objects.length + 1)),
          }),
        );
      } catch (err) {
        throw mapError(err);
      }
      const contents = res.Contents ?? [];
      for (const o of contents) {
        if (objects.length === options.limit) return { objects, isTruncated: true };
        objects.push({ key: o.Key ?? '', size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) });
      }
      if (!res.IsTruncated || contents.length === 0) return { objects, isTruncated: false };
      startAfter = contents[contents.length - 1].Key;
    }
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    validateObjectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.physical(bucket), Key: key }));
    } catch (err) {
      throw mapError(err);
    }
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  private physical(bucket: string): string {
    validateBucketName(bucket);
    return `${this.options.bucketPrefix}${bucket}`;
  }

  private async bucketExists(bucket: string): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.physical(bucket) }));
      return true;
    } catch (err) {
      if (errorName(err) === 'NotFound' || errorName(err) === 'NoSuchBucket') return false;
      throw mapError(err);
    }
  }
}

function errorName(err: unknown): string {
  return err instanceof S3ServiceException
    ? err.name
    : ((err as { name?: string; Code?: string }).Code ?? (err as { name?: string }).name ?? '');
}

/** S3 errors keep their S3 code (the delivery worker records it); the rest propagate as they are. */
function mapError(err: unknown): unknown {
  const name = errorName(err);
  if (name === 'NoSuchBucket') return StorageErrors.noSuchBucket();
  if (name === 'AccessDenied') return StorageErrors.accessDenied();
  if (name === 'BucketNotEmpty') return StorageErrors.bucketNotEmpty();
  return err;
}

function lowerKeys(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(metadata ?? {})) out[k.toLowerCase()] = v;
  return out;
}
