import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { fromAdvancedEventSelectorInput } from '../trails/trail.mappers';
import { toEventDataStore } from './event-data-store.mappers';
import {
  CreateEventDataStoreInput,
  EventDataStore,
  EventDataStoreRefInput,
  ListEventDataStoresInput,
  ListEventDataStoresResult,
  UpdateEventDataStoreInput,
} from './event-data-store.types';

@Resolver()
export class EventDataStoreResolver {
  @Mutation(() => EventDataStore, { description: 'Creates an event data store in the region of the request; it ingests at once unless startIngestion is false.' })
  async createEventDataStore(@Arg('input', () => CreateEventDataStoreInput) input: CreateEventDataStoreInput, @Ctx() ctx: GraphQLContext): Promise<EventDataStore> {
    const store = await ctx.services.lakeStorage.stores.create(requestContext(ctx), {
      ...input,
      advancedEventSelectors: input.advancedEventSelectors?.map(fromAdvancedEventSelectorInput) ?? null,
    });
    return toEventDataStore(store, { withTags: true });
  }

  @Query(() => EventDataStore, { description: 'An event data store by ARN or ID.' })
  async getEventDataStore(@Arg('input', () => EventDataStoreRefInput) input: EventDataStoreRefInput, @Ctx() ctx: GraphQLContext): Promise<EventDataStore> {
    return toEventDataStore(await ctx.services.lakeStorage.stores.get(requestContext(ctx), input.eventDataStore));
  }

  @Query(() => ListEventDataStoresResult, { description: 'Event data stores of the caller in the region of the request (and organization stores it administers).' })
  async listEventDataStores(
    @Arg('input', () => ListEventDataStoresInput, { nullable: true }) input: ListEventDataStoresInput | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ListEventDataStoresResult> {
    const page = await ctx.services.lakeStorage.stores.list(requestContext(ctx), input ?? {});
    return { eventDataStores: page.stores.map((s) => ({ eventDataStoreArn: s.arn, name: s.name })), nextToken: page.nextToken };
  }

  @Mutation(() => EventDataStore, { description: 'Changes the given settings of an event data store.' })
  async updateEventDataStore(@Arg('input', () => UpdateEventDataStoreInput) input: UpdateEventDataStoreInput, @Ctx() ctx: GraphQLContext): Promise<EventDataStore> {
    const store = await ctx.services.lakeStorage.stores.update(requestContext(ctx), {
      ...input,
      advancedEventSelectors: input.advancedEventSelectors?.map(fromAdvancedEventSelectorInput) ?? null,
    });
    return toEventDataStore(store);
  }

  @Mutation(() => Boolean, { description: 'Deletes an event data store: PENDING_DELETION for 7 days (restorable), then purged.' })
  async deleteEventDataStore(@Arg('input', () => EventDataStoreRefInput) input: EventDataStoreRefInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.lakeStorage.stores.delete(requestContext(ctx), input.eventDataStore);
    return true;
  }

  @Mutation(() => EventDataStore, { description: 'Restores an event data store that is pending deletion.' })
  async restoreEventDataStore(@Arg('input', () => EventDataStoreRefInput) input: EventDataStoreRefInput, @Ctx() ctx: GraphQLContext): Promise<EventDataStore> {
    return toEventDataStore(await ctx.services.lakeStorage.stores.restore(requestContext(ctx), input.eventDataStore));
  }

  @Mutation(() => Boolean, { description: 'Resumes ingestion of a stopped event data store.' })
  async startEventDataStoreIngestion(@Arg('input', () => EventDataStoreRefInput) input: EventDataStoreRefInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.lakeStorage.stores.setIngestion(requestContext(ctx), input.eventDataStore, true);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Stops ingestion of live events; the store stays queryable.' })
  async stopEventDataStoreIngestion(@Arg('input', () => EventDataStoreRefInput) input: EventDataStoreRefInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.lakeStorage.stores.setIngestion(requestContext(ctx), input.eventDataStore, false);
    return true;
  }
}
