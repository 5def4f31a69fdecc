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
export class GetObjectResult {
  @Field(() => String)
  key!: string;

  @Field(() => String, { description: 'The stored bytes, base64-encoded.' })
  body!: string;

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
