import { toAdvancedEventSelector } from '../trails/trail.mappers';
import type { EventDataStoreEntity } from './event-data-store.entity';
import type { EventDataStore } from './event-data-store.types';

export function toEventDataStore(s: EventDataStoreEntity, opts: { withTags?: boolean } = {}): EventDataStore {
  return {
    eventDataStoreArn: s.arn,
    name: s.name,
    status: s.status,
    advancedEventSelectors: s.advancedEventSelectors.map(toAdvancedEventSelector),
    multiRegionEnabled: s.multiRegionEnabled,
    organizationEnabled: s.organizationEnabled,
    retentionPeriod: s.retentionPeriod,
    terminationProtectionEnabled: s.terminationProtectionEnabled,
    createdTimestamp: s.createdAt,
    updatedTimestamp: s.updatedAt,
    kmsKeyId: s.kmsKeyId,
    billingMode: s.billingMode,
    federationStatus: 'DISABLED',
    tagsList: opts.withTags ? s.tags.map((t) => ({ key: t.Key, value: t.Value })) : null,
  };
}
