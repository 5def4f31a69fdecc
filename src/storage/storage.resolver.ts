import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { SSE_HEADER, SSE_KMS_KEY_HEADER } from './object-encryption';
import type { BucketInfo } from './storage.service';
import {
  Bucket,
  BucketNameInput,
  BucketPolicyResult,
  GetObjectInput,
  GetObjectResult,
  ListBucketsResult,
  ListObjectsConnection,
  ListObjectsInput,
  PutBucketPolicyInput,
} from './storage.types';

const toBucket = (b: BucketInfo): Bucket => ({ bucketName: b.name, region: b.region, creationDate: b.createdAt });

@Resolver()
export class StorageResolver {
  @Mutation(() => Bucket, { description: 'Creates a bucket; names are global across all accounts, as in S3.' })
  async createBucket(@Arg('input', () => BucketNameInput) input: BucketNameInput, @Ctx() ctx: GraphQLContext): Promise<Bucket> {
    return toBucket(await ctx.services.storage.createBucket(requestContext(ctx), input.bucketName));
  }

  @Query(() => ListBucketsResult, { description: "The calling account's buckets." })
  async listBuckets(@Ctx() ctx: GraphQLContext): Promise<ListBucketsResult> {
    return { buckets: (await ctx.services.storage.listBuckets(requestContext(ctx))).map(toBucket) };
  }

  @Mutation(() => Boolean, { description: 'Deletes an empty bucket (owner only).' })
  async deleteBucket(@Arg('input', () => BucketNameInput) input: BucketNameInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.storage.deleteBucket(requestContext(ctx), input.bucketName);
    return true;
  }

  @Mutation(() => Bucket, { description: 'Sets the bucket policy (owner only), e.g. the one CloudTrail needs to deliver log files.' })
  async putBucketPolicy(@Arg('input', () => PutBucketPolicyInput) input: PutBucketPolicyInput, @Ctx() ctx: GraphQLContext): Promise<Pick<Bucket, 'bucketName'>> {
    await ctx.services.storage.putBucketPolicy(requestContext(ctx), input.bucketName, input.policy);
    return { bucketName: input.bucketName };
  }

  @Query(() => BucketPolicyResult, { description: 'The bucket policy (owner only).' })
  async getBucketPolicy(@Arg('input', () => BucketNameInput) input: BucketNameInput, @Ctx() ctx: GraphQLContext): Promise<BucketPolicyResult> {
    return { bucketName: input.bucketName, policy: await ctx.services.storage.getBucketPolicy(requestContext(ctx), input.bucketName) };
  }

  @Query(() => ListObjectsConnection, { description: 'Objects of a bucket in key order.' })
  async listObjects(
    @Arg('input', () => ListObjectsInput) input: ListObjectsInput,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ListObjectsConnection> {
    const page = await ctx.services.storage.listObjects(requestContext(ctx), input.bucketName, { prefix: input.prefix, first, after });
    return {
      edges: page.objects.map((o, i) => ({ node: { key: o.key, size: o.size, lastModified: o.lastModified }, cursor: page.cursors[i] })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    };
  }

  @Query(() => GetObjectResult, { description: 'An object: its bytes (base64) exactly as stored, with its metadata.' })
  async getObject(@Arg('input', () => GetObjectInput) input: GetObjectInput, @Ctx() ctx: GraphQLContext): Promise<GetObjectResult> {
    const o = await ctx.services.storage.getObject(requestContext(ctx), input.bucketName, input.key);
    return {
      key: o.key,
      body: o.body.toString('base64'),
      contentLength: o.body.length,
      contentType: o.contentType,
      contentEncoding: o.contentEncoding,
      lastModified: o.lastModified,
      metadata: Object.entries(o.metadata).map(([key, value]) => ({ key, value })),
      serverSideEncryption: o.metadata[SSE_HEADER] === 'aws:kms' ? 'aws:kms' : 'AES256',
      ssekmsKeyId: o.metadata[SSE_HEADER] === 'aws:kms' ? (o.metadata[SSE_KMS_KEY_HEADER] ?? null) : null,
    };
  }
}
