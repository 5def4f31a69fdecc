import { Arg, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { PARTITION } from '../common/arn';
import { argumentAt, type OperationResource } from '../common/cloudtrail-resources';
import type { RequestContext } from '../common/request-context';
import type { GraphQLContext } from '../graphql/context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import type { EventRuleEntity } from './event-rule.entity';
import { EventRuleService } from './event-rule.service';
import { liveEventStream } from './live-stream';
import {
  CreateTopicInput,
  DeadLetterConnection,
  EventRule,
  LiveEvent,
  PutEventRuleInput,
  RedriveDeadLettersInput,
  RedriveResult,
  RuleNameInput,
  Topic,
} from './streaming.types';
import type { TopicService } from './topic.service';

const toRule = (r: EventRuleEntity, showSecret: boolean): EventRule => ({
  name: r.name,
  arn: r.arn,
  eventPattern: r.eventPattern,
  webhookUrl: r.webhookUrl,
  state: r.state,
  signingSecret: showSecret ? r.signingSecret : null,
});

/** The caller's rule named at argument `path` in the request's region (`rule/*` without one). */
const eventRuleResource =
  (path: string): OperationResource =>
  (args, caller, meta) =>
    `arn:${PARTITION}:events:${meta.region}:${caller.accountId}:rule/${String(argumentAt(args, path) ?? '*')}`;
/** The topic ARN given at argument `path`, else the caller's topic of that name in the request's region. */
const topicResource =
  (path: string): OperationResource =>
  (args, caller, meta) => {
    const value = String(argumentAt(args, path) ?? '*');
    return value.startsWith('arn:') ? value : `arn:${PARTITION}:sns:${meta.region}:${caller.accountId}:${value}`;
  };
/** Signing secrets never reach the audit log. */
const withoutSecret = (result: unknown) => {
  const { signingSecret: _secret, ...rest } = (result ?? {}) as Record<string, unknown>;
  return rest;
};
const SNS = 'sns.amazonaws.com';

/** Event rules are EventBridge's (the class's service); topics are SNS's, the live stream CloudTrail's. */
@Resolver()
@OperationService({ eventSource: 'events.amazonaws.com', actionPrefix: 'events' })
export class StreamingResolver {
  constructor(
    private readonly topics: TopicService,
    private readonly eventRules: EventRuleService,
  ) {}

  @Operation({
    eventSource: SNS,
    action: 'sns:CreateTopic',
    resource: topicResource('input.name'),
    auditResponse: withoutSecret,
  })
  @Mutation(() => Topic, { description: 'Creates a notification topic (SNS-like); the signing secret is shown only here.' })
  createTopic(@Arg('input', () => CreateTopicInput) input: CreateTopicInput, @CallerRequest() request: RequestContext): Promise<Topic> {
    return this.topics.createTopic(request, input);
  }

  @Operation({ eventSource: SNS, action: 'sns:ListTopics' })
  @Query(() => [Topic], { description: "Notification topics of the caller's account and region." })
  async listTopics(@CallerRequest() request: RequestContext): Promise<Topic[]> {
    const topics = await this.topics.listTopics(request);
    return topics.map((t) => ({ topicArn: t.topicArn, name: t.name, endpoint: t.endpoint, signingSecret: null }));
  }

  @Operation({ eventSource: SNS, action: 'sns:DeleteTopic', resource: topicResource('topicArn') })
  @Mutation(() => Boolean, { description: 'Deletes a notification topic (by ARN or name).' })
  async deleteTopic(@Arg('topicArn', () => String) topicArn: string, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.topics.deleteTopic(request, topicArn);
    return true;
  }

  @Operation({
    eventName: 'PutRule',
    resource: eventRuleResource('input.name'),
    auditResponse: withoutSecret,
  })
  @Mutation(() => EventRule, {
    description: 'Creates or updates an EventBridge-style rule delivering matching events to a signed webhook.',
  })
  async putEventRule(
    @Arg('input', () => PutEventRuleInput) input: PutEventRuleInput,
    @CallerRequest() request: RequestContext,
  ): Promise<EventRule> {
    const { rule, created } = await this.eventRules.putEventRule(request, input);
    return toRule(rule, created);
  }

  @Operation({ eventName: 'ListRules' })
  @Query(() => [EventRule], { description: "Event rules of the caller's account and region." })
  async listEventRules(@CallerRequest() request: RequestContext): Promise<EventRule[]> {
    return (await this.eventRules.listEventRules(request)).map((r) => toRule(r, false));
  }

  @Operation({ eventName: 'DeleteRule', resource: eventRuleResource('name') })
  @Mutation(() => Boolean, { description: 'Deletes an event rule and its dead letters.' })
  async deleteEventRule(@Arg('name', () => String) name: string, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.eventRules.deleteEventRule(request, name);
    return true;
  }

  @Operation({ resource: eventRuleResource('input.ruleName') })
  @Query(() => DeadLetterConnection, { description: 'Events a rule could not deliver after its last retry.' })
  async listDeadLetters(
    @Arg('input', () => RuleNameInput) input: RuleNameInput,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @CallerRequest() request: RequestContext,
  ): Promise<DeadLetterConnection> {
    const page = await this.eventRules.listDeadLetters(request, input.ruleName, first, after);
    const edges = page.rows.map((r) => ({
      node: {
        id: r.id,
        eventId: r.eventId,
        envelope: JSON.stringify(r.envelope),
        lastError: r.lastError,
        attempts: r.attempts,
        createdAt: r.createdAt.toISOString(),
      },
      cursor: EventRuleService.cursorOf(r),
    }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @Operation({ resource: eventRuleResource('input.ruleName') })
  @Mutation(() => RedriveResult, { description: 'Queues dead letters for another delivery; each is removed once its receiver accepts it.' })
  async redriveDeadLetters(
    @Arg('input', () => RedriveDeadLettersInput) input: RedriveDeadLettersInput,
    @CallerRequest() request: RequestContext,
  ): Promise<RedriveResult> {
    return { queued: await this.eventRules.redriveDeadLetters(request, input.ruleName, input.ids) };
  }

  /** The live subscription: reading events, so LookupEvents' permission; audited once when it starts. */
  @Operation({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StartLiveEventStream', action: 'cloudtrail:LookupEvents' })
  @Subscription(() => LiveEvent, {
    description: "New events of the caller's account in the connection's region, optionally filtered by an EventBridge pattern.",
    subscribe: ({ args, context, info }) => liveEventStream(args as { pattern?: string | null }, context as GraphQLContext, info),
  })
  events(@Root() event: LiveEvent, @Arg('pattern', () => String, { nullable: true }) _pattern: string | null): LiveEvent {
    return event;
  }
}
