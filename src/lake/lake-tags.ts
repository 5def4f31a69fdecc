import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/request-context';
import { ChannelEntity } from './channels/channel.entity';
import { ChannelService } from './channels/channel.service';
import type { TaggableResources } from '../tagging/tags.service';
import type { Tag } from '../tagging/tag-rules';
import { resolveStore, resolveStoreForWrite } from './event-data-store-access';
import { EventDataStoreEntity } from './event-data-store.entity';

const STORE_ARN = /^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:\d{12}:eventdatastore\//;
const CHANNEL_ARN = /^arn:[a-z-]+:cloudtrail:[a-z0-9-]+:\d{12}:channel\//;

/** AddTags / RemoveTags / ListTags on event data stores (pending-deletion stores are inactive). */
export const eventDataStoreTags: TaggableResources = {
  handles: (id) => STORE_ARN.test(id),
  async getTags(m: EntityManager, ctx: RequestContext, id: string): Promise<Tag[]> {
    return (await resolveStore(m, ctx, id)).tags;
  },
  async setTags(m: EntityManager, ctx: RequestContext, id: string, change: (tags: Tag[]) => Tag[]): Promise<void> {
    const store = await resolveStoreForWrite(m, ctx, id);
    await m.update(EventDataStoreEntity, { id: store.id }, { tags: change(store.tags) });
  },
};

/** The same for channels (owner-only). */
export function channelTags(channels: ChannelService): TaggableResources {
  return {
    handles: (id) => CHANNEL_ARN.test(id),
    async getTags(m, ctx, id) {
      return (await channels.resolve(m, ctx, id)).tags;
    },
    async setTags(m, ctx, id, change) {
      const channel = await channels.resolve(m, ctx, id);
      await m.update(ChannelEntity, { id: channel.id }, { tags: change(channel.tags) });
    },
  };
}
