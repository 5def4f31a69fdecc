import { Arg, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { OperationResource } from '../common/cloudtrail-resources';
import type { RequestContext } from '../common/request-context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import { SSE_HEADER, SSE_KMS_KEY_HEADER } from './object-encryption';
import type { BucketInfo, ObjectHead, StorageService } from './storage.service';
import {
  Bucket,
  BucketLocationResult,
  BucketNameInput,
  BucketPolicyResult,
  GetObjectInput,
  GetObjectResult,
  HeadObjectResult,
  ListBucketsResult,
  ListObjectsConnection,
  ListObjectsInput,
  PutBucketPolicyInput,
  PutObjectInput,
  PutObjectResult,
} from './storage.types';

const toBucket = (b: BucketInfo): Bucket => ({ bucketName: b.name, region: b.region, creationDate: b.createdAt });

/** S3 ARNs name the bucket (and key) only: bucket names are global. */
const byBucket: OperationResource = (args) => `arn:aws:s3:::${String(args.input?.bucketName ?? '')}`;
const byObject: OperationResource = (args) => `arn:aws:s3:::${String(args.input?.bucketName ?? '')}/${String(args.input?.key ?? '')}`;

/** The object's bytes are not copied into the audit log (CloudTrail records the request, not the body). */
const withoutBody = (args: Record<string, any>) => {
  const { body: _body, metadata: _metadata, ...rest } = (args.input ?? {}) as Record<string, unknown>;
  return rest;
};

/** HeadObject/GetObject's answer without the body. */
function headOf(o: ObjectHead): HeadObjectResult {
  return {
    key: o.key,
    eTag: o.eTag,
    contentLength: o.size,
    contentType: o.contentType,
    contentEncoding: o.contentEncoding,
    lastModified: o.lastModified,
    metadata: Object.entries(o.metadata).map(([key, value]) => ({ key, value })),
    serverSideEncryption: o.metadata[SSE_HEADER] === 'aws:kms' ? 'aws:kms' : 'AES256',
    ssekmsKeyId: o.metadata[SSE_HEADER] === 'aws:kms' ? (o.metadata[SSE_KMS_KEY_HEADER] ?? null) : null,
  };
}

// Bucket-level calls are management events; object reads are data events, as in CloudTrail.
@Resolver()
@OperationService({ eventSource: 's3.amazonaws.com', actionPrefix: 's3' })
export class StorageResolver {
  constructor(private readonly storage: StorageService) {}

  @Operation({ resource: byBucket })
  @Mutation(() => Bucket, { description: 'Creates a bucket; names are global across all accounts, as in S3.' })
  async createBucket(
    @Arg('input', () => BucketNameInput) input: BucketNameInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Bucket> {
    return toBucket(await this.storage.createBucket(request, input.bucketName));
  }

  @Operation({ action: 's3:ListAllMyBuckets' })
  @Query(() => ListBucketsResult, { description: "The calling account's buckets." })
  async listBuckets(@CallerRequest() request: RequestContext): Promise<ListBucketsResult> {
    return { buckets: (await this.storage.listBuckets(request)).map(toBucket) };
  }

  @Operation({ resource: byBucket })
  @Mutation(() => Boolean, { description: 'Deletes an empty bucket (owner only).' })
  async deleteBucket(
    @Arg('input', () => BucketNameInput) input: BucketNameInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.storage.deleteBucket(request, input.bucketName);
    return true;
  }

  @Operation({ resource: byBucket })
  @Mutation(() => Bucket, { description: 'Sets the bucket policy (owner only), e.g. the one CloudTrail needs to deliver log files.' })
  async putBucketPolicy(
    @Arg('input', () => PutBucketPolicyInput) input: PutBucketPolicyInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Pick<Bucket, 'bucketName'>> {
    await this.storage.putBucketPolicy(request, input.bucketName, input.policy);
    return { bucketName: input.bucketName };
  }

  @Operation({ resource: byBucket })
  @Query(() => BucketPolicyResult, { description: 'The bucket policy (owner only).' })
  async getBucketPolicy(
    @Arg('input', () => BucketNameInput) input: BucketNameInput,
    @CallerRequest() request: RequestContext,
  ): Promise<BucketPolicyResult> {
    return { bucketName: input.bucketName, policy: await this.storage.getBucketPolicy(request, input.bucketName) };
  }

  @Operation({ action: 's3:ListBucket', resource: byBucket, dataEvent: true })
  @Query(() => ListObjectsConnection, { description: 'Objects of a bucket in key order.' })
  async listObjects(
    @Arg('input', () => ListObjectsInput) input: ListObjectsInput,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListObjectsConnection> {
    const page = await this.storage.listObjects(request, input.bucketName, {
      prefix: input.prefix,
      delimiter: input.delimiter,
      startAfter: input.startAfter,
      first,
      after,
    });
    return {
      edges: page.objects.map((o, i) => ({ node: { key: o.key, size: o.size, lastModified: o.lastModified }, cursor: page.cursors[i] })),
      commonPrefixes: page.commonPrefixes,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }

  @Operation({ resource: byObject, dataEvent: true })
  @Query(() => GetObjectResult, { description: 'An object: its bytes (base64) exactly as stored, with its metadata.' })
  async getObject(
    @Arg('input', () => GetObjectInput) input: GetObjectInput,
    @CallerRequest() request: RequestContext,
  ): Promise<GetObjectResult> {
    const o = await this.storage.getObject(request, input.bucketName, input.key);
    return { ...headOf(o), body: o.body.toString('base64'), contentLength: o.body.length };
  }

  @Operation({ action: 's3:GetObject', resource: byObject, dataEvent: true })
  @Query(() => HeadObjectResult, { description: 'What getObject answers, without the body; needs s3:GetObject but not kms:Decrypt.' })
  async headObject(
    @Arg('input', () => GetObjectInput) input: GetObjectInput,
    @CallerRequest() request: RequestContext,
  ): Promise<HeadObjectResult> {
    return headOf(await this.storage.headObject(request, input.bucketName, input.key));
  }

  @Operation({ resource: byObject, dataEvent: true, auditRequest: withoutBody })
  @Mutation(() => PutObjectResult, { description: 'Writes an object where IAM and the bucket policy allow it.' })
  async putObject(
    @Arg('input', () => PutObjectInput) input: PutObjectInput,
    @CallerRequest() request: RequestContext,
  ): Promise<PutObjectResult> {
    const metadata = Object.fromEntries((input.metadata ?? []).map((m) => [m.key, m.value]));
    const eTag = await this.storage.putObject(request, input.bucketName, input.key, Buffer.from(input.body, 'base64'), {
      metadata,
      contentType: input.contentType ?? undefined,
      contentEncoding: input.contentEncoding ?? undefined,
    });
    return { key: input.key, eTag };
  }

  @Operation({ resource: byObject, dataEvent: true })
  @Mutation(() => Boolean, { description: 'Deletes an object where IAM and the bucket policy allow it; a missing key is no error.' })
  async deleteObject(
    @Arg('input', () => GetObjectInput) input: GetObjectInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.storage.deleteObject(request, input.bucketName, input.key);
    return true;
  }

  @Operation({ action: 's3:ListBucket', resource: byBucket })
  @Query(() => Bucket, { description: 'The bucket, if it exists and the caller may list it (S3 HeadBucket).' })
  async headBucket(@Arg('input', () => BucketNameInput) input: BucketNameInput, @CallerRequest() request: RequestContext): Promise<Bucket> {
    return toBucket(await this.storage.headBucket(request, input.bucketName));
  }

  @Operation({ resource: byBucket })
  @Query(() => BucketLocationResult, { description: "The bucket's region." })
  async getBucketLocation(
    @Arg('input', () => BucketNameInput) input: BucketNameInput,
    @CallerRequest() request: RequestContext,
  ): Promise<BucketLocationResult> {
    return { bucketName: input.bucketName, locationConstraint: await this.storage.getBucketLocation(request, input.bucketName) };
  }

  @Operation({ resource: byBucket })
  @Mutation(() => Boolean, { description: 'Removes the bucket policy (owner only); no error when there is none.' })
  async deleteBucketPolicy(
    @Arg('input', () => BucketNameInput) input: BucketNameInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.storage.deleteBucketPolicy(request, input.bucketName);
    return true;
  }
}
