import { Field, InputType, ObjectType } from 'type-graphql';

@InputType()
export class ContextKeySelectorInput {
  @Field(() => String, { description: 'TagContext (resource tag keys) or RequestContext (IAM global condition keys).' })
  type!: string;

  @Field(() => [String], { description: '1 to 50 keys of 1 to 128 characters.' })
  equals!: string[];
}

@ObjectType()
export class ContextKeySelector {
  @Field(() => String)
  type!: string;

  @Field(() => [String])
  equals!: string[];
}

@InputType()
export class AggregationConfigurationInput {
  @Field(() => [String], { description: 'API_ACTIVITY, RESOURCE_ACCESS and/or USER_ACTIONS.' })
  templates!: string[];

  @Field(() => String, { description: 'Data.' })
  eventCategory!: string;
}

@ObjectType()
export class AggregationConfiguration {
  @Field(() => [String])
  templates!: string[];

  @Field(() => String)
  eventCategory!: string;
}

@InputType()
export class GetEventConfigurationInput {
  @Field(() => String, { nullable: true, description: 'Trail name or ARN (or eventDataStore, not both).' })
  trailName?: string | null;

  @Field(() => String, { nullable: true, description: 'Event data store ARN or ID.' })
  eventDataStore?: string | null;
}

@InputType()
export class PutEventConfigurationInput extends GetEventConfigurationInput {
  @Field(() => String, {
    nullable: true,
    description:
      'Standard (events up to 256 KB, the default) or Large (up to 1 MB; required with context key selectors). Left out: unchanged.',
  })
  maxEventSize?: string | null;

  @Field(() => [ContextKeySelectorInput], {
    nullable: true,
    description: 'At most 2 (one per type); an empty list removes them. Left out: unchanged.',
  })
  contextKeySelectors?: ContextKeySelectorInput[] | null;

  @Field(() => [AggregationConfigurationInput], { nullable: true, description: 'Trails only; OpenTrail aggregates no data events.' })
  aggregationConfigurations?: AggregationConfigurationInput[] | null;
}

@ObjectType()
export class EventConfigurationResult {
  @Field(() => String, { nullable: true, description: 'Set for a trail.' })
  trailARN!: string | null;

  @Field(() => String, { nullable: true, description: 'Set for an event data store.' })
  eventDataStoreArn!: string | null;

  @Field(() => String, { nullable: true })
  maxEventSize!: string | null;

  @Field(() => [ContextKeySelector], { nullable: true })
  contextKeySelectors!: ContextKeySelector[] | null;

  @Field(() => [AggregationConfiguration], { nullable: true })
  aggregationConfigurations!: AggregationConfiguration[] | null;
}
