import { OpenTrailError } from '../../common/errors';
import { type RequestContext, tenantOf } from '../../common/request-context';
import type { Database } from '../../db/database';
import { resolveTrail, resolveTrailForWrite } from '../../trails/trail-access';
import { resolveStore, resolveStoreForWrite, storeCategories } from '../event-data-store-access';
import { type ContextKeySelector, EventDataStoreEntity, type MaxEventSize } from '../event-data-store.entity';
import { LakeErrors } from '../lake.errors';
import { isMaxEventSize, validateContextKeySelectors } from './event-configuration-rules';

/** What Put/GetEventConfiguration answer (spec §4.7): a store's settings, or a trail's (no aggregation). */
export interface EventConfigurationView {
  trailArn: string | null;
  eventDataStoreArn: string | null;
  maxEventSize: MaxEventSize | null;
  contextKeySelectors: ContextKeySelector[] | null;
  aggregationConfigurations: Array<{ Templates: string[]; EventCategory: string }> | null;
}

export interface EventConfigurationTarget {
  trailName?: string | null;
  eventDataStore?: string | null;
}

export interface PutEventConfigurationInput extends EventConfigurationTarget {
  maxEventSize?: string | null;
  contextKeySelectors?: Array<{ Type?: string | null; Equals?: string[] | null }> | null;
  aggregationConfigurations?: Array<{ Templates?: string[] | null; EventCategory?: string | null }> | null;
}

const TEMPLATES = new Set(['API_ACTIVITY', 'RESOURCE_ACCESS', 'USER_ACTIONS']);
const combination = (message: string) => new OpenTrailError('InvalidParameterCombinationException', message);

/** Exactly one of TrailName and EventDataStore (spec §4.5). */
function targetOf(input: EventConfigurationTarget): 'trail' | 'store' {
  if (input.trailName && input.eventDataStore) throw combination('Specify either TrailName or EventDataStore, not both.');
  if (input.eventDataStore) return 'store';
  if (!input.trailName) throw LakeErrors.invalidParameter('Specify TrailName or EventDataStore.');
  return 'trail';
}

/**
 * Event configuration of event data stores (PutEventConfiguration / GetEventConfiguration, spec
 * §4.5): the largest event a store takes (MaxEventSize, enforced by the Lake router, imports and
 * PutAuditEvents) and the context key selectors that add `eventContext` to its management and
 * data events (the router enriches, event-configuration-rules.ts). A trail's event configuration
 * is its aggregation of data events, which OpenTrail does not produce: reads show none, and
 * setting one is refused (UnsupportedOperationException), changing nothing.
 */
export class EventConfigurationService {
  constructor(private readonly db: Database) {}

  /** cloudtrail:PutEventConfiguration. A field left out keeps its current value. */
  async put(ctx: RequestContext, input: PutEventConfigurationInput): Promise<EventConfigurationView> {
    if (targetOf(input) === 'trail') return this.putTrail(ctx, input);
    if (input.aggregationConfigurations != null)
      throw combination('AggregationConfigurations apply to a trail, not to an event data store.');
    if (input.maxEventSize == null && input.contextKeySelectors == null)
      throw LakeErrors.invalidParameter('Specify MaxEventSize or ContextKeySelectors.');
    if (input.maxEventSize != null && !isMaxEventSize(input.maxEventSize))
      throw LakeErrors.invalidParameter(`MaxEventSize must be Standard or Large; got ${String(input.maxEventSize).slice(0, 32)}.`);
    const selectors = input.contextKeySelectors != null ? validateContextKeySelectors(input.contextKeySelectors) : null;
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const store = await resolveStoreForWrite(m, ctx, input.eventDataStore as string);
      const categories = storeCategories(store);
      if (categories.has('Insight'))
        throw LakeErrors.invalidCategory(`Event data store ${store.arn} collects Insights events: it has no event configuration.`);
      const maxEventSize = (input.maxEventSize as MaxEventSize | null | undefined) ?? store.maxEventSize;
      const contextKeySelectors = selectors ?? store.contextKeySelectors ?? [];
      if (contextKeySelectors.length && !categories.has('Management') && !categories.has('Data'))
        throw LakeErrors.invalidCategory(
          `Context key selectors enrich management and data events; event data store ${store.arn} holds neither.`,
        );
      if (contextKeySelectors.length && maxEventSize !== 'Large')
        throw LakeErrors.invalidParameter('MaxEventSize must be Large when the event data store uses context key selectors.');
      await m.update(
        EventDataStoreEntity,
        { id: store.id },
        { maxEventSize, contextKeySelectors: contextKeySelectors.length ? contextKeySelectors : null },
      );
      return storeView(store.arn, maxEventSize, contextKeySelectors);
    });
  }

  /** cloudtrail:GetEventConfiguration. */
  async get(ctx: RequestContext, input: EventConfigurationTarget): Promise<EventConfigurationView> {
    if (targetOf(input) === 'trail') {
      const trail = await this.db.inTenant(tenantOf(ctx), (m) => resolveTrail(m, ctx, input.trailName as string));
      return trailView(trail.trailArn);
    }
    const store = await this.db.inTenant(tenantOf(ctx), (m) => resolveStore(m, ctx, input.eventDataStore as string));
    if (storeCategories(store).has('Insight'))
      throw LakeErrors.invalidCategory(`Event data store ${store.arn} collects Insights events: it has no event configuration.`);
    return storeView(store.arn, store.maxEventSize, store.contextKeySelectors ?? []);
  }

  private async putTrail(ctx: RequestContext, input: PutEventConfigurationInput): Promise<EventConfigurationView> {
    if (input.maxEventSize != null || input.contextKeySelectors != null)
      throw combination('MaxEventSize and ContextKeySelectors apply to an event data store, not to a trail.');
    const configurations = input.aggregationConfigurations;
    if (configurations == null) throw LakeErrors.invalidParameter('Specify AggregationConfigurations for a trail.');
    if (configurations.length > 1) throw LakeErrors.invalidParameter('AggregationConfigurations holds at most 1 configuration.');
    for (const c of configurations) {
      if (c.EventCategory !== 'Data') throw LakeErrors.invalidParameter('An aggregation configuration EventCategory must be Data.');
      if (!Array.isArray(c.Templates) || c.Templates.length < 1 || c.Templates.length > 50 || c.Templates.some((t) => !TEMPLATES.has(t)))
        throw LakeErrors.invalidParameter('Templates must list 1 to 50 of API_ACTIVITY, RESOURCE_ACCESS and USER_ACTIONS.');
    }
    // The trail must exist and be the caller's to change, here, before anything is said about aggregation.
    const trail = await this.db.inTenant(tenantOf(ctx), (m) => resolveTrailForWrite(m, ctx, input.trailName as string));
    if (configurations.length === 0) return trailView(trail.trailArn);
    throw new OpenTrailError(
      'UnsupportedOperationException',
      'OpenTrail does not aggregate data events into summary events: a trail takes no AggregationConfigurations.',
    );
  }
}

const storeView = (arn: string, maxEventSize: MaxEventSize, contextKeySelectors: ContextKeySelector[]): EventConfigurationView => ({
  trailArn: null,
  eventDataStoreArn: arn,
  maxEventSize,
  contextKeySelectors,
  aggregationConfigurations: null,
});

const trailView = (arn: string): EventConfigurationView => ({
  trailArn: arn,
  eventDataStoreArn: null,
  maxEventSize: null,
  contextKeySelectors: null,
  aggregationConfigurations: [],
});
