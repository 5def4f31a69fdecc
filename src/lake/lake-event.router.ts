import type { PoolClient } from 'pg';
import type { OutboxBatch } from '../events/event.repository';
import type { EventDestinationRouter } from '../events/outbox.service';
import { trailRoutingRepository, type RoutableEvent } from '../delivery/trail-routing.repository';
import { advancedSelectorMatches, type SelectableEvent } from '../trails/selector-matcher';
import { holdsCloudTrailEvents } from './event-data-store-access';
import { insertLakeEventsJson } from './lake-event.repository';
import { lakeRoutingRepository, type RoutableStore } from './lake-routing.repository';

function selectable(e: RoutableEvent): SelectableEvent {
  let parsed: Record<string, unknown> | undefined;
  return {
    get record() {
      parsed ??= JSON.parse(e.record) as Record<string, unknown>;
      return parsed;
    },
    eventCategory: e.eventCategory,
    eventSource: e.eventSource,
    eventName: e.eventName,
    readOnly: e.readOnly,
    region: e.region,
    managementEvent: e.managementEvent,
  };
}

/** A store covers an event's region when it is multi-Region or the region is its home (spec §8.1.1). */
export function storeCoversRegion(store: Pick<RoutableStore, 'multiRegionEnabled' | 'region'>, region: string): boolean {
  return store.multiRegionEnabled || store.region === region;
}

/** Which events of a batch each store receives: region coverage, then any selector matching. Pure. */
export function selectStoreEvents(stores: RoutableStore[], events: RoutableEvent[]): Map<RoutableStore, RoutableEvent[]> {
  const out = new Map<RoutableStore, RoutableEvent[]>();
  for (const e of events) {
    const view = selectable(e);
    for (const s of stores) {
      if (!storeCoversRegion(s, e.region)) continue;
      if (!s.advancedEventSelectors.some((sel) => advancedSelectorMatches(sel, view))) continue;
      const list = out.get(s) ?? [];
      list.push(e);
      out.set(s, list);
    }
  }
  return out;
}

/**
 * The aggregation step for CloudTrail Lake: each committed outbox batch is copied into every
 * ENABLED store that covers it, inside the routing transaction, so the copy commits exactly once
 * with the routed mark (and a retried routing inserts nothing new: ON CONFLICT DO NOTHING).
 * Stopped or pending-deletion stores receive nothing; integration (ActivityAuditLog) stores are
 * fed by channels only.
 */
export class LakeEventRouter implements EventDestinationRouter {
  readonly name = 'lake';

  async route(client: PoolClient, batch: OutboxBatch): Promise<void> {
    const stores = (await lakeRoutingRepository.ingestingStoresCovering(client, batch.accountId)).filter(holdsCloudTrailEvents);
    if (stores.length === 0) return;
    const events = await trailRoutingRepository.eventsOfBatch(client, batch.accountId, batch.eventIds, batch.eventTimes);
    for (const [store, selected] of selectStoreEvents(stores, events)) {
      await insertLakeEventsJson(client, store.id, store.accountId, selected.map((e) => e.record));
    }
  }
}
