import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { Tag, TagInput } from '../../trails/trail.types';
import { ListPage } from '../../graphql/list-page';

/** GraphQL shapes of the channel operations and PutAuditEvents (spec §9). */

@InputType()
export class DestinationInput {
  @Field(() => String, { description: 'EVENT_DATA_STORE' })
  type!: string;

  @Field(() => String, { description: 'ARN of an ActivityAuditLog event data store of the caller.' })
  location!: string;
}

@ObjectType()
export class Destination {
  @Field(() => String)
  type!: string;

  @Field(() => String)
  location!: string;
}

@ObjectType()
export class IngestionStatus {
  @Field(() => Date, { nullable: true })
  latestIngestionSuccessTime!: Date | null;

  @Field(() => String, { nullable: true })
  latestIngestionSuccessEventID!: string | null;

  @Field(() => String, { nullable: true })
  latestIngestionErrorCode!: string | null;

  @Field(() => Date, { nullable: true })
  latestIngestionAttemptTime!: Date | null;

  @Field(() => String, { nullable: true })
  latestIngestionAttemptEventID!: string | null;
}

@ObjectType({ description: 'A channel for integration (non-AWS) events.' })
export class Channel {
  @Field(() => String)
  channelArn!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  source!: string;

  @Field(() => [Destination])
  destinations!: Destination[];

  @Field(() => [Tag], { nullable: true, description: 'Returned by createChannel only.' })
  tags!: Tag[] | null;

  @Field(() => IngestionStatus, { nullable: true, description: 'Returned by getChannel only.' })
  ingestionStatus!: IngestionStatus | null;
}

@InputType()
export class CreateChannelInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Custom, or a partner source name; one channel per source.' })
  source!: string;

  @Field(() => [DestinationInput])
  destinations!: DestinationInput[];

  @Field(() => [TagInput], { nullable: true })
  tags?: TagInput[] | null;
}

@InputType()
export class ChannelRefInput {
  @Field(() => String, { description: 'ARN or ID of the channel.' })
  channel!: string;
}

@InputType()
export class UpdateChannelInput {
  @Field(() => String, { description: 'ARN or ID of the channel.' })
  channel!: string;

  @Field(() => [DestinationInput], { nullable: true })
  destinations?: DestinationInput[] | null;

  @Field(() => String, { nullable: true })
  name?: string | null;
}

@InputType()
export class ListChannelsInput {
  @Field(() => Int, { nullable: true })
  maxResults?: number | null;

  @Field(() => String, { nullable: true })
  nextToken?: string | null;
}

@ObjectType()
export class ChannelListItem {
  @Field(() => String)
  channelArn!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType()
export class ListChannelsResult extends ListPage('channels', ChannelListItem, 'nextToken') {}

@InputType()
export class AuditEventInput {
  @Field(() => String, { description: 'The caller’s id of the event: 1-128 of [-_A-Za-z0-9], unique in the request.' })
  id!: string;

  @Field(() => String, { description: 'The event as a JSON string (spec §9.2 schema).' })
  eventData!: string;

  @Field(() => String, { nullable: true, description: 'Base64 SHA-256 of the exact eventData string.' })
  eventDataChecksum?: string | null;
}

@InputType()
export class PutAuditEventsInput {
  @Field(() => String, { description: 'ARN or ID of the channel.' })
  channelArn!: string;

  @Field(() => [AuditEventInput], { description: '1-100 events, at most 1 MB in all.' })
  auditEvents!: AuditEventInput[];

  @Field(() => String, { nullable: true, description: 'Format-checked; channels have no resource policy yet, so it is not required.' })
  externalId?: string | null;
}

@ObjectType()
export class AuditEventResultEntry {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  eventID!: string;
}

@ObjectType()
export class ResultErrorEntry {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  errorCode!: string;

  @Field(() => String)
  errorMessage!: string;
}

@ObjectType()
export class PutAuditEventsResult {
  @Field(() => [AuditEventResultEntry])
  successful!: AuditEventResultEntry[];

  @Field(() => [ResultErrorEntry])
  failed!: ResultErrorEntry[];
}
