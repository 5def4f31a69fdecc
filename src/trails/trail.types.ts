import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ListPage } from '../graphql/list-page';

/** GraphQL shapes of the trail operations: CloudTrail's field names in lower camel case (spec §4.9). */

@InputType({ description: 'A resource tag (key 1-128 characters; value up to 256).' })
export class TagInput {
  @Field(() => String)
  key!: string;

  @Field(() => String, { nullable: true })
  value?: string | null;
}

@ObjectType()
export class Tag {
  @Field(() => String)
  key!: string;

  @Field(() => String, { nullable: true })
  value!: string | null;
}

@ObjectType({ description: 'A trail. Optional settings that are not configured are null.' })
export class Trail {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  s3BucketName!: string;

  @Field(() => String, { nullable: true })
  s3KeyPrefix!: string | null;

  @Field(() => String, { nullable: true, deprecationReason: 'Use snsTopicARN.' })
  snsTopicName!: string | null;

  @Field(() => String, { nullable: true })
  snsTopicARN!: string | null;

  @Field(() => Boolean)
  includeGlobalServiceEvents!: boolean;

  @Field(() => Boolean)
  isMultiRegionTrail!: boolean;

  @Field(() => String)
  homeRegion!: string;

  @Field(() => String)
  trailARN!: string;

  @Field(() => Boolean)
  logFileValidationEnabled!: boolean;

  @Field(() => String, { nullable: true })
  cloudWatchLogsLogGroupArn!: string | null;

  @Field(() => String, { nullable: true })
  cloudWatchLogsRoleArn!: string | null;

  @Field(() => String, { nullable: true })
  kmsKeyId!: string | null;

  @Field(() => Boolean)
  hasCustomEventSelectors!: boolean;

  @Field(() => Boolean)
  hasInsightSelectors!: boolean;

  @Field(() => Boolean)
  isOrganizationTrail!: boolean;
}

@InputType()
export class CreateTrailInput {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  s3BucketName!: string;

  @Field(() => String, { nullable: true })
  s3KeyPrefix?: string | null;

  @Field(() => String, { nullable: true, description: 'Topic name or ARN.' })
  snsTopicName?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  includeGlobalServiceEvents?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  isMultiRegionTrail?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  enableLogFileValidation?: boolean | null;

  @Field(() => String, { nullable: true })
  cloudWatchLogsLogGroupArn?: string | null;

  @Field(() => String, { nullable: true })
  cloudWatchLogsRoleArn?: string | null;

  @Field(() => String, { nullable: true, description: 'Key id, key ARN, alias/<name> or alias ARN; returned as an ARN.' })
  kmsKeyId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false.' })
  isOrganizationTrail?: boolean | null;

  @Field(() => [TagInput], { nullable: true })
  tagsList?: TagInput[] | null;
}

@InputType({ description: 'Only the fields given change; an empty string clears an optional setting.' })
export class UpdateTrailInput {
  @Field(() => String, { description: 'Trail name or ARN.' })
  name!: string;

  @Field(() => String, { nullable: true })
  s3BucketName?: string | null;

  @Field(() => String, { nullable: true })
  s3KeyPrefix?: string | null;

  @Field(() => String, { nullable: true })
  snsTopicName?: string | null;

  @Field(() => Boolean, { nullable: true })
  includeGlobalServiceEvents?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  isMultiRegionTrail?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  enableLogFileValidation?: boolean | null;

  @Field(() => String, { nullable: true })
  cloudWatchLogsLogGroupArn?: string | null;

  @Field(() => String, { nullable: true })
  cloudWatchLogsRoleArn?: string | null;

  @Field(() => String, { nullable: true })
  kmsKeyId?: string | null;

  @Field(() => Boolean, { nullable: true })
  isOrganizationTrail?: boolean | null;
}

@InputType()
export class TrailNameInput {
  @Field(() => String, { description: 'Trail name or ARN.' })
  name!: string;
}

@InputType()
export class DescribeTrailsInput {
  @Field(() => [String], { nullable: true, description: 'Names or ARNs; empty or absent = every trail seen from this region.' })
  trailNameList?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true: include multi-Region and organization trails homed elsewhere.' })
  includeShadowTrails?: boolean | null;
}

@ObjectType()
export class DescribeTrailsResult {
  @Field(() => [Trail])
  trailList!: Trail[];
}

@InputType()
export class ListTrailsInput {
  @Field(() => String, { nullable: true })
  nextToken?: string | null;

  @Field(() => Int, { nullable: true, description: '1-50, default 50.' })
  maxResults?: number | null;
}

@ObjectType()
export class TrailInfo {
  @Field(() => String)
  trailARN!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  homeRegion!: string;
}

@ObjectType()
export class ListTrailsResult extends ListPage('trails', TrailInfo, 'nextToken') {}

@ObjectType({ description: 'Status of a trail in the region of the request (spec §4.2).' })
export class TrailStatusResult {
  @Field(() => Boolean)
  isLogging!: boolean;

  @Field(() => Date, { nullable: true })
  latestDeliveryTime!: Date | null;

  @Field(() => String, { nullable: true })
  latestDeliveryError!: string | null;

  @Field(() => Date, { nullable: true })
  latestNotificationTime!: Date | null;

  @Field(() => String, { nullable: true })
  latestNotificationError!: string | null;

  @Field(() => Date, { nullable: true })
  latestCloudWatchLogsDeliveryTime!: Date | null;

  @Field(() => String, { nullable: true })
  latestCloudWatchLogsDeliveryError!: string | null;

  @Field(() => Date, { nullable: true })
  latestDigestDeliveryTime!: Date | null;

  @Field(() => String, { nullable: true })
  latestDigestDeliveryError!: string | null;

  @Field(() => Date, { nullable: true })
  startLoggingTime!: Date | null;

  @Field(() => Date, { nullable: true })
  stopLoggingTime!: Date | null;

  @Field(() => String, { description: 'Legacy: ISO-8601 or "".' })
  latestDeliveryAttemptTime!: string;

  @Field(() => String, { description: 'Legacy: ISO-8601 or "".' })
  latestNotificationAttemptTime!: string;

  @Field(() => String, { description: 'Legacy: ISO-8601 or "".' })
  latestNotificationAttemptSucceeded!: string;

  @Field(() => String, { description: 'Legacy: ISO-8601 or "".' })
  latestDeliveryAttemptSucceeded!: string;

  @Field(() => String, { description: 'Legacy: ISO-8601 or "".' })
  timeLoggingStarted!: string;

  @Field(() => String, { description: 'Legacy: ISO-8601 or "".' })
  timeLoggingStopped!: string;
}
