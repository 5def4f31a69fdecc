import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import {
  fromAdvancedEventSelectorInput,
  fromEventSelectorInput,
  fromInsightSelectorInput,
  toAdvancedEventSelector,
  toEventSelector,
  toInsightSelector,
} from './trail.mappers';
import type { EventSelectorsView } from './trail-selectors.service';
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
  if (input.trailName && input.eventDataStore) throw TrailErrors.parameterCombination('Specify either trailName or eventDataStore, not both.');
  if (input.eventDataStore) return 'store';
  if (!input.trailName) throw TrailErrors.invalidParameter('Specify trailName or eventDataStore.');
  return 'trail';
}

@Resolver()
export class TrailSelectorsResolver {
  @Mutation(() => EventSelectorsResult, { description: 'Sets basic or advanced event selectors (one kind replaces the other); home region only.' })
  async putEventSelectors(@Arg('input', () => PutEventSelectorsInput) input: PutEventSelectorsInput, @Ctx() ctx: GraphQLContext): Promise<EventSelectorsResult> {
    const view = await ctx.services.trails.selectors.putEventSelectors(requestContext(ctx), {
      trailName: input.trailName,
      eventSelectors: input.eventSelectors?.map(fromEventSelectorInput) ?? null,
      advancedEventSelectors: input.advancedEventSelectors?.map(fromAdvancedEventSelectorInput) ?? null,
    });
    return toSelectorsResult(view);
  }

  @Query(() => EventSelectorsResult, { description: 'The event selectors of a trail.' })
  async getEventSelectors(@Arg('input', () => TrailNameRefInput) input: TrailNameRefInput, @Ctx() ctx: GraphQLContext): Promise<EventSelectorsResult> {
    return toSelectorsResult(await ctx.services.trails.selectors.getEventSelectors(requestContext(ctx), input));
  }

  @Mutation(() => InsightSelectorsResult, {
    description: 'Sets the Insights types of a trail, or of a source event data store with its insightsDestination (an empty list turns Insights off); home region only.',
  })
  async putInsightSelectors(@Arg('input', () => PutInsightSelectorsInput) input: PutInsightSelectorsInput, @Ctx() ctx: GraphQLContext): Promise<InsightSelectorsResult> {
    const target = insightsTarget(input);
    const insightSelectors = input.insightSelectors.map(fromInsightSelectorInput);
    if (target === 'store') {
      const r = await ctx.services.insights.storeSelectors.put(requestContext(ctx), {
        eventDataStore: input.eventDataStore as string,
        insightsDestination: input.insightsDestination,
        insightSelectors,
      });
      return { trailARN: null, insightSelectors: r.insightSelectors.map(toInsightSelector), eventDataStoreArn: r.eventDataStoreArn, insightsDestination: r.insightsDestination };
    }
    if (input.insightsDestination) throw TrailErrors.parameterCombination('insightsDestination applies to an eventDataStore, not to a trail.');
    const r = await ctx.services.trails.selectors.putInsightSelectors(requestContext(ctx), { trailName: input.trailName as string, insightSelectors });
    return { trailARN: r.trailArn, insightSelectors: r.insightSelectors.map(toInsightSelector), eventDataStoreArn: null, insightsDestination: null };
  }

  @Query(() => InsightSelectorsResult, { description: 'The Insights selectors of a trail or event data store (InsightNotEnabledException when none).' })
  async getInsightSelectors(@Arg('input', () => GetInsightSelectorsInput) input: GetInsightSelectorsInput, @Ctx() ctx: GraphQLContext): Promise<InsightSelectorsResult> {
    if (insightsTarget(input) === 'store') {
      const r = await ctx.services.insights.storeSelectors.get(requestContext(ctx), { eventDataStore: input.eventDataStore as string });
      return { trailARN: null, insightSelectors: r.insightSelectors.map(toInsightSelector), eventDataStoreArn: r.eventDataStoreArn, insightsDestination: r.insightsDestination };
    }
    const r = await ctx.services.trails.selectors.getInsightSelectors(requestContext(ctx), { trailName: input.trailName as string });
    return { trailARN: r.trailArn, insightSelectors: r.insightSelectors.map(toInsightSelector), eventDataStoreArn: null, insightsDestination: null };
  }

  @Mutation(() => Boolean, { description: 'Adds or overwrites tags of a trail (at most 50).' })
  async addTags(@Arg('input', () => TagsInput) input: TagsInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.trails.tags.addTags(requestContext(ctx), input);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Removes tags of a trail by key.' })
  async removeTags(@Arg('input', () => TagsInput) input: TagsInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.trails.tags.removeTags(requestContext(ctx), input);
    return true;
  }

  @Query(() => ListTagsResult, { description: 'Tags of up to 20 trails.' })
  async listTags(@Arg('input', () => ListTagsInput) input: ListTagsInput, @Ctx() ctx: GraphQLContext): Promise<ListTagsResult> {
    const list = await ctx.services.trails.tags.listTags(requestContext(ctx), input);
    return { resourceTagList: list.map((r) => ({ resourceId: r.resourceId, tagsList: r.tags.map((t) => ({ key: t.Key, value: t.Value })) })) };
  }
}
