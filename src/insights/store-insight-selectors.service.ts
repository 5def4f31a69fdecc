import { OpenTrailError } from '../common/errors';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Database } from '../db/database';
import { resolveStore, resolveStoreForWrite, storeCategories } from '../lake/event-data-store-access';
import { EventDataStoreEntity } from '../lake/event-data-store.entity';
import { eventDataStoreArn } from '../lake/event-data-store-names';
import { LakeErrors } from '../lake/lake.errors';
import { validateInsightSelectors } from '../selectors/selector-validation';
import type { InsightSelector } from '../trails/trail.entity';
import { TrailErrors } from '../trails/trail.errors';

export interface StoreInsightSelectorsView {
  eventDataStoreArn: string;
  insightSelectors: InsightSelector[];
  /** ARN of the Insight-category store that receives the Insights events; null when disabled. */
  insightsDestination: string | null;
}

type InsightSelectorInput = { InsightType?: string | null; EventCategories?: string[] | null };

/**
 * Insights on event data stores (spec §10 "EDS Insights", §4.7): a source store of management
 * events and a destination store of the same account that collects `eventCategory = Insight`.
 * Counting and detection treat an ENABLED source like a logging trail with Insights; the Lake
 * router copies the resulting Insights events to the destination only (lake-event.router.ts).
 */
export class StoreInsightSelectorsService {
  constructor(private readonly db: Database) {}

  /** cloudtrail:PutInsightSelectors with EventDataStore (+ InsightsDestination); [] disables. */
  async put(
    ctx: RequestContext,
    input: { eventDataStore: string; insightsDestination?: string | null; insightSelectors: InsightSelectorInput[] },
  ): Promise<StoreInsightSelectorsView> {
    if (!Array.isArray(input.insightSelectors)) throw TrailErrors.insightSelectors('InsightSelectors is required.');
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const source = await resolveStoreForWrite(m, ctx, input.eventDataStore);
      const categories = storeCategories(source);
      if (categories.size !== 1 || !categories.has('Management')) {
        throw TrailErrors.insightSelectors(
          `Insights can only be enabled on an event data store of management events; ${source.arn} is not one.`,
        );
      }
      for (const s of input.insightSelectors) {
        if (s.EventCategories && s.EventCategories.some((c) => c !== 'Management')) {
          throw TrailErrors.insightSelectors(
            'Event data store Insights analyze management events only; EventCategories must be Management.',
          );
        }
      }
      const selectors = validateInsightSelectors(input.insightSelectors, {
        eventSelectors: null,
        advancedEventSelectors: source.advancedEventSelectors,
      });
      if (selectors.length === 0) {
        await m.update(EventDataStoreEntity, { id: source.id }, { insightSelectors: null, insightsDestinationId: null });
        return { eventDataStoreArn: source.arn, insightSelectors: [], insightsDestination: null };
      }
      if (!input.insightsDestination) {
        throw TrailErrors.invalidParameter('InsightsDestination is required to enable Insights on an event data store.');
      }
      const destination = await resolveStore(m, ctx, input.insightsDestination);
      if (destination.accountId !== source.accountId) {
        throw TrailErrors.invalidParameter(
          'The Insights destination must be an event data store of the same account as the source event data store.',
        );
      }
      if (destination.status === 'PENDING_DELETION') throw LakeErrors.inactive(destination.arn);
      const destinationCategories = storeCategories(destination);
      if (destinationCategories.size !== 1 || !destinationCategories.has('Insight')) {
        throw TrailErrors.invalidParameter(
          `The Insights destination ${destination.arn} must be an event data store that collects Insight events (eventCategory = Insight).`,
        );
      }
      await m.update(EventDataStoreEntity, { id: source.id }, { insightSelectors: selectors, insightsDestinationId: destination.id });
      return { eventDataStoreArn: source.arn, insightSelectors: selectors, insightsDestination: destination.arn };
    });
  }

  /** cloudtrail:GetInsightSelectors with EventDataStore; InsightNotEnabledException when none. */
  async get(ctx: RequestContext, input: { eventDataStore: string }): Promise<StoreInsightSelectorsView> {
    const store = await this.db.inTenant(tenantOf(ctx), (m) => resolveStore(m, ctx, input.eventDataStore));
    if (!store.insightSelectors || store.insightSelectors.length === 0 || !store.insightsDestinationId) {
      throw new OpenTrailError(
        'InsightNotEnabledException',
        `Event data store ${store.arn} does not have Insights enabled. Edit the event data store settings to enable Insights, and then try the operation again.`,
      );
    }
    return {
      eventDataStoreArn: store.arn,
      insightSelectors: store.insightSelectors,
      insightsDestination: eventDataStoreArn(store.region, store.accountId, store.insightsDestinationId),
    };
  }
}
