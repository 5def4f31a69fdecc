import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { everyCloudTrailResource, namedCloudTrailResource } from '../../common/cloudtrail-resources';
import type { RequestContext } from '../../common/request-context';
import { Operation, OperationService } from '../../graphql/operation.decorator';
import { CallerRequest } from '../../graphql/request-context.decorator';
import type { AuditEventsService } from './audit-events.service';
import { CHANNEL_RESOURCE } from './channel-names';
import type { ChannelEntity } from './channel.entity';
import type { ChannelService } from './channel.service';
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

const byChannel = namedCloudTrailResource(CHANNEL_RESOURCE, 'input.channel');
const byChannelArn = namedCloudTrailResource(CHANNEL_RESOURCE, 'input.channelArn');
const allChannels = everyCloudTrailResource(CHANNEL_RESOURCE);

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class ChannelResolver {
  constructor(
    private readonly channels: ChannelService,
    private readonly auditEvents: AuditEventsService,
  ) {}

  @Operation({ resource: allChannels })
  @Mutation(() => Channel, { description: 'Creates a channel delivering integration events to ActivityAuditLog event data stores.' })
  async createChannel(
    @Arg('input', () => CreateChannelInput) input: CreateChannelInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Channel> {
    return toChannel(await this.channels.create(request, input), { tags: true });
  }

  @Operation({ resource: byChannel })
  @Query(() => Channel)
  async getChannel(
    @Arg('input', () => ChannelRefInput) input: ChannelRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Channel> {
    return toChannel(await this.channels.get(request, input.channel), { status: true });
  }

  @Operation({ resource: allChannels })
  @Query(() => ListChannelsResult)
  async listChannels(
    @Arg('input', () => ListChannelsInput, { nullable: true }) input: ListChannelsInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListChannelsResult> {
    const page = await this.channels.list(request, input ?? {});
    return { channels: page.channels.map((c) => ({ channelArn: c.arn, name: c.name })), nextToken: page.nextToken };
  }

  @Operation({ resource: byChannel })
  @Mutation(() => Channel)
  async updateChannel(
    @Arg('input', () => UpdateChannelInput) input: UpdateChannelInput,
    @CallerRequest() request: RequestContext,
  ): Promise<Channel> {
    return toChannel(await this.channels.update(request, input));
  }

  @Operation({ resource: byChannel })
  @Mutation(() => Boolean)
  async deleteChannel(
    @Arg('input', () => ChannelRefInput) input: ChannelRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.channels.delete(request, input.channel);
    return true;
  }

  // A data event of cloudtrail-data (spec §9.2). The events' contents are not copied into the
  // audit record (up to 1 MB; they are stored in the Lake): only the channel and the counts.
  @Operation({
    eventSource: 'cloudtrail-data.amazonaws.com',
    action: 'cloudtrail-data:PutAuditEvents',
    resource: byChannelArn,
    dataEvent: true,
    auditRequest: (args) => ({
      channelArn: typeof args.input?.channelArn === 'string' ? args.input.channelArn.slice(0, 256) : null,
      externalIdPresent: typeof args.input?.externalId === 'string',
      auditEventCount: Array.isArray(args.input?.auditEvents) ? args.input.auditEvents.length : 0,
    }),
    auditResponse: (result) => {
      const r = result as { successful?: unknown[]; failed?: unknown[] } | null;
      return { successfulCount: r?.successful?.length ?? 0, failedCount: r?.failed?.length ?? 0 };
    },
  })
  @Mutation(() => PutAuditEventsResult, {
    description: 'cloudtrail-data PutAuditEvents: per-event results; the call fails only for request-level errors.',
  })
  async putAuditEvents(
    @Arg('input', () => PutAuditEventsInput) input: PutAuditEventsInput,
    @CallerRequest() request: RequestContext,
  ): Promise<PutAuditEventsResult> {
    return this.auditEvents.put(request, input);
  }
}
