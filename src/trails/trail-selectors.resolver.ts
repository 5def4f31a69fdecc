import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { everyCloudTrailResource, namedCloudTrailResource, type OperationResource } from '../common/cloudtrail-resources';
import type { RequestContext } from '../common/request-context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import type { StoreInsightSelectorsService } from '../insights/store-insight-selectors.service';
import { EVENT_DATA_STORE_RESOURCE } from '../lake/event-data-store-names';
import type { TagsService } from '../tagging/tags.service';
import { TRAIL_RESOURCE } from './trail-names';
import {
  fromAdvancedEventSelectorInput,
  fromEventSelectorInput,
  fromInsightSelectorInput,
  toAdvancedEventSelector,
  toEventSelector,
  toInsightSelector,
} from './trail.mappers';
import type { EventSelectorsView, TrailSelectorsService } from './trail-selectors.service';
import { TrailErrors } from './trail.errors';
import {
  EventSelectorsResult,
  GetInsightSelectorsInput,
  InsightSelectorsResult,
  ListTagsInput,
  ListTagsResult,
  PutEventSelectorsInput,
  PutInsightSelectorsInput,
  TagsInput,
  TrailNameRefInput,
} from './trail-selectors.types';

const toSelectorsResult = (v: EventSelectorsView): EventSelectorsResult => ({
  trailARN: v.trailArn,
  eventSelectors: v.eventSelectors?.map(toEventSelector) ?? null,
  advancedEventSelectors: v.advancedEventSelectors?.map(toAdvancedEventSelector) ?? null,
});

/** Insights selectors name a trail or an event data store: exactly one (spec §4.7). */
function insightsTarget(input: { trailName?: string | null; eventDataStore?: string | null }): 'trail' | 'store' {
  if (input.trailName && input.eventDataStore)
    throw TrailErrors.parameterCombination('Specify either trailName or eventDataStore, not both.');
  if (input.eventDataStore) return 'store';
  if (!input.trailName) throw TrailErrors.invalidParameter('Specify trailName or eventDataStore.');
  return 'trail';
}

const byTrailName = namedCloudTrailResource(TRAIL_RESOURCE, 'input.trailName');
const bySourceStore = namedCloudTrailResource(EVENT_DATA_STORE_RESOURCE, 'input.eventDataStore');
/** PutInsightSelectors/GetInsightSelectors name a trail or, for Lake Insights, a source event data store. */
const byTrailOrStore: OperationResource = (args, caller, meta) =>
  args.input?.eventDataStore && !args.input?.trailName ? bySourceStore(args, caller, meta) : byTrailName(args, caller, meta);
const byResourceId = namedCloudTrailResource(TRAIL_RESOURCE, 'input.resourceId');
const allTrails = everyCloudTrailResource(TRAIL_RESOURCE);

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class TrailSelectorsResolver {
  constructor(
    private readonly selectors: TrailSelectorsService,
    private readonly storeSelectors: StoreInsightSelectorsService,
    private readonly tags: TagsService,
  ) {}

  @Operation({ resource: byTrailName })
  @Mutation(() => EventSelectorsResult, {
    description: 'Sets basic or advanced event selectors (one kind replaces the other); home region only.',
  })
  async putEventSelectors(
    @Arg('input', () => PutEventSelectorsInput) input: PutEventSelectorsInput,
    @CallerRequest() request: RequestContext,
  ): Promise<EventSelectorsResult> {
    const view = await this.selectors.putEventSelectors(request, {
      trailName: input.trailName,
      eventSelectors: input.eventSelectors?.map(fromEventSelectorInput) ?? null,
      advancedEventSelectors: input.advancedEventSelectors?.map(fromAdvancedEventSelectorInput) ?? null,
    });
    return toSelectorsResult(view);
  }

  @Operation({ resource: byTrailName })
  @Query(() => EventSelectorsResult, { description: 'The event selectors of a trail.' })
  async getEventSelectors(
    @Arg('input', () => TrailNameRefInput) input: TrailNameRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<EventSelectorsResult> {
    return toSelectorsResult(await this.selectors.getEventSelectors(request, input));
  }

  @Operation({ resource: byTrailOrStore })
  @Mutation(() => InsightSelectorsResult, {
    description:
      'Sets the Insights types of a trail, or of a source event data store with its insightsDestination (an empty list turns Insights off); home region only.',
  })
  async putInsightSelectors(
    @Arg('input', () => PutInsightSelectorsInput) input: PutInsightSelectorsInput,
    @CallerRequest() request: RequestContext,
  ): Promise<InsightSelectorsResult> {
    const target = insightsTarget(input);
    const insightSelectors = input.insightSelectors.map(fromInsightSelectorInput);
    if (target === 'store') {
      const r = await this.storeSelectors.put(request, {
        eventDataStore: input.eventDataStore as string,
        insightsDestination: input.insightsDestination,
        insightSelectors,
      });
      return {
        trailARN: null,
        insightSelectors: r.insightSelectors.map(toInsightSelector),
        eventDataStoreArn: r.eventDataStoreArn,
        insightsDestination: r.insightsDestination,
      };
    }
    if (input.insightsDestination)
      throw TrailErrors.parameterCombination('insightsDestination applies to an eventDataStore, not to a trail.');
    const r = await this.selectors.putInsightSelectors(request, { trailName: input.trailName as string, insightSelectors });
    return {
      trailARN: r.trailArn,
      insightSelectors: r.insightSelectors.map(toInsightSelector),
      eventDataStoreArn: null,
      insightsDestination: null,
    };
  }

  @Operation({ resource: byTrailOrStore })
  @Query(() => InsightSelectorsResult, {
    description: 'The Insights selectors of a trail or event data store (InsightNotEnabledException when none).',
  })
  async getInsightSelectors(
    @Arg('input', () => GetInsightSelectorsInput) input: GetInsightSelectorsInput,
    @CallerRequest() request: RequestContext,
  ): Promise<InsightSelectorsResult> {
    if (insightsTarget(input) === 'store') {
      const r = await this.storeSelectors.get(request, { eventDataStore: input.eventDataStore as string });
      return {
        trailARN: null,
        insightSelectors: r.insightSelectors.map(toInsightSelector),
        eventDataStoreArn: r.eventDataStoreArn,
        insightsDestination: r.insightsDestination,
      };
    }
    const r = await this.selectors.getInsightSelectors(request, { trailName: input.trailName as string });
    return {
      trailARN: r.trailArn,
      insightSelectors: r.insightSelectors.map(toInsightSelector),
      eventDataStoreArn: null,
      insightsDestination: null,
    };
  }

  @Operation({ resource: byResourceId })
  @Mutation(() => Boolean, { description: 'Adds or overwrites tags of a trail (at most 50).' })
  async addTags(@Arg('input', () => TagsInput) input: TagsInput, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.tags.addTags(request, input);
    return true;
  }

  @Operation({ resource: byResourceId })
  @Mutation(() => Boolean, { description: 'Removes tags of a trail by key.' })
  async removeTags(@Arg('input', () => TagsInput) input: TagsInput, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.tags.removeTags(request, input);
    return true;
  }

  @Operation({ resource: allTrails })
  @Query(() => ListTagsResult, { description: 'Tags of up to 20 trails.' })
  async listTags(
    @Arg('input', () => ListTagsInput) input: ListTagsInput,
    @CallerRequest() request: RequestContext,
  ): Promise<ListTagsResult> {
    const list = await this.tags.listTags(request, input);
    return {
      resourceTagList: list.map((r) => ({ resourceId: r.resourceId, tagsList: r.tags.map((t) => ({ key: t.Key, value: t.Value })) })),
    };
  }
}
