import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { everyCloudTrailResource, namedCloudTrailResource } from '../common/cloudtrail-resources';
import type { RequestContext } from '../common/request-context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import { fromAdvancedEventSelectorInput } from '../trails/trail.mappers';
import { EVENT_DATA_STORE_RESOURCE } from './event-data-store-names';
import { toEventDataStore } from './event-data-store.mappers';
import type { EventDataStoreService } from './event-data-store.service';
import {
  CreateEventDataStoreInput,
  EventDataStore,
  EventDataStoreRefInput,
  ListEventDataStoresInput,
  ListEventDataStoresResult,
  UpdateEventDataStoreInput,
} from './event-data-store.types';

const byStore = namedCloudTrailResource(EVENT_DATA_STORE_RESOURCE, 'input.eventDataStore');
const allStores = everyCloudTrailResource(EVENT_DATA_STORE_RESOURCE);

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class EventDataStoreResolver {
  constructor(private readonly stores: EventDataStoreService) {}

  @Operation({ resource: allStores })
  @Mutation(() => EventDataStore, {
    description: 'Creates an event data store in the region of the request; it ingests at once unless startIngestion is false.',
  })
  async createEventDataStore(
    @Arg('input', () => CreateEventDataStoreInput) input: CreateEventDataStoreInput,
    @CallerRequest() request: RequestContext,
  ): Promise<EventDataStore> {
    const store = await this.stores.create(request, {
      ...input,
      advancedEventSelectors: input.advancedEventSelectors?.map(fromAdvancedEventSelectorInput) ?? null,
    });
    return toEventDataStore(store, { withTags: true });
  }

  @Operation({ resource: byStore })
  @Query(() => EventDataStore, { description: 'An event data store by ARN or ID.' })
  async getEventDataStore(
    @Arg('input', () => EventDataStoreRefInput) input: EventDataStoreRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<EventDataStore> {
    return toEventDataStore(await this.stores.get(request, input.eventDataStore));
  }

  @Operation({ resource: allStores })
  @Query(() => ListEventDataStoresResult, {
    description: 'Event data stores of the caller in the region of the request (and organization stores it administers).',
  })
  async listEventDataStores(
    @Arg('input', () => ListEventDataStoresInput, { nullable: true }) input: ListEventDataStoresInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListEventDataStoresResult> {
    const page = await this.stores.list(request, input ?? {});
    return { eventDataStores: page.stores.map((s) => ({ eventDataStoreArn: s.arn, name: s.name })), nextToken: page.nextToken };
  }

  @Operation({ resource: byStore })
  @Mutation(() => EventDataStore, { description: 'Changes the given settings of an event data store.' })
  async updateEventDataStore(
    @Arg('input', () => UpdateEventDataStoreInput) input: UpdateEventDataStoreInput,
    @CallerRequest() request: RequestContext,
  ): Promise<EventDataStore> {
    const store = await this.stores.update(request, {
      ...input,
      advancedEventSelectors: input.advancedEventSelectors?.map(fromAdvancedEventSelectorInput) ?? null,
    });
    return toEventDataStore(store);
  }

  @Operation({ resource: byStore })
  @Mutation(() => Boolean, { description: 'Deletes an event data store: PENDING_DELETION for 7 days (restorable), then purged.' })
  async deleteEventDataStore(
    @Arg('input', () => EventDataStoreRefInput) input: EventDataStoreRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.stores.delete(request, input.eventDataStore);
    return true;
  }

  @Operation({ resource: byStore })
  @Mutation(() => EventDataStore, { description: 'Restores an event data store that is pending deletion.' })
  async restoreEventDataStore(
    @Arg('input', () => EventDataStoreRefInput) input: EventDataStoreRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<EventDataStore> {
    return toEventDataStore(await this.stores.restore(request, input.eventDataStore));
  }

  @Operation({ resource: byStore })
  @Mutation(() => Boolean, { description: 'Resumes ingestion of a stopped event data store.' })
  async startEventDataStoreIngestion(
    @Arg('input', () => EventDataStoreRefInput) input: EventDataStoreRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.stores.setIngestion(request, input.eventDataStore, true);
    return true;
  }

  @Operation({ resource: byStore })
  @Mutation(() => Boolean, { description: 'Stops ingestion of live events; the store stays queryable.' })
  async stopEventDataStoreIngestion(
    @Arg('input', () => EventDataStoreRefInput) input: EventDataStoreRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.stores.setIngestion(request, input.eventDataStore, false);
    return true;
  }
}
