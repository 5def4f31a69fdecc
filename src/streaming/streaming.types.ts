import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../graphql/page-info';

@InputType()
export class CreateTopicInput {
  @Field(() => String, { description: '1-256 letters, digits, hyphens and underscores.' })
  name!: string;

  @Field(() => String, { description: 'http(s) URL notifications are POSTed to, signed (see src/streaming/README.md).' })
  endpoint!: string;
}

@ObjectType()
export class Topic {
  @Field(() => String)
  topicArn!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  endpoint!: string;

  @Field(() => String, { nullable: true, description: 'HMAC-SHA256 signing key: returned by createTopic only.' })
  signingSecret!: string | null;
}

@InputType()
export class PutEventRuleInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'EventBridge event pattern (JSON) matched against the event envelope.' })
  eventPattern!: string;

  @Field(() => String)
  webhookUrl!: string;

  @Field(() => String, { nullable: true, description: 'ENABLED (default), ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS or DISABLED.' })
  state!: string | null;
}

@ObjectType()
export class EventRule {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  arn!: string;

  @Field(() => String)
  eventPattern!: string;

  @Field(() => String)
  webhookUrl!: string;

  @Field(() => String)
  state!: string;

  @Field(() => String, { nullable: true, description: 'HMAC-SHA256 signing key: returned only when putEventRule created the rule.' })
  signingSecret!: string | null;
}

@InputType()
export class RuleNameInput {
  @Field(() => String)
  ruleName!: string;
}

@InputType()
export class RedriveDeadLettersInput {
  @Field(() => String)
  ruleName!: string;

  @Field(() => [String], { nullable: true, description: 'Dead letters to redrive; all of the rule (up to 1000) when omitted.' })
  ids!: string[] | null;
}

@ObjectType()
export class DeadLetter {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  eventId!: string;

  @Field(() => String, { description: 'The EventBridge envelope (JSON) as it was sent.' })
  envelope!: string;

  @Field(() => String)
  lastError!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String)
  createdAt!: string;
}

@ObjectType()
export class DeadLetterEdge {
  @Field(() => DeadLetter)
  node!: DeadLetter;

  @Field(() => String)
  cursor!: string;
}

@ObjectType()
export class DeadLetterConnection {
  @Field(() => [DeadLetterEdge])
  edges!: DeadLetterEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType()
export class RedriveResult {
  @Field(() => Int, { description: 'Dead letters queued for another delivery.' })
  queued!: number;
}

@ObjectType({ description: 'A new event of the caller account and region, as streamed live.' })
export class LiveEvent {
  @Field(() => String)
  eventId!: string;

  @Field(() => String)
  eventName!: string;

  @Field(() => String)
  eventTime!: string;

  @Field(() => String)
  eventSource!: string;

  @Field(() => String)
  cloudTrailEvent!: string;
}
