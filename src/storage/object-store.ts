/**
 * One interface over object storage, two backends (filesystem, S3-compatible). Keys are S3 keys;
 * user metadata travels with the object in both backends (digest signatures live there).
 */
export interface ObjectInfo {
  key: string;
  size: number;
  lastModified: Date;
}

export interface StoredObject extends ObjectInfo {
  body: Buffer;
  metadata: Record<string, string>;
  contentType: string | null;
  contentEncoding: string | null;
}

export interface PutObjectOptions {
  metadata?: Record<string, string>;
  contentType?: string;
  contentEncoding?: string;
}

export interface ObjectStore {
  /** Creates the backend container for a bucket (idempotent). */
  createBucket(bucket: string): Promise<void>;
  /** Writes an object durably; overwrites the same key (retries rewrite the same object). */
  putObject(bucket: string, key: string, body: Buffer, options?: PutObjectOptions): Promise<void>;
  /** Null when the object does not exist. */
  getObject(bucket: string, key: string): Promise<StoredObject | null>;
  headObject(bucket: string, key: string): Promise<(ObjectInfo & { metadata: Record<string, string> }) | null>;
  /** Keys in lexicographic order after `startAfter`, at most `limit`. */
  listObjects(
    bucket: string,
    options: { prefix?: string; startAfter?: string; limit: number },
  ): Promise<{ objects: ObjectInfo[]; isTruncated: boolean }>;
  deleteObject(bucket: string, key: string): Promise<void>;
  /** Removes an empty bucket's container (idempotent); fails with BucketNotEmpty otherwise. */
  deleteBucket(bucket: string): Promise<void>;
  close(): Promise<void>;
}
