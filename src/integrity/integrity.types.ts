import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ListPage } from '../graphql/list-page';

@InputType()
export class ListPublicKeysInput {
  @Field(() => String, { nullable: true, description: 'ISO-8601 UTC; default now.' })
  startTime?: string | null;

  @Field(() => String, { nullable: true, description: 'ISO-8601 UTC; default now.' })
  endTime?: string | null;

  @Field(() => String, { nullable: true, description: 'Reserved (all keys come in one page), as in CloudTrail.' })
  nextToken?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class PublicKey {
  @Field(() => String, { description: 'Base64 of the DER-encoded PKCS#1 RSAPublicKey.' })
  value!: string;

  @Field(() => String)
  validityStartTime!: string;

  @Field(() => String)
  validityEndTime!: string;

  @Field(() => String, { description: 'Lowercase hex MD5 of the DER bytes.' })
  fingerprint!: string;
}

@ObjectType({ simpleResolvers: true })
export class ListPublicKeysResult extends ListPage('publicKeyList', PublicKey, 'nextToken', { simpleResolvers: true }) {}

@InputType()
export class ValidateLogsInput {
  @Field(() => String)
  trailArn!: string;

  @Field(() => String, { description: 'Any ISO-like time (UTC unless it names a zone).' })
  startTime!: string;

  @Field(() => String, { nullable: true, description: 'Default now.' })
  endTime?: string | null;

  @Field(() => String, { nullable: true, description: 'Validate this bucket instead of the trail’s (the trail is then not described).' })
  s3Bucket?: string | null;

  @Field(() => String, { nullable: true })
  s3Prefix?: string | null;

  @Field(() => String, { nullable: true, description: 'The account whose files to validate (required for organization trails).' })
  accountId?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Inflate and hash every log file as the AWS CLI does, ignoring the signed s3ObjectHashValue of OpenTrail's digests (same verdicts, slower). Default false.",
  })
  cloudTrailHashesOnly?: boolean | null;
}

@ObjectType({ simpleResolvers: true })
export class LogValidationResult {
  @Field(() => String, { description: 'DIGEST, LOG or GAP.' })
  kind!: string;

  @Field(() => Boolean, { description: 'Found while following the backfill digests.' })
  backfill!: boolean;

  @Field(() => String, { nullable: true })
  s3Bucket!: string | null;

  @Field(() => String, { nullable: true })
  s3Object!: string | null;

  @Field(() => Boolean)
  valid!: boolean;

  @Field(() => String, { description: 'valid, INVALID: <reason>, or the gap sentence.' })
  result!: string;

  @Field(() => String, { description: 'The line the AWS CLI prints for it.' })
  line!: string;
}

@ObjectType({ simpleResolvers: true })
export class ValidateLogsResult {
  @Field(() => String)
  trailARN!: string;

  @Field(() => String)
  startTime!: string;

  @Field(() => String)
  endTime!: string;

  @Field(() => String, { nullable: true })
  foundStartTime!: string | null;

  @Field(() => String, { nullable: true })
  foundEndTime!: string | null;

  @Field(() => Int)
  validDigests!: number;

  @Field(() => Int)
  invalidDigests!: number;

  @Field(() => Int)
  validBackfillDigests!: number;

  @Field(() => Int)
  invalidBackfillDigests!: number;

  @Field(() => Int)
  validLogFiles!: number;

  @Field(() => Int)
  invalidLogFiles!: number;

  @Field(() => Boolean, { description: 'No digest or log file is invalid.' })
  valid!: boolean;

  @Field(() => [LogValidationResult])
  results!: LogValidationResult[];

  @Field(() => String, { description: 'The summary the AWS CLI prints (from "Results requested").' })
  summary!: string;
}
