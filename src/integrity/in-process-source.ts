import { encodePageToken } from '../common/page-token';
import type { RequestContext } from '../common/request-context';
import { authorize } from '../policies/authorize';
import { bucketArn, objectArn, type StorageService } from '../storage/storage.service';
import type { TrailReadService } from '../trails/trail-read.service';
import type { SigningKeyService } from './signing-keys.service';
import type { SourceObject, SourcePublicKey, TrailLocation, ValidationSource } from './validation-source';

/**
 * validateLogs reading as the caller: every read is authorized as if the caller had made the
 * call the AWS CLI makes (spec §6.8 lists them: cloudtrail:DescribeTrails, cloudtrail:ListPublicKeys,
 * s3:ListBucket, s3:GetObject), against their IAM policies here and the bucket policy in
 * StorageService. Objects are read through StorageService, so whatever it does on read applies.
 */
export class InProcessValidationSource implements ValidationSource {
  constructor(
    private readonly ctx: RequestContext,
    private readonly deps: { storage: StorageService; trailReads: TrailReadService; signingKeys: SigningKeyService },
  ) {}

  /** One reader per bucket for the run: the bucket row and policy are read once, not per file. */
  private readonly readers = new Map<string, Promise<(key: string) => Promise<SourceObject>>>();

  private allow(action: string, resource: string): void {
    authorize(this.ctx, action, resource);
  }

  async describeTrail(trailArn: string): Promise<TrailLocation | null> {
    this.allow('cloudtrail:DescribeTrails', trailArn);
    const trails = await this.deps.trailReads.describeTrails(this.ctx, {});
    const t = trails.find((x) => x.trailArn === trailArn);
    return t
      ? { bucket: t.s3BucketName, prefix: t.s3KeyPrefix, isOrganizationTrail: t.isOrganizationTrail, organizationId: t.organizationId }
      : null;
  }

  async listKeys(bucket: string, prefix: string, startAfter: string | null): Promise<{ keys: string[]; more: boolean }> {
    this.allow('s3:ListBucket', bucketArn(bucket));
    const page = await this.deps.storage.listObjects(this.ctx, bucket, {
      prefix,
      first: 1000,
      after: startAfter === null ? null : encodePageToken(startAfter),
    });
    return { keys: page.objects.map((o) => o.key), more: page.hasNextPage };
  }

  async getObject(bucket: string, key: string): Promise<SourceObject | null> {
    this.allow('s3:GetObject', objectArn(bucket, key));
    try {
      const o = await (await this.reader(bucket))(key);
      return { body: o.body, metadata: o.metadata };
    } catch (err) {
      if ((err as { code?: string }).code === 'NoSuchKey') return null;
      throw err;
    }
  }

  private reader(bucket: string): Promise<(key: string) => Promise<SourceObject>> {
    let reader = this.readers.get(bucket);
    if (!reader) {
      reader = this.deps.storage.objectReader(this.ctx, bucket);
      // A failed lookup (NoSuchBucket) is not kept: the next file asks again, as before.
      reader.catch(() => this.readers.delete(bucket));
      this.readers.set(bucket, reader);
    }
    return reader;
  }

  async listPublicKeys(start: Date, end: Date): Promise<SourcePublicKey[]> {
    this.allow('cloudtrail:ListPublicKeys', '*');
    const keys = await this.deps.signingKeys.publicKeys(this.ctx.region, start, end);
    return keys.map((k) => ({ fingerprint: k.fingerprint, value: k.der }));
  }
}
