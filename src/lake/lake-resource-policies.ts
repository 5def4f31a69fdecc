import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/request-context';
import { CHANNEL_POLICY_GRANTS } from './channels/channel-names';
import { ChannelEntity } from './channels/channel.entity';
import type { ChannelService } from './channels/channel.service';
import { resolveStore, resolveStoreForWrite } from './event-data-store-access';
import { EventDataStoreEntity } from './event-data-store.entity';
import { EVENT_DATA_STORE_POLICY_GRANTS } from './event-data-store-names';
import { ResourcePolicyErrors } from './resource-policies/resource-policy.errors';
import type { ResourcePolicyHolder } from './resource-policies/resource-policy.service';

/** The holder's own lookup errors, as the resource-policy operations name them. */
async function owned<T>(arn: string, find: () => Promise<T>): Promise<T> {
  try {
    return await find();
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ChannelNotFoundException' || code === 'EventDataStoreNotFoundException') throw ResourcePolicyErrors.notFound(arn);
    if (code === 'ChannelARNInvalidException' || code === 'EventDataStoreARNInvalidException') throw ResourcePolicyErrors.arnNotValid(arn);
    throw err;
  }
}

/** Event data stores: their owner's (or, for organization stores, a delegated administrator's) to set. */
export const eventDataStorePolicies: ResourcePolicyHolder = {
  type: 'eventdatastore',
  grants: EVENT_DATA_STORE_POLICY_GRANTS,
  async getPolicy(m: EntityManager, ctx: RequestContext, arn: string): Promise<string | null> {
    return (await owned(arn, () => resolveStore(m, ctx, arn))).resourcePolicy;
  },
  async setPolicy(m: EntityManager, ctx: RequestContext, arn: string, policy: string | null): Promise<void> {
    const store = await owned(arn, () => resolveStoreForWrite(m, ctx, arn, { allowPendingDeletion: true }));
    await m.update(EventDataStoreEntity, { id: store.id }, { resourcePolicy: policy });
  },
};

/** Channels: owner-only. */
export function channelPolicies(channels: ChannelService): ResourcePolicyHolder {
  return {
    type: 'channel',
    grants: CHANNEL_POLICY_GRANTS,
    async getPolicy(m, ctx, arn) {
      return (await owned(arn, () => channels.resolve(m, ctx, arn))).resourcePolicy;
    },
    async setPolicy(m, ctx, arn, policy) {
      const channel = await owned(arn, () => channels.resolve(m, ctx, arn));
      await m.update(ChannelEntity, { id: channel.id }, { resourcePolicy: policy });
    },
  };
}
