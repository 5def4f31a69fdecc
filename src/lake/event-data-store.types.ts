import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { AdvancedEventSelector, AdvancedEventSelectorInput } from '../trails/trail-selectors.types';
import { Tag, TagInput } from '../trails/trail.types';
import { ListPage } from '../graphql/list-page';

/** GraphQL shapes of the event data store operations (spec §8.1.4), CloudTrail's names in lower camel case. */

@ObjectType({ description: 'A CloudTrail Lake event data store.' })
export class EventDataStore {
  @Field(() => String)
  eventDataStoreArn!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, {
    description: 'CREATED | ENABLED | PENDING_DELETION | STARTING_INGESTION | STOPPING_INGESTION | STOPPED_INGESTION',
  })
  status!: string;

  @Field(() => [AdvancedEventSelector])
  advancedEventSelectors!: AdvancedEventSelector[];

  @Field(() => Boolean)
  multiRegionEnabled!: boolean;

  @Field(() => Boolean)
  organizationEnabled!: boolean;

  @Field(() => Int)
  retentionPeriod!: number;

  @Field(() => Boolean)
  terminationProtectionEnabled!: boolean;

  @Field(() => Date)
  createdTimestamp!: Date;

  @Field(() => Date)
  updatedTimestamp!: Date;

  @Field(() => String, { nullable: true })
  kmsKeyId!: string | null;

  @Field(() => String, { description: 'EXTENDABLE_RETENTION_PRICING | FIXED_RETENTION_PRICING' })
  billingMode!: string;

  @Field(() => String, { description: 'Federation is not offered: always DISABLED.' })
  federationStatus!: string;

  @Field(() => [Tag], { nullable: true, description: 'Returned by createEventDataStore only.' })
  tagsList!: Tag[] | null;
}

@InputType()
export class CreateEventDataStoreInput {
  @Field(() => String, { description: '3-128 letters, digits, periods, underscores and hyphens; unique per account and Region.' })
  name!: string;

  @Field(() => [AdvancedEventSelectorInput], { nullable: true, description: 'Default: all management events.' })
  advancedEventSelectors?: AdvancedEventSelectorInput[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true (false for ActivityAuditLog stores).' })
  multiRegionEnabled?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'Default false; management account or delegated administrator.' })
  organizationEnabled?: boolean | null;

  @Field(() => Int, { nullable: true, description: 'Days: 7-3653 (extendable) or 7-2557 (fixed); default 366 or 2557.' })
  retentionPeriod?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  terminationProtectionEnabled?: boolean | null;

  @Field(() => [TagInput], { nullable: true })
  tagsList?: TagInput[] | null;

  @Field(() => String, { nullable: true, description: 'Format-checked only; can never change once set.' })
  kmsKeyId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  startIngestion?: boolean | null;

  @Field(() => String, { nullable: true, description: 'EXTENDABLE_RETENTION_PRICING (default) | FIXED_RETENTION_PRICING' })
  billingMode?: string | null;
}

@InputType()
export class UpdateEventDataStoreInput {
  @Field(() => String, { description: 'ARN or ID of the store.' })
  eventDataStore!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => [AdvancedEventSelectorInput], { nullable: true })
  advancedEventSelectors?: AdvancedEventSelectorInput[] | null;

  @Field(() => Boolean, { nullable: true })
  multiRegionEnabled?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  organizationEnabled?: boolean | null;

  @Field(() => Int, { nullable: true })
  retentionPeriod?: number | null;

  @Field(() => Boolean, { nullable: true })
  terminationProtectionEnabled?: boolean | null;

  @Field(() => String, { nullable: true })
  kmsKeyId?: string | null;

  @Field(() => String, { nullable: true })
  billingMode?: string | null;
}

@InputType()
export class EventDataStoreRefInput {
  @Field(() => String, { description: 'ARN or ID of the store.' })
  eventDataStore!: string;
}

@InputType()
export class ListEventDataStoresInput {
  @Field(() => Int, { nullable: true, description: '1-1000.' })
  maxResults?: number | null;

  @Field(() => String, { nullable: true })
  nextToken?: string | null;
}

@ObjectType({ description: 'A list item: only the ARN and name are meaningful (CloudTrail deprecated the rest); use getEventDataStore.' })
export class EventDataStoreListItem {
  @Field(() => String)
  eventDataStoreArn!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType()
export class ListEventDataStoresResult extends ListPage('eventDataStores', EventDataStoreListItem, 'nextToken') {}
