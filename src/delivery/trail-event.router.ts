import type { PoolClient } from 'pg';
import { batchEvents, type EventDestinationRouter } from '../events/outbox.service';
import type { BatchEvent, OutboxBatch } from '../events/event.repository';
import { lazySelectable, trailSelects } from '../selectors/selector-matcher';
import { trailRoutingRepository, type PendingRow, type RoutableTrail } from './trail-routing.repository';

/** A trail covers an event's region when it is multi-region or the region is its home (spec §1.5). */
export function trailCoversRegion(trail: Pick<RoutableTrail, 'isMultiRegionTrail' | 'homeRegion'>, region: string): boolean {
  return trail.isMultiRegionTrail || trail.homeRegion === region;
}

/**
 * Which (trail, event) pairs of a batch become pending deliveries. Pure, so the coverage rules are
 * unit-testable. Insights events go to trails whose insight selectors enable their type, as
 * `CloudTrail-Insight` rows: they are delivered in separate Insights files (spec §5.1).
 */
export function selectDeliveries(trails: RoutableTrail[], events: BatchEvent[]): PendingRow[] {
  const out: PendingRow[] = [];
  for (const e of events) {
    const kind = e.eventCategory === 'Insight' ? 'CloudTrail-Insight' : 'CloudTrail';
    const view = lazySelectable(e);
    for (const t of trails) {
      if (!trailCoversRegion(t, e.region)) continue;
      if (!trailSelects(t, view)) continue;
      out.push({ trailId: t.id, region: e.region, eventId: e.eventId, eventTime: e.eventTime, kind });
    }
  }
  return out;
}

/**
 * The aggregation step for trails (ARCHITECTURE "The path of an event", step 3): each committed
 * outbox batch becomes trail_pending_events rows, in the routing transaction, so they commit
 * exactly once with the routed mark. Only trails logging at routing time receive events.
 */
export class TrailEventRouter implements EventDestinationRouter {
  readonly name = 'trails';

  async route(client: PoolClient, batch: OutboxBatch): Promise<void> {
    // Most accounts have no trail: one indexed lookup and done, the events are not even read.
    const trails = await trailRoutingRepository.loggingTrailsCovering(client, batch.accountId);
    if (trails.length === 0) return;
    const events = await batchEvents(client, batch);
    const rows = selectDeliveries(trails, events);
    await trailRoutingRepository.insertPending(client, batch.accountId, batch.id, rows);
  }
}
