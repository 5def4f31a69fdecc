import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { namedCloudTrailResource, type OperationResource } from '../../common/cloudtrail-resources';
import type { RequestContext } from '../../common/request-context';
import { Operation, OperationService } from '../../graphql/operation.decorator';
import { CallerRequest } from '../../graphql/request-context.decorator';
import { TRAIL_RESOURCE } from '../../trails/trail-names';
import { EVENT_DATA_STORE_RESOURCE } from '../event-data-store-names';
import type { EventConfigurationService, EventConfigurationView } from './event-configuration.service';
import { EventConfigurationResult, GetEventConfigurationInput, PutEventConfigurationInput } from './event-configuration.types';

const byTrailName = namedCloudTrailResource(TRAIL_RESOURCE, 'input.trailName');
const byStore = namedCloudTrailResource(EVENT_DATA_STORE_RESOURCE, 'input.eventDataStore');
/** The event configuration of an event data store, or of a trail. */
const byTrailOrStore: OperationResource = (args, caller, meta) =>
  args.input?.eventDataStore && !args.input?.trailName ? byStore(args, caller, meta) : byTrailName(args, caller, meta);

const toResult = (v: EventConfigurationView): EventConfigurationResult => ({
  trailARN: v.trailArn,
  eventDataStoreArn: v.eventDataStoreArn,
  maxEventSize: v.maxEventSize,
  contextKeySelectors: v.contextKeySelectors?.map((s) => ({ type: s.Type, equals: s.Equals })) ?? null,
  aggregationConfigurations: v.aggregationConfigurations?.map((c) => ({ templates: c.Templates, eventCategory: c.EventCategory })) ?? null,
});

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class EventConfigurationResolver {
  constructor(private readonly configurations: EventConfigurationService) {}

  @Operation({ resource: byTrailOrStore })
  @Mutation(() => EventConfigurationResult, {
    description: "Sets an event data store's maximum event size and context key selectors (enriched events); home region only.",
  })
  async putEventConfiguration(
    @Arg('input', () => PutEventConfigurationInput) input: PutEventConfigurationInput,
    @CallerRequest() request: RequestContext,
  ): Promise<EventConfigurationResult> {
    const view = await this.configurations.put(request, {
      trailName: input.trailName,
      eventDataStore: input.eventDataStore,
      maxEventSize: input.maxEventSize,
      contextKeySelectors: input.contextKeySelectors?.map((s) => ({ Type: s.type, Equals: s.equals })) ?? null,
      aggregationConfigurations:
        input.aggregationConfigurations?.map((c) => ({ Templates: c.templates, EventCategory: c.eventCategory })) ?? null,
    });
    return toResult(view);
  }

  @Operation({ resource: byTrailOrStore })
  @Query(() => EventConfigurationResult, { description: 'The event configuration of an event data store or trail.' })
  async getEventConfiguration(
    @Arg('input', () => GetEventConfigurationInput) input: GetEventConfigurationInput,
    @CallerRequest() request: RequestContext,
  ): Promise<EventConfigurationResult> {
    return toResult(await this.configurations.get(request, input));
  }
}
