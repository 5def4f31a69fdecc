import { Field, Float, InputType, Int, ObjectType } from 'type-graphql';
import { ListPage } from '../../graphql/list-page';

/** GraphQL shapes of the import operations (spec §8.4). Statistics are longs: Float keeps them exact up to 2^53. */

@InputType()
export class S3ImportSourceInput {
  @Field(() => String, { description: 's3://<bucket>[/<prefix>]' })
  s3LocationUri!: string;

  @Field(() => String)
  s3BucketRegion!: string;

  @Field(() => String, { description: 'Recorded; access is checked against the caller’s own permissions on the bucket.' })
  s3BucketAccessRoleArn!: string;
}

@InputType()
export class ImportSourceInput {
  @Field(() => S3ImportSourceInput)
  s3!: S3ImportSourceInput;
}

@ObjectType()
export class S3ImportSource {
  @Field(() => String)
  s3LocationUri!: string;

  @Field(() => String)
  s3BucketRegion!: string;

  @Field(() => String)
  s3BucketAccessRoleArn!: string;
}

@ObjectType()
export class ImportSource {
  @Field(() => S3ImportSource)
  s3!: S3ImportSource;
}

@ObjectType()
export class ImportStatistics {
  @Field(() => Float)
  prefixesFound!: number;

  @Field(() => Float)
  prefixesCompleted!: number;

  @Field(() => Float)
  filesCompleted!: number;

  @Field(() => Float)
  eventsCompleted!: number;

  @Field(() => Float)
  failedEntries!: number;
}

@InputType()
export class StartImportInput {
  @Field(() => [String], { nullable: true, description: 'Exactly one event data store ARN (omit when retrying by importId).' })
  destinations?: string[] | null;

  @Field(() => ImportSourceInput, { nullable: true })
  importSource?: ImportSourceInput | null;

  @Field(() => Date, { nullable: true })
  startEventTime?: Date | null;

  @Field(() => Date, { nullable: true })
  endEventTime?: Date | null;

  @Field(() => String, { nullable: true, description: 'Retries a FAILED import.' })
  importId?: string | null;
}

@ObjectType()
export class Import {
  @Field(() => String)
  importId!: string;

  @Field(() => [String])
  destinations!: string[];

  @Field(() => ImportSource)
  importSource!: ImportSource;

  @Field(() => Date, { nullable: true })
  startEventTime!: Date | null;

  @Field(() => Date, { nullable: true })
  endEventTime!: Date | null;

  @Field(() => String, { description: 'INITIALIZING | IN_PROGRESS | FAILED | STOPPED | COMPLETED' })
  importStatus!: string;

  @Field(() => Date)
  createdTimestamp!: Date;

  @Field(() => Date)
  updatedTimestamp!: Date;

  @Field(() => ImportStatistics)
  importStatistics!: ImportStatistics;
}

@InputType()
export class ImportIdInput {
  @Field(() => String)
  importId!: string;
}

@InputType()
export class ListImportsInput {
  @Field(() => Int, { nullable: true })
  maxResults?: number | null;

  @Field(() => String, { nullable: true })
  destination?: string | null;

  @Field(() => String, { nullable: true })
  importStatus?: string | null;

  @Field(() => String, { nullable: true })
  nextToken?: string | null;
}

@ObjectType()
export class ImportsListItem {
  @Field(() => String)
  importId!: string;

  @Field(() => String)
  importStatus!: string;

  @Field(() => [String])
  destinations!: string[];

  @Field(() => Date)
  createdTimestamp!: Date;

  @Field(() => Date)
  updatedTimestamp!: Date;
}

@ObjectType()
export class ListImportsResult extends ListPage('imports', ImportsListItem, 'nextToken') {}

@InputType()
export class ListImportFailuresInput {
  @Field(() => String)
  importId!: string;

  @Field(() => Int, { nullable: true })
  maxResults?: number | null;

  @Field(() => String, { nullable: true })
  nextToken?: string | null;
}

@ObjectType()
export class ImportFailureListItem {
  @Field(() => String)
  location!: string;

  @Field(() => String, { description: 'FAILED | RETRY | SUCCEEDED' })
  status!: string;

  @Field(() => String)
  errorType!: string;

  @Field(() => String)
  errorMessage!: string;

  @Field(() => Date)
  lastUpdatedTime!: Date;
}

@ObjectType()
export class ListImportFailuresResult extends ListPage('failures', ImportFailureListItem, 'nextToken') {}
