import { createHash } from 'node:crypto';
import { OpenTrailError } from '../common/errors';
import { decodePageToken, encodePageToken } from '../common/page-token';
import type { RequestContext } from '../common/request-context';
import { tenantOf } from '../common/request-context';
import type { Database } from '../db/database';
import { type BucketPolicy, evaluateBucketPolicy, parseBucketPolicy } from './bucket-policy';
import { BucketRepository, type BucketRow, type ServiceBucketRow } from './bucket.repository';
import { compareKeys, validateBucketName, validateObjectKey } from './names';
import { GCM_OVERHEAD_BYTES } from '../crypto/aes-gcm';
import {
  DATA_KEY_HEADER,
  decryptKmsObject,
  encryptWithKms,
  isKmsEncrypted,
  type KmsEncryption,
  type ObjectKeyring,
} from './object-encryption';
import type { ObjectInfo, ObjectStore, PutObjectOptions, StoredObject } from './object-store';
import { StorageErrors } from './storage.errors';
import {
  checkQueryResultBucketPolicy,
  checkTrailBucketPolicy,
  servicePutAllowed,
  type TrailBucketTarget,
  type WriteSource,
  type WriteTenancy,
} from './trail-bucket-check';

export type { TrailBucketTarget, WriteSource } from './trail-bucket-check';

export const CLOUDTRAIL_SERVICE = 'cloudtrail.amazonaws.com';
export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

export interface BucketInfo {
  name: string;
  region: string;
  accountId: string;
  createdAt: Date;
}

export interface ObjectPage {
  objects: ObjectInfo[];
  cursors: string[];
  /** With a delimiter: the distinct key prefixes up to and including it, rolled up in place of their keys. */
  commonPrefixes: string[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** An object as S3 answers GetObject/HeadObject: the ETag is the MD5 of the bytes as stored. */
export type ReadObject = StoredObject & { eTag: string };

/** HeadObject: everything but the body. */
export type ObjectHead = Omit<ReadObject, 'body'>;

export interface ListObjectsOptions {
  prefix?: string | null;
  /** Keys with this after the prefix are rolled up into one common prefix (ListObjects' Delimiter). */
  delimiter?: string | null;
  /** Start after this key (StartAfter / Marker); a common prefix given here is skipped whole. */
  startAfter?: string | null;
  first?: number | null;
  /** An opaque cursor from a previous page; wins over startAfter. */
  after?: string | null;
}

type ListItem = { object: ObjectInfo } | { prefix: string };

export interface ServicePutOptions extends PutObjectOptions {
  /** On whose behalf the service writes (aws:SourceAccount, aws:SourceArn): decides whose grants count. */
  source: WriteSource;
  /** SSE-KMS under a customer key (trail log files with a KmsKeyId); otherwise the backend's SSE only. */
  kms?: KmsEncryption;
}

const MAX_PAGE = 1000;

/**
 * Buckets and their objects. Bucket rows live in PostgreSQL (global names, owner account,
 * policy); object bytes live in the ObjectStore. Owners act on their buckets subject to their
 * IAM policies (checked by the authorization middleware); other accounts only where the bucket
 * policy allows them; the CloudTrail service only where the bucket policy allows
 * `cloudtrail.amazonaws.com`.
 */
export class StorageService {
  constructor(
    private readonly db: Database,
    readonly objects: ObjectStore,
    /** KMS for SSE-KMS objects (src/kms); without it such objects cannot be written or read. */
    private readonly keyring: ObjectKeyring | null = null,
  ) {}

  /** CreateBucket: the name is global (BucketAlreadyExists / BucketAlreadyOwnedByYou). */
  async createBucket(ctx: RequestContext, name: string): Promise<BucketInfo> {
    validateBucketName(name);
    const accountId = ctx.caller.accountId;
    const inserted = await this.db.inTenantRaw(tenantOf(ctx), async (client) => {
      const ok = await BucketRepository.insert(client, { name, accountId, region: ctx.region });
      // Create the container inside the transaction: a failed backend leaves no row behind.
      if (ok) await this.objects.createBucket(name);
      return ok;
    });
    if (!inserted) {
      const owner = await this.find(name);
      throw owner?.accountId === accountId ? StorageErrors.bucketAlreadyOwnedByYou() : StorageErrors.bucketAlreadyExists();
    }
    const row = (await this.find(name))!;
    return toInfo(row);
  }

  /** ListBuckets: the caller account's own buckets. */
  async listBuckets(ctx: RequestContext): Promise<BucketInfo[]> {
    const rows = await this.db.inTenantRaw(tenantOf(ctx), (client) => BucketRepository.listByAccount(client, ctx.caller.accountId), {
      readOnly: true,
    });
    return rows.map(toInfo);
  }

  /** DeleteBucket: owner only, empty buckets only. */
  async deleteBucket(ctx: RequestContext, name: string): Promise<void> {
    await this.authorize(ctx, name, 's3:DeleteBucket', bucketArn(name), { ownerOnly: true });
    const { objects } = await this.objects.listObjects(name, { limit: 1 });
    if (objects.length > 0) throw StorageErrors.bucketNotEmpty();
    await this.db.inTenantRaw(tenantOf(ctx), async (client) => {
      if (!(await BucketRepository.delete(client, name, ctx.caller.accountId))) throw StorageErrors.noSuchBucket();
      await this.objects.deleteBucket(name);
    });
  }

  /** PutBucketPolicy: owner only; the document is validated (MalformedPolicy) before it is stored. */
  async putBucketPolicy(ctx: RequestContext, name: string, policyText: string): Promise<void> {
    await this.authorize(ctx, name, 's3:PutBucketPolicy', bucketArn(name), { ownerOnly: true });
    parseBucketPolicy(policyText, name);
    const document = JSON.parse(policyText) as unknown;
    const updated = await this.db.inTenantRaw(tenantOf(ctx), (client) =>
      BucketRepository.setPolicy(client, name, ctx.caller.accountId, document),
    );
    if (!updated) throw StorageErrors.noSuchBucket();
  }

  /** GetBucketPolicy: owner only; NoSuchBucketPolicy when none was put. */
  async getBucketPolicy(ctx: RequestContext, name: string): Promise<string> {
    const row = await this.authorize(ctx, name, 's3:GetBucketPolicy', bucketArn(name), { ownerOnly: true });
    if (row.policy === null) throw StorageErrors.noSuchBucketPolicy();
    return JSON.stringify(row.policy);
  }

  /**
   * ListObjectsV2 as a keyset page; `after` is an opaque cursor from a previous page. With a
   * delimiter, keys are rolled up into common prefixes, which count toward `first` as S3 counts
   * them toward MaxKeys; the cursor then names the last key or prefix returned.
   */
  async listObjects(ctx: RequestContext, name: string, opts: ListObjectsOptions): Promise<ObjectPage> {
    await this.authorize(ctx, name, 's3:ListBucket', bucketArn(name), { ownerOnly: false });
    const first = opts.first ?? 100;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw StorageErrors.invalidArgument(`first must be from 1 to ${MAX_PAGE}`);
    const prefix = opts.prefix ?? '';
    const delimiter = opts.delimiter || null;
    let start = opts.startAfter || null;
    if (opts.after) {
      start = decodePageToken(opts.after);
      if (start === null) throw StorageErrors.invalidArgument('The continuation token provided is incorrect');
    }
    // A start that is a common prefix of this listing (a previous page ended on it) skips its keys.
    const skip =
      start !== null && delimiter !== null && start.startsWith(prefix) && start.slice(prefix.length).includes(delimiter) ? start : null;
    const objects: ObjectInfo[] = [];
    const commonPrefixes: string[] = [];
    let last: string | null = null;
    let count = 0;
    let hasNextPage = false;
    for await (const item of this.walk(name, { prefix, delimiter, start, skip, limit: first + 1 })) {
      if (count === first) {
        hasNextPage = true;
        break;
      }
      count++;
      if ('object' in item) objects.push(item.object);
      else commonPrefixes.push(item.prefix);
      last = 'object' in item ? item.object.key : item.prefix;
    }
    const cursors = objects.map((o) => encodePageToken(o.key));
    return { objects, cursors, commonPrefixes, hasNextPage, endCursor: last === null ? null : encodePageToken(last) };
  }

  /**
   * The keys after `start` in S3 order, rolled up by the delimiter: each common prefix once, its
   * keys skipped (paging past them in the backend by jumping beyond the prefix's last possible key).
   */
  private async *walk(
    name: string,
    opts: { prefix: string; delimiter: string | null; start: string | null; skip: string | null; limit: number },
  ): AsyncGenerator<ListItem> {
    const { prefix, delimiter } = opts;
    let cursor = opts.start ?? undefined;
    let skip = opts.skip;
    for (;;) {
      const limit = Math.min(MAX_PAGE, opts.limit);
      const page = await this.objects.listObjects(name, { prefix: prefix || undefined, startAfter: cursor, limit });
      for (const object of page.objects) {
        cursor = object.key;
        if (skip !== null && object.key.startsWith(skip)) continue;
        const rest = object.key.slice(prefix.length);
        const at = delimiter === null ? -1 : rest.indexOf(delimiter);
        if (at >= 0) {
          skip = prefix + rest.slice(0, at + delimiter!.length);
          yield { prefix: skip };
          continue;
        }
        skip = null;
        yield { object };
      }
      if (!page.isTruncated || cursor === undefined) return;
      // Every key between the prefix and prefix + U+10FFFF (UTF-8 F4 8F BF BF) begins with it.
      const beyond = skip !== null ? `${skip}\u{10FFFF}` : null;
      if (beyond !== null && cursor.startsWith(skip!) && compareKeys(beyond, cursor) > 0) cursor = beyond;
    }
  }

  /**
   * GetObject: the bytes as written. SSE is transparent; an SSE-KMS object is decrypted only for a
   * caller allowed kms:Decrypt on its key (IAM and key policy), others get AccessDenied.
   */
  async getObject(ctx: RequestContext, name: string, key: string): Promise<ReadObject> {
    validateObjectKey(key);
    return (await this.objectReader(ctx, name))(key);
  }

  /**
   * GetObject for many keys of one bucket (validateLogs reads every file of a trail): the bucket
   * row is read and its policy parsed once, and each key is still authorized against that policy
   * before it is read. A policy changed meanwhile applies from the next reader on.
   */
  async objectReader(ctx: RequestContext, name: string): Promise<(key: string) => Promise<ReadObject>> {
    const bucket = await this.loadBucket(name);
    return async (key) => {
      validateObjectKey(key);
      this.authorizeOn(ctx, bucket, 's3:GetObject', objectArn(name, key), { ownerOnly: false });
      const object = await this.objects.getObject(name, key);
      if (!object) throw StorageErrors.noSuchKey();
      const eTag = md5(object.body);
      if (!isKmsEncrypted(object.metadata)) return { ...object, eTag };
      if (!this.keyring) throw StorageErrors.accessDenied();
      return { ...(await decryptKmsObject(this.keyring, object, { caller: ctx.caller })), eTag };
    };
  }

  /**
   * HeadObject: what GetObject would answer, without the body. Needs s3:GetObject, as in S3, but
   * not kms:Decrypt: an SSE-KMS object's size is its plaintext's (the stored blob less its
   * AES-GCM framing) and its wrapped data key is never shown.
   */
  async headObject(ctx: RequestContext, name: string, key: string): Promise<ObjectHead> {
    validateObjectKey(key);
    const bucket = await this.loadBucket(name);
    this.authorizeOn(ctx, bucket, 's3:GetObject', objectArn(name, key), { ownerOnly: false });
    const object = await this.objects.getObject(name, key);
    if (!object) throw StorageErrors.noSuchKey();
    const { body, ...head } = object;
    if (!isKmsEncrypted(object.metadata)) return { ...head, eTag: md5(body) };
    const { [DATA_KEY_HEADER]: _wrapped, ...metadata } = object.metadata;
    return { ...head, size: Math.max(0, body.length - GCM_OVERHEAD_BYTES), metadata, eTag: md5(body) };
  }

  /**
   * PutObject by a caller: the owner's principals (IAM checked by the middleware) unless the bucket
   * policy denies them, other accounts where the bucket policy allows them. Metadata names the
   * service itself uses (x-amz-*, x-opentrail-*) are refused, so a caller cannot dress an object
   * up as SSE-KMS. Returns the ETag.
   */
  async putObject(ctx: RequestContext, name: string, key: string, body: Buffer, options: PutObjectOptions = {}): Promise<string> {
    validateObjectKey(key);
    for (const metaName of Object.keys(options.metadata ?? {})) {
      if (!/^[!#$%&'*+.^_`|~0-9a-z-]{1,128}$/i.test(metaName))
        throw StorageErrors.invalidArgument(`Metadata name ${JSON.stringify(metaName.slice(0, 64))} is not a valid header name`);
      if (/^x-(amz|opentrail)-/i.test(metaName))
        throw StorageErrors.invalidArgument(`Metadata name ${JSON.stringify(metaName.slice(0, 64))} is reserved`);
    }
    await this.authorize(ctx, name, 's3:PutObject', objectArn(name, key), { ownerOnly: false });
    await this.objects.putObject(name, key, body, options);
    return md5(body);
  }

  /** DeleteObject: as PutObject decides who may; deleting a key that does not exist succeeds, as in S3. */
  async deleteObject(ctx: RequestContext, name: string, key: string): Promise<void> {
    validateObjectKey(key);
    await this.authorize(ctx, name, 's3:DeleteObject', objectArn(name, key), { ownerOnly: false });
    await this.objects.deleteObject(name, key);
  }

  /** HeadBucket: the bucket exists and the caller may list it (s3:ListBucket, as S3 decides it). */
  async headBucket(ctx: RequestContext, name: string): Promise<BucketInfo> {
    return toInfo(await this.authorize(ctx, name, 's3:ListBucket', bucketArn(name), { ownerOnly: false }));
  }

  /** GetBucketLocation: the bucket's region, for its owner and those its policy allows. */
  async getBucketLocation(ctx: RequestContext, name: string): Promise<string> {
    return (await this.authorize(ctx, name, 's3:GetBucketLocation', bucketArn(name), { ownerOnly: false })).region;
  }

  /** DeleteBucketPolicy: owner only; succeeds when there is none, as in S3. */
  async deleteBucketPolicy(ctx: RequestContext, name: string): Promise<void> {
    await this.authorize(ctx, name, 's3:DeleteBucketPolicy', bucketArn(name), { ownerOnly: true });
    const updated = await this.db.inTenantRaw(tenantOf(ctx), (client) => BucketRepository.clearPolicy(client, name, ctx.caller.accountId));
    if (!updated) throw StorageErrors.noSuchBucket();
  }

  /**
   * Checks a bucket can receive a trail's files (CreateTrail/UpdateTrail/PutInsightSelectors): it
   * exists, and its policy lets cloudtrail.amazonaws.com read its ACL and write under the trail's
   * AWSLogs path for this trail (in another tenant's bucket: only a grant naming the trail's
   * account, organization or ARN counts, trail-bucket-check.ts).
   * Throws S3BucketDoesNotExistException or InsufficientS3BucketPolicyException.
   */
  async checkTrailBucket(bucketName: string, target: TrailBucketTarget): Promise<BucketInfo> {
    const row = await this.findConfigured(bucketName, target.accountId);
    checkTrailBucketPolicy(bucketName, policyOf(row), tenancyOf(row), target);
    return toInfo(row);
  }

  /**
   * StartQuery's check of a deliveryS3Uri: the bucket exists and its policy lets the service put
   * the result files for this query (the same rule as the delivery's writes).
   * Throws S3BucketDoesNotExistException or InsufficientS3BucketPolicyException.
   */
  async checkQueryResultBucket(bucketName: string, target: { source: WriteSource; prefix: string | null }): Promise<BucketInfo> {
    const row = await this.findConfigured(bucketName, target.source.accountId);
    checkQueryResultBucketPolicy(bucketName, policyOf(row), tenancyOf(row), target);
    return toInfo(row);
  }

  /**
   * A write by the CloudTrail service itself (log files, digests, Insights files, query results),
   * on behalf of `options.source`. The bucket must still exist (NoSuchBucket) and its policy must
   * allow cloudtrail.amazonaws.com s3:PutObject on the key with the bucket-owner-full-control ACL
   * CloudTrail always sends, for that source (AccessDenied; trail-bucket-check.ts serviceMay).
   */
  async putServiceObject(bucketName: string, key: string, body: Buffer, options: ServicePutOptions): Promise<void> {
    validateObjectKey(key);
    const row = await this.findForService(bucketName, options.source.accountId);
    if (!row) throw StorageErrors.noSuchBucket();
    if (!servicePutAllowed(bucketName, key, policyOf(row), tenancyOf(row), options.source)) throw StorageErrors.accessDenied();
    const { source, kms, ...put } = options;
    if (kms) {
      if (!this.keyring) throw new OpenTrailError('KMS.NotFoundException', 'KMS is not available');
      const sealed = await encryptWithKms(this.keyring, body, { ...kms, sourceArn: source.arns[0], sourceAccount: source.accountId });
      await this.objects.putObject(bucketName, key, sealed.body, { ...put, metadata: { ...put.metadata, ...sealed.metadata } });
      return;
    }
    await this.objects.putObject(bucketName, key, body, put);
  }

  /**
   * The service's own reads (log file validation); null when the key does not exist. SSE is
   * transparent; SSE-KMS objects come back as stored (ciphertext, metadata naming the key) unless
   * `kms: 'decrypt'` asks for the plaintext (the service decrypting for itself, no caller involved;
   * with `forAccount`, on that account's behalf: another tenant's key must have encrypted it for
   * that account's trail).
   */
  async readServiceObject(
    bucketName: string,
    key: string,
    opts: { kms?: 'raw' | 'decrypt'; forAccount?: string } = {},
  ): Promise<StoredObject | null> {
    validateObjectKey(key);
    if (!(await this.find(bucketName))) throw StorageErrors.noSuchBucket();
    const object = await this.objects.getObject(bucketName, key);
    if (!object || opts.kms !== 'decrypt' || !isKmsEncrypted(object.metadata)) return object;
    if (!this.keyring) throw new OpenTrailError('KMS.NotFoundException', 'KMS is not available');
    return decryptKmsObject(this.keyring, object, opts.forAccount ? { service: true, forAccount: opts.forAccount } : { service: true });
  }

  private find(name: string): Promise<BucketRow | null> {
    return this.db.asService((client) => BucketRepository.findByName(client, name), { transaction: false });
  }

  private findForService(name: string, sourceAccountId: string): Promise<ServiceBucketRow | null> {
    return this.db.asService((client) => BucketRepository.findForService(client, name, sourceAccountId), { transaction: false });
  }

  /**
   * The bucket a resource is being configured with; S3BucketDoesNotExistException when there is
   * none. Bucket names are one namespace for all tenants (createBucket answers BucketAlreadyExists
   * for a taken name), so telling a taken name from a free one here reveals nothing more.
   */
  private async findConfigured(bucketName: string, sourceAccountId: string): Promise<ServiceBucketRow> {
    const row = /^[a-z0-9.-]{3,63}$/.test(bucketName) ? await this.findForService(bucketName, sourceAccountId) : null;
    if (!row) throw new OpenTrailError('S3BucketDoesNotExistException', `S3 bucket ${bucketName} does not exist!`);
    return row;
  }

  /**
   * The bucket, if the caller may act on it. Missing → NoSuchBucket; existing but not allowed →
   * AccessDenied (as S3 answers), never anything of its contents. The owner's own principals
   * were already checked against their IAM policies; a Deny in the bucket policy still applies to
   * them for object access. Other accounts need an Allow for their principal in the bucket policy.
   */
  private async authorize(
    ctx: RequestContext,
    name: string,
    action: string,
    resource: string,
    opts: { ownerOnly: boolean },
  ): Promise<BucketRow> {
    const bucket = await this.loadBucket(name);
    this.authorizeOn(ctx, bucket, action, resource, opts);
    return bucket.row;
  }

  /** The bucket row and its parsed policy; NoSuchBucket when it does not exist. */
  private async loadBucket(name: string): Promise<LoadedBucket> {
    validateBucketName(name);
    const row = await this.find(name);
    if (!row) throw StorageErrors.noSuchBucket();
    return { row, policy: row.policy ? parseStored(row.policy, name) : null };
  }

  /**
   * Whether the caller may act on the bucket; existing but not allowed → AccessDenied (as S3
   * answers), never anything of its contents. The owner's own principals were already checked
   * against their IAM policies; a Deny in the bucket policy still applies to them for object
   * access. Other accounts need an Allow for their principal in the bucket policy.
   */
  private authorizeOn(
    ctx: RequestContext,
    { row, policy }: LoadedBucket,
    action: string,
    resource: string,
    opts: { ownerOnly: boolean },
  ): void {
    const isOwner = row.accountId === ctx.caller.accountId;
    if (opts.ownerOnly) {
      if (!isOwner) throw StorageErrors.accessDenied();
      return;
    }
    const identity = ctx.caller.identity;
    const arns = [identity.arn, ...(identity.sessionContext ? [identity.sessionContext.sessionIssuer.arn] : [])];
    const decision = evaluateBucketPolicy(policy, {
      principal: { accountId: ctx.caller.accountId, arns },
      action,
      resource,
      context: { 'aws:PrincipalAccount': ctx.caller.accountId, 'aws:PrincipalArn': arns[arns.length - 1] },
    });
    if (decision === 'ExplicitDeny') throw StorageErrors.accessDenied();
    if (!isOwner && decision !== 'Allow') throw StorageErrors.accessDenied();
  }
}

interface LoadedBucket {
  row: BucketRow;
  policy: BucketPolicy | null;
}

function policyOf(row: ServiceBucketRow): BucketPolicy | null {
  return row.policy ? parseStored(row.policy, row.name) : null;
}

function tenancyOf(row: ServiceBucketRow): WriteTenancy {
  return { ownerAccountId: row.accountId, ownerOrganizationId: row.ownerOrganizationId, sourceOrganizationId: row.sourceOrganizationId };
}

/** Stored policies were validated when put; parsing again normalises them for evaluation. */
function parseStored(policy: unknown, bucket: string): BucketPolicy {
  return parseBucketPolicy(JSON.stringify(policy), bucket);
}

const md5 = (body: Buffer) => createHash('md5').update(body).digest('hex');

function toInfo(row: BucketRow): BucketInfo {
  return { name: row.name, region: row.region, accountId: row.accountId, createdAt: row.createdAt };
}
