import { Arg, Ctx, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import type { EventRuleEntity } from './event-rule.entity';
import { EventRuleService } from './event-rule.service';
import { liveEventStream } from './live-stream';
import {
  CreateTopicInput, DeadLetterConnection, EventRule, LiveEvent, PutEventRuleInput, RedriveDeadLettersInput, RedriveResult,
  RuleNameInput, Topic,
} from './streaming.types';

const toRule = (r: EventRuleEntity, showSecret: boolean): EventRule => ({
  name: r.name, arn: r.arn, eventPattern: r.eventPattern, webhookUrl: r.webhookUrl, state: r.state,
  signingSecret: showSecret ? r.signingSecret : null,
});

@Resolver()
export class StreamingResolver {
  @Mutation(() => Topic, { description: 'Creates a notification topic (SNS-like); the signing secret is shown only here.' })
  createTopic(@Arg('input', () => CreateTopicInput) input: CreateTopicInput, @Ctx() ctx: GraphQLContext): Promise<Topic> {
    return ctx.services.topics.createTopic(requestContext(ctx), input);
  }

  @Query(() => [Topic], { description: "Notification topics of the caller's account and region." })
  async listTopics(@Ctx() ctx: GraphQLContext): Promise<Topic[]> {
    const topics = await ctx.services.topics.listTopics(requestContext(ctx));
    return topics.map((t) => ({ topicArn: t.topicArn, name: t.name, endpoint: t.endpoint, signingSecret: null }));
  }

  @Mutation(() => Boolean, { description: 'Deletes a notification topic (by ARN or name).' })
  async deleteTopic(@Arg('topicArn', () => String) topicArn: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.topics.deleteTopic(requestContext(ctx), topicArn);
    return true;
  }

  @Mutation(() => EventRule, { description: 'Creates or updates an EventBridge-style rule delivering matching events to a signed webhook.' })
  async putEventRule(@Arg('input', () => PutEventRuleInput) input: PutEventRuleInput, @Ctx() ctx: GraphQLContext): Promise<EventRule> {
    const { rule, created } = await ctx.services.eventRules.putEventRule(requestContext(ctx), input);
    return toRule(rule, created);
  }

  @Query(() => [EventRule], { description: "Event rules of the caller's account and region." })
  async listEventRules(@Ctx() ctx: GraphQLContext): Promise<EventRule[]> {
    return (await ctx.services.eventRules.listEventRules(requestContext(ctx))).map((r) => toRule(r, false));
  }

  @Mutation(() => Boolean, { description: 'Deletes an event rule and its dead letters.' })
  async deleteEventRule(@Arg('name', () => String) name: string, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.eventRules.deleteEventRule(requestContext(ctx), name);
    return true;
  }

  @Query(() => DeadLetterConnection, { description: 'Events a rule could not deliver after its last retry.' })
  async listDeadLetters(
    @Arg('input', () => RuleNameInput) input: RuleNameInput,
    @Arg('first', () => Int, { nullable: true, defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<DeadLetterConnection> {
    const page = await ctx.services.eventRules.listDeadLetters(requestContext(ctx), input.ruleName, first, after);
    const edges = page.rows.map((r) => ({
      node: { id: r.id, eventId: r.eventId, envelope: JSON.stringify(r.envelope), lastError: r.lastError, attempts: r.attempts, createdAt: r.createdAt.toISOString() },
      cursor: EventRuleService.cursorOf(r),
    }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @Mutation(() => RedriveResult, { description: 'Queues dead letters for another delivery; each is removed once its receiver accepts it.' })
  async redriveDeadLetters(@Arg('input', () => RedriveDeadLettersInput) input: RedriveDeadLettersInput, @Ctx() ctx: GraphQLContext): Promise<RedriveResult> {
    return { queued: await ctx.services.eventRules.redriveDeadLetters(requestContext(ctx), input.ruleName, input.ids) };
  }

  @Subscription(() => LiveEvent, {
    description: "New events of the caller's account in the connection's region, optionally filtered by an EventBridge pattern.",
    subscribe: ({ args, context, info }) => liveEventStream(args as { pattern?: string | null }, context as GraphQLContext, info),
  })
  events(@Root() event: LiveEvent, @Arg('pattern', () => String, { nullable: true }) _pattern: string | null): LiveEvent {
    return event;
  }
}
