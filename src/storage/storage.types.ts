import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../graphql/page-info';
import { ListPage } from '../graphql/list-page';

@InputType()
export class BucketNameInput {
  @Field(() => String)
  bucketName!: string;
}

@InputType()
export class PutBucketPolicyInput {
  @Field(() => String)
  bucketName!: string;

  @Field(() => String, { description: 'The bucket policy as a JSON document.' })
  policy!: string;
}

@InputType()
export class ListObjectsInput {
  @Field(() => String)
  bucketName!: string;

  @Field(() => String, { nullable: true, description: 'Only keys that begin with this prefix.' })
  prefix?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Keys with this after the prefix are rolled up into one common prefix each (as S3 Delimiter).',
  })
  delimiter?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Start after this key (S3 StartAfter); a common prefix given here is skipped whole. `after` wins over it.',
  })
  startAfter?: string | null;
}

@InputType()
export class ObjectMetadataInput {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@InputType()
export class PutObjectInput {
  @Field(() => String)
  bucketName!: string;

  @Field(() => String)
  key!: string;

  @Field(() => String, { description: 'The bytes to store, base64-encoded.' })
  body!: string;

  @Field(() => String, { nullable: true })
  contentType?: string | null;

  @Field(() => String, { nullable: true })
  contentEncoding?: string | null;

  @Field(() => [ObjectMetadataInput], {
    nullable: true,
    description: 'User metadata (x-amz-meta-*); names are lowercased, x-amz-* and x-opentrail-* are reserved.',
  })
  metadata?: ObjectMetadataInput[] | null;
}

@InputType()
export class GetObjectInput {
  @Field(() => String)
  bucketName!: string;

  @Field(() => String)
  key!: string;
}

@ObjectType()
export class Bucket {
  @Field(() => String)
  bucketName!: string;

  @Field(() => String, { description: 'Region the bucket was created in.' })
  region!: string;

  @Field(() => Date)
  creationDate!: Date;
}

@ObjectType()
export class ListBucketsResult extends ListPage('buckets', Bucket, 'none') {}

@ObjectType()
export class BucketPolicyResult {
  @Field(() => String)
  bucketName!: string;

  @Field(() => String, { description: 'The bucket policy as a JSON document.' })
  policy!: string;
}

@ObjectType()
export class BucketObject {
  @Field(() => String)
  key!: string;

  @Field(() => Int)
  size!: number;

  @Field(() => Date)
  lastModified!: Date;
}

@ObjectType()
export class BucketObjectEdge {
  @Field(() => BucketObject)
  node!: BucketObject;

  @Field(() => String)
  cursor!: string;
}

@ObjectType()
export class ListObjectsConnection {
  @Field(() => [BucketObjectEdge])
  edges!: BucketObjectEdge[];

  @Field(() => [String], { description: 'With a delimiter: the common prefixes of this page, in key order.' })
  commonPrefixes!: string[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType()
export class ObjectMetadataEntry {
  @Field(() => String)
  key!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType()
export class HeadObjectResult {
  @Field(() => String)
  key!: string;

  @Field(() => String, { description: 'The MD5 of the bytes as stored, hex (S3 ETag, unquoted).' })
  eTag!: string;

  @Field(() => Int)
  contentLength!: number;

  @Field(() => String, { nullable: true })
  contentType!: string | null;

  @Field(() => String, { nullable: true })
  contentEncoding!: string | null;

  @Field(() => Date)
  lastModified!: Date;

  @Field(() => [ObjectMetadataEntry], { description: 'User metadata (x-amz-meta-*), names lowercased.' })
  metadata!: ObjectMetadataEntry[];

  @Field(() => String, { description: 'How the object is encrypted at rest, as S3 reports it: AES256 (SSE, the default) or aws:kms.' })
  serverSideEncryption!: string;

  @Field(() => String, { nullable: true, description: 'The KMS key ARN of an aws:kms object.' })
  ssekmsKeyId!: string | null;
}

/** What headObject answers, with the bytes. */
@ObjectType()
export class GetObjectResult extends HeadObjectResult {
  @Field(() => String, { description: 'The stored bytes, base64-encoded.' })
  body!: string;
}

@ObjectType()
export class PutObjectResult {
  @Field(() => String)
  key!: string;

  @Field(() => String, { description: 'The MD5 of the bytes stored, hex (S3 ETag, unquoted).' })
  eTag!: string;
}

@ObjectType()
export class BucketLocationResult {
  @Field(() => String)
  bucketName!: string;

  @Field(() => String, { description: "The bucket's region (S3 LocationConstraint; us-east-1 is S3's empty one)." })
  locationConstraint!: string;
}
