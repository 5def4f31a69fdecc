import { Field, InputType, ObjectType } from 'type-graphql';
import { Tag, TagInput } from './trail.types';
import { ListPage } from '../graphql/list-page';

/** GraphQL shapes of event selectors, Insights selectors and tags (spec §4.9). */

@InputType()
export class DataResourceInput {
  @Field(() => String, { description: 'AWS::S3::Object, AWS::Lambda::Function or AWS::DynamoDB::Table.' })
  type!: string;

  @Field(() => [String])
  values!: string[];
}

@ObjectType()
export class DataResource {
  @Field(() => String)
  type!: string;

  @Field(() => [String])
  values!: string[];
}

@InputType()
export class EventSelectorInput {
  @Field(() => String, { nullable: true, description: 'ReadOnly, WriteOnly or All (default).' })
  readWriteType?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  includeManagementEvents?: boolean | null;

  @Field(() => [DataResourceInput], { nullable: true })
  dataResources?: DataResourceInput[] | null;

  @Field(() => [String], { nullable: true, description: 'kms.amazonaws.com and/or rdsdata.amazonaws.com.' })
  excludeManagementEventSources?: string[] | null;
}

@ObjectType()
export class EventSelector {
  @Field(() => String)
  readWriteType!: string;

  @Field(() => Boolean)
  includeManagementEvents!: boolean;

  @Field(() => [DataResource])
  dataResources!: DataResource[];

  @Field(() => [String])
  excludeManagementEventSources!: string[];
}

@InputType()
export class AdvancedFieldSelectorInput {
  @Field(() => String)
  field!: string;

  @Field(() => [String], { nullable: true })
  equals?: string[] | null;

  @Field(() => [String], { nullable: true })
  startsWith?: string[] | null;

  @Field(() => [String], { nullable: true })
  endsWith?: string[] | null;

  @Field(() => [String], { nullable: true })
  notEquals?: string[] | null;

  @Field(() => [String], { nullable: true })
  notStartsWith?: string[] | null;

  @Field(() => [String], { nullable: true })
  notEndsWith?: string[] | null;
}

@ObjectType()
export class AdvancedFieldSelector {
  @Field(() => String)
  field!: string;

  @Field(() => [String], { nullable: true })
  equals!: string[] | null;

  @Field(() => [String], { nullable: true })
  startsWith!: string[] | null;

  @Field(() => [String], { nullable: true })
  endsWith!: string[] | null;

  @Field(() => [String], { nullable: true })
  notEquals!: string[] | null;

  @Field(() => [String], { nullable: true })
  notStartsWith!: string[] | null;

  @Field(() => [String], { nullable: true })
  notEndsWith!: string[] | null;
}

@InputType()
export class AdvancedEventSelectorInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [AdvancedFieldSelectorInput])
  fieldSelectors!: AdvancedFieldSelectorInput[];
}

@ObjectType()
export class AdvancedEventSelector {
  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => [AdvancedFieldSelector])
  fieldSelectors!: AdvancedFieldSelector[];
}

@InputType()
export class PutEventSelectorsInput {
  @Field(() => String, { description: 'Trail name or ARN.' })
  trailName!: string;

  @Field(() => [EventSelectorInput], { nullable: true })
  eventSelectors?: EventSelectorInput[] | null;

  @Field(() => [AdvancedEventSelectorInput], { nullable: true })
  advancedEventSelectors?: AdvancedEventSelectorInput[] | null;
}

@InputType()
export class TrailNameRefInput {
  @Field(() => String, { description: 'Trail name or ARN.' })
  trailName!: string;
}

@ObjectType()
export class EventSelectorsResult {
  @Field(() => String)
  trailARN!: string;

  @Field(() => [EventSelector], { nullable: true })
  eventSelectors!: EventSelector[] | null;

  @Field(() => [AdvancedEventSelector], { nullable: true })
  advancedEventSelectors!: AdvancedEventSelector[] | null;
}

@InputType()
export class InsightSelectorInput {
  @Field(() => String, { description: 'ApiCallRateInsight or ApiErrorRateInsight.' })
  insightType!: string;

  @Field(() => [String], { nullable: true, description: 'Management (default) and/or Data.' })
  eventCategories?: string[] | null;
}

@ObjectType()
export class InsightSelector {
  @Field(() => String)
  insightType!: string;

  @Field(() => [String], { nullable: true })
  eventCategories!: string[] | null;
}

@InputType()
export class PutInsightSelectorsInput {
  @Field(() => String, { nullable: true, description: 'Trail name or ARN (or eventDataStore, not both).' })
  trailName?: string | null;

  @Field(() => String, { nullable: true, description: 'Source event data store (ARN or ID) of management events.' })
  eventDataStore?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Event data store (ARN or ID) of the same account that collects Insight events; with eventDataStore.',
  })
  insightsDestination?: string | null;

  @Field(() => [InsightSelectorInput], { description: 'An empty list turns Insights off.' })
  insightSelectors!: InsightSelectorInput[];
}

@InputType()
export class GetInsightSelectorsInput {
  @Field(() => String, { nullable: true, description: 'Trail name or ARN (or eventDataStore, not both).' })
  trailName?: string | null;

  @Field(() => String, { nullable: true, description: 'Source event data store (ARN or ID).' })
  eventDataStore?: string | null;
}

@ObjectType()
export class InsightSelectorsResult {
  @Field(() => String, { nullable: true, description: 'Set for a trail.' })
  trailARN!: string | null;

  @Field(() => [InsightSelector])
  insightSelectors!: InsightSelector[];

  @Field(() => String, { nullable: true, description: 'Set for an event data store.' })
  eventDataStoreArn!: string | null;

  @Field(() => String, { nullable: true, description: 'Set for an event data store: the store receiving its Insights events.' })
  insightsDestination!: string | null;
}

@InputType()
export class TagsInput {
  @Field(() => String, { description: 'Trail ARN.' })
  resourceId!: string;

  @Field(() => [TagInput])
  tagsList!: TagInput[];
}

@InputType()
export class ListTagsInput {
  @Field(() => [String], { description: 'Up to 20 trail ARNs.' })
  resourceIdList!: string[];
}

@ObjectType()
export class ResourceTag {
  @Field(() => String)
  resourceId!: string;

  @Field(() => [Tag])
  tagsList!: Tag[];
}

@ObjectType()
export class ListTagsResult extends ListPage('resourceTagList', ResourceTag, 'none') {}
