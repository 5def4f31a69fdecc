import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { type RequestContext, tenantOf } from '../../common/request-context';
import { decodePageToken, encodePageToken } from '../../common/page-token';
import type { Database } from '../../db/database';
import { holdsActivityAuditLog } from '../event-data-store-access';
import { EventDataStoreEntity } from '../event-data-store.entity';
import { parseStoreReference } from '../event-data-store-names';
import { LakeErrors } from '../lake.errors';
import { mergeTags } from '../../tagging/tag-rules';
import { type ChannelDestination, ChannelEntity } from './channel.entity';
import { ChannelErrors } from './channel.errors';
import { channelRepository } from './channel.repository';
import { channelArn, parseChannelReference, validateChannelName, validateSource } from './channel-names';

/** Integration channels per account and Region (spec §9.1, §12.1). */
export const MAX_CHANNELS = 25;
export const MAX_DESTINATIONS = 200;

export interface DestinationInput {
  type: string;
  location: string;
}

/**
 * Channels (spec §9.1): named sources of integration events whose destinations are the caller's
 * own ActivityAuditLog event data stores. Channels are owner-only (no resource policies yet).
 */
export class ChannelService {
  constructor(private readonly db: Database) {}

  async create(
    ctx: RequestContext,
    input: { name: string; source: string; destinations: DestinationInput[]; tags?: Array<{ key: string; value?: string | null }> | null },
  ): Promise<ChannelEntity> {
    validateChannelName(input.name);
    validateSource(input.source);
    const tags = mergeTags(
      [],
      (input.tags ?? []).map((t) => ({ Key: t.key, Value: t.value ?? null })),
    );
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const destinations = await this.checkDestinations(m, ctx, input.destinations);
      await channelRepository.lockAccountChannels(m, ctx.caller.accountId);
      if ((await m.countBy(ChannelEntity, { accountId: ctx.caller.accountId, region: ctx.region })) >= MAX_CHANNELS)
        throw ChannelErrors.maxLimit(MAX_CHANNELS);
      if (await m.existsBy(ChannelEntity, { accountId: ctx.caller.accountId, region: ctx.region, name: input.name }))
        throw ChannelErrors.alreadyExists(`named ${input.name}`);
      if (await m.existsBy(ChannelEntity, { accountId: ctx.caller.accountId, region: ctx.region, source: input.source }))
        throw ChannelErrors.alreadyExists(`for source ${input.source}`);
      const id = randomUUID();
      return m.save(
        m.create(ChannelEntity, {
          id,
          arn: channelArn(ctx.region, ctx.caller.accountId, id),
          accountId: ctx.caller.accountId,
          region: ctx.region,
          name: input.name,
          source: input.source,
          destinations,
          tags,
        }),
      );
    });
  }

  async get(ctx: RequestContext, reference: string): Promise<ChannelEntity> {
    return this.db.inTenant(tenantOf(ctx), (m) => this.resolve(m, ctx, reference));
  }

  async list(
    ctx: RequestContext,
    input: { maxResults?: number | null; nextToken?: string | null },
  ): Promise<{ channels: ChannelEntity[]; nextToken: string | null }> {
    const limit = input.maxResults ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw ChannelErrors.invalidParameter('maxResults must be between 1 and 1000.');
    const after = input.nextToken ? decodePageToken(input.nextToken) : null;
    if (input.nextToken && after === null) throw ChannelErrors.invalidNextToken();
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const rows = await channelRepository.listInRegion(m, {
        accountId: ctx.caller.accountId,
        region: ctx.region,
        afterArn: after,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return { channels: page, nextToken: rows.length > limit ? encodePageToken(page[page.length - 1].arn) : null };
    });
  }

  async update(
    ctx: RequestContext,
    input: { channel: string; name?: string | null; destinations?: DestinationInput[] | null },
  ): Promise<ChannelEntity> {
    if (input.name !== undefined && input.name !== null) validateChannelName(input.name);
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const channel = await this.resolve(m, ctx, input.channel);
      if (input.destinations !== undefined && input.destinations !== null)
        channel.destinations = await this.checkDestinations(m, ctx, input.destinations);
      if (input.name !== undefined && input.name !== null && input.name !== channel.name) {
        if (await m.existsBy(ChannelEntity, { accountId: channel.accountId, region: channel.region, name: input.name }))
          throw ChannelErrors.alreadyExists(`named ${input.name}`);
        channel.name = input.name;
      }
      return m.save(channel);
    });
  }

  async delete(ctx: RequestContext, reference: string): Promise<void> {
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const channel = await this.resolve(m, ctx, reference);
      await m.delete(ChannelEntity, { id: channel.id });
    });
  }

  /** The caller's channel in the request's region; anything else is "not found". */
  async resolve(m: EntityManager, ctx: RequestContext, reference: string): Promise<ChannelEntity> {
    const ref = parseChannelReference(reference);
    if (!ref) throw ChannelErrors.arnInvalid(String(reference));
    const channel = await m.findOneBy(ChannelEntity, { id: ref.id, accountId: ctx.caller.accountId });
    if (!channel || channel.region !== ctx.region || (ref.accountId !== null && ref.accountId !== channel.accountId))
      throw ChannelErrors.notFound(reference);
    return channel;
  }

  /** Each destination: one of the caller's active ActivityAuditLog stores, named by ARN (spec §9.1). */
  private async checkDestinations(m: EntityManager, ctx: RequestContext, input: DestinationInput[]): Promise<ChannelDestination[]> {
    if (input.length < 1 || input.length > MAX_DESTINATIONS)
      throw ChannelErrors.invalidParameter(`A channel needs 1 to ${MAX_DESTINATIONS} destinations.`);
    const seen = new Set<string>();
    const out: ChannelDestination[] = [];
    for (const d of input) {
      if (d.type !== 'EVENT_DATA_STORE')
        throw ChannelErrors.invalidParameter('Destinations of a channel you create are of type EVENT_DATA_STORE.');
      const ref = parseStoreReference(d.location);
      const store = await m.findOneBy(EventDataStoreEntity, { id: ref.id, accountId: ctx.caller.accountId });
      if (!store || store.region !== ctx.region || (ref.accountId !== null && ref.accountId !== store.accountId))
        throw LakeErrors.notFound(d.location);
      if (store.status === 'PENDING_DELETION') throw LakeErrors.inactive(store.arn);
      if (!holdsActivityAuditLog(store))
        throw LakeErrors.invalidCategory(
          `Event data store ${store.arn} does not hold ActivityAuditLog events: channels deliver only to such stores.`,
        );
      if (seen.has(store.arn)) throw ChannelErrors.invalidParameter(`Destination ${store.arn} is listed twice.`);
      seen.add(store.arn);
      out.push({ Type: 'EVENT_DATA_STORE', Location: store.arn });
    }
    return out;
  }
}
