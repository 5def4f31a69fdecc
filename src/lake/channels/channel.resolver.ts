import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../../graphql/context';
import type { ChannelEntity } from './channel.entity';
import {
  Channel,
  ChannelRefInput,
  CreateChannelInput,
  ListChannelsInput,
  ListChannelsResult,
  PutAuditEventsInput,
  PutAuditEventsResult,
  UpdateChannelInput,
} from './channel.types';

function toChannel(c: ChannelEntity, opts: { tags?: boolean; status?: boolean } = {}): Channel {
  return {
    channelArn: c.arn,
    name: c.name,
    source: c.source,
    destinations: c.destinations.map((d) => ({ type: d.Type, location: d.Location })),
    tags: opts.tags ? c.tags.map((t) => ({ key: t.Key, value: t.Value })) : null,
    ingestionStatus: opts.status
      ? {
          latestIngestionSuccessTime: c.latestIngestionSuccessTime,
          latestIngestionSuccessEventID: c.latestIngestionSuccessEventId,
          latestIngestionErrorCode: c.latestIngestionErrorCode,
          latestIngestionAttemptTime: c.latestIngestionAttemptTime,
          latestIngestionAttemptEventID: c.latestIngestionAttemptEventId,
        }
      : null,
  };
}

@Resolver()
export class ChannelResolver {
  @Mutation(() => Channel, { description: 'Creates a channel delivering integration events to ActivityAuditLog event data stores.' })
  async createChannel(@Arg('input', () => CreateChannelInput) input: CreateChannelInput, @Ctx() ctx: GraphQLContext): Promise<Channel> {
    return toChannel(await ctx.services.lakeStorage.channels.create(requestContext(ctx), input), { tags: true });
  }

  @Query(() => Channel)
  async getChannel(@Arg('input', () => ChannelRefInput) input: ChannelRefInput, @Ctx() ctx: GraphQLContext): Promise<Channel> {
    return toChannel(await ctx.services.lakeStorage.channels.get(requestContext(ctx), input.channel), { status: true });
  }

  @Query(() => ListChannelsResult)
  async listChannels(@Arg('input', () => ListChannelsInput, { nullable: true }) input: ListChannelsInput | null, @Ctx() ctx: GraphQLContext): Promise<ListChannelsResult> {
    const page = await ctx.services.lakeStorage.channels.list(requestContext(ctx), input ?? {});
    return { channels: page.channels.map((c) => ({ channelArn: c.arn, name: c.name })), nextToken: page.nextToken };
  }

  @Mutation(() => Channel)
  async updateChannel(@Arg('input', () => UpdateChannelInput) input: UpdateChannelInput, @Ctx() ctx: GraphQLContext): Promise<Channel> {
    return toChannel(await ctx.services.lakeStorage.channels.update(requestContext(ctx), input));
  }

  @Mutation(() => Boolean)
  async deleteChannel(@Arg('input', () => ChannelRefInput) input: ChannelRefInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.lakeStorage.channels.delete(requestContext(ctx), input.channel);
    return true;
  }

  @Mutation(() => PutAuditEventsResult, { description: 'cloudtrail-data PutAuditEvents: per-event results; the call fails only for request-level errors.' })
  async putAuditEvents(@Arg('input', () => PutAuditEventsInput) input: PutAuditEventsInput, @Ctx() ctx: GraphQLContext): Promise<PutAuditEventsResult> {
    return ctx.services.lakeStorage.auditEvents.put(requestContext(ctx), input);
  }
}
