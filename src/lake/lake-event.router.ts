import type { PoolClient } from 'pg';
import type { BatchEvent, OutboxBatch } from '../events/event.repository';
import { batchEvents, type EventDestinationRouter } from '../events/outbox.service';
import { advancedSelectorMatches, lazySelectable } from '../selectors/selector-matcher';
import { holdsCloudTrailEvents } from './event-data-store-access';
import {
  ENRICHED_CATEGORIES,
  eventBytes,
  eventContextOf,
  involvedArns,
  MAX_EVENT_BYTES,
  type ResourceTags,
} from './event-configuration/event-configuration-rules';
import { insertLakeEventsJson } from './lake-event.repository';
import { lakeRoutingRepository, type RoutableStore } from './lake-routing.repository';

/** A store covers an event's region when it is multi-Region or the region is its home (spec §8.1.1). */
export function storeCoversRegion(store: Pick<RoutableStore, 'multiRegionEnabled' | 'region'>, region: string): boolean {
  return store.multiRegionEnabled || store.region === region;
}

/** Which events of a batch each store receives: region coverage, then any selector matching. Pure. */
export function selectStoreEvents(stores: RoutableStore[], events: BatchEvent[]): Map<RoutableStore, BatchEvent[]> {
  const out = new Map<RoutableStore, BatchEvent[]>();
  for (const e of events) {
    const view = lazySelectable(e);
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

function insightTypeOf(e: BatchEvent): string | undefined {
  const details = (JSON.parse(e.record) as { insightDetails?: { insightType?: string } }).insightDetails;
  return details?.insightType;
}

/**
 * Which Insights events each Insights destination receives (spec §10 "EDS Insights"): those of a
 * source store that covers the event's region and enables its Insights type, delivered to that
 * source's destination. Insights events reach no other store. Pure.
 */
export function selectInsightsDestinationEvents(
  sources: RoutableStore[],
  destinations: RoutableStore[],
  events: BatchEvent[],
): Map<RoutableStore, BatchEvent[]> {
  const byId = new Map(destinations.map((d) => [d.id, d]));
  const out = new Map<RoutableStore, BatchEvent[]>();
  for (const e of events) {
    if (e.eventCategory !== 'Insight') continue;
    const type = insightTypeOf(e);
    const targets = new Set<RoutableStore>();
    for (const s of sources) {
      const destination = s.insightsDestinationId ? byId.get(s.insightsDestinationId) : undefined;
      if (!destination || !storeCoversRegion(s, e.region)) continue;
      if (!(s.insightSelectors ?? []).some((sel) => sel.InsightType === type)) continue;
      targets.add(destination);
    }
    for (const d of targets) {
      const list = out.get(d) ?? [];
      list.push(e);
      out.set(d, list);
    }
  }
  return out;
}

/** What enrichment needs to know besides the record: the account's resource tags and organization. */
export interface EnrichmentFacts {
  accountId: string;
  resources: ResourceTags;
  organizationId: string | null;
}

/**
 * The records a store receives of its selected events, as stored (spec §4.5): a store with context
 * key selectors gets management and data events with their `eventContext` when the enriched record
 * fits the store's MaxEventSize, and the record as recorded otherwise. Every routed event was
 * accepted into event history, whose limit is the smallest MaxEventSize (Standard) measured on
 * the submitted record, so the record as recorded is always stored: enrichment never costs an
 * event, and normalisation's few added fields never push one out of a Standard store. Pure.
 */
export function storedRecords(store: RoutableStore, events: BatchEvent[], facts: EnrichmentFacts): string[] {
  const limit = MAX_EVENT_BYTES[store.maxEventSize ?? 'Standard'];
  const selectors = store.contextKeySelectors ?? [];
  const out: string[] = [];
  for (const e of events) {
    if (selectors.length && ENRICHED_CATEGORIES.has(e.eventCategory)) {
      const record = JSON.parse(e.record) as Record<string, any>;
      const own = record.userIdentity?.accountId === facts.accountId;
      const context = eventContextOf(record, selectors, { resources: facts.resources, principalOrgId: own ? facts.organizationId : null });
      if (context) {
        const enriched = JSON.stringify({ ...record, eventContext: context });
        if (eventBytes(enriched) <= limit) {
          out.push(enriched);
          continue;
        }
      }
    }
    out.push(e.record);
  }
  return out;
}

/** Looks up, once per batch, the tags and organization the enriching stores need. */
async function enrichmentFacts(
  client: PoolClient,
  accountId: string,
  stores: RoutableStore[],
  events: BatchEvent[],
): Promise<EnrichmentFacts> {
  const facts: EnrichmentFacts = { accountId, resources: new Map(), organizationId: null };
  const selectors = stores.flatMap((s) => s.contextKeySelectors ?? []);
  if (selectors.some((s) => s.Type === 'TagContext')) {
    const arns = new Set<string>();
    for (const e of events) if (ENRICHED_CATEGORIES.has(e.eventCategory)) for (const a of involvedArns(JSON.parse(e.record))) arns.add(a);
    facts.resources = await lakeRoutingRepository.resourceTagsOf(client, accountId, [...arns]);
  }
  if (selectors.some((s) => s.Type === 'RequestContext' && s.Equals.includes('aws:PrincipalOrgID')))
    facts.organizationId = await lakeRoutingRepository.organizationOf(client, accountId);
  return facts;
}

/**
 * The aggregation step for CloudTrail Lake: each committed outbox batch is copied into every
 * ENABLED store that covers it, inside the routing transaction, so the copy commits exactly once
 * with the routed mark (and a retried routing inserts nothing new: ON CONFLICT DO NOTHING).
 * Stopped or pending-deletion stores receive nothing; integration (ActivityAuditLog) stores are
 * fed by channels only. Insights events go only to the Insights destinations of covering source
 * stores with Insights (an Insight-category store receives nothing else).
 */
export class LakeEventRouter implements EventDestinationRouter {
  readonly name = 'lake';

  async route(client: PoolClient, batch: OutboxBatch): Promise<void> {
    const stores = (await lakeRoutingRepository.ingestingStoresCovering(client, batch.accountId)).filter(holdsCloudTrailEvents);
    if (stores.length === 0) return;
    const events = await batchEvents(client, batch);
    const routed = selectStoreEvents(stores, events);
    const facts = await enrichmentFacts(client, batch.accountId, [...routed.keys()], events);
    for (const [store, selected] of routed) {
      const records = storedRecords(store, selected, facts);
      if (records.length) await insertLakeEventsJson(client, store.id, store.accountId, records);
    }
    const sources = stores.filter((s) => s.insightsDestinationId && s.insightSelectors?.length);
    if (sources.length === 0 || !events.some((e) => e.eventCategory === 'Insight')) return;
    const destinations = await lakeRoutingRepository.enabledStoresById(client, [
      ...new Set(sources.map((s) => s.insightsDestinationId as string)),
    ]);
    for (const [store, selected] of selectInsightsDestinationEvents(sources, destinations, events)) {
      const records = storedRecords(store, selected, facts);
      if (records.length) await insertLakeEventsJson(client, store.id, store.accountId, records);
    }
  }
}
