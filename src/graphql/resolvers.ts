import type { ContainerType, NonEmptyArray } from 'type-graphql';
import type { Services } from '../app/services';
import { AuthResolver } from '../auth/auth.resolver';
import { ChannelResolver } from '../lake/channels/channel.resolver';
import { EventsResolver } from '../events/events.resolver';
import { InsightsResolver } from '../insights/insights.resolver';
import { IntegrityResolver } from '../integrity/integrity.resolver';
import { EventConfigurationResolver } from '../lake/event-configuration/event-configuration.resolver';
import { EventDataStoreResolver } from '../lake/event-data-store.resolver';
import { LakeImportResolver } from '../lake/imports/lake-import.resolver';
import { LakeQueryResolver } from '../lake/query/lake-query.resolver';
import { DashboardResolver } from '../lake/dashboards/dashboard.resolver';
import { ResourcePolicyResolver } from '../lake/resource-policies/resource-policy.resolver';
import { SampleQueryResolver } from '../lake/samples/sample-query.resolver';
import { DelegatedAdminResolver } from '../organizations/delegated-admin.resolver';
import { OrganizationsResolver } from '../organizations/organizations.resolver';
import { KmsResolver } from '../kms/kms.resolver';
import { IamResolver } from '../principals/iam.resolver';
import { RegionsResolver } from '../regions/regions.resolver';
import { StreamingResolver } from '../streaming/streaming.resolver';
import { StorageResolver } from '../storage/storage.resolver';
import { TrailSelectorsResolver } from '../trails/trail-selectors.resolver';
import { TrailResolver } from '../trails/trail.resolver';

/** A resolver class of the schema and how to build it from the services it is given. */
interface ResolverEntry {
  resolver: Function;
  create(services: Services): object;
}
const entry = <T extends object>(resolver: new (...args: any[]) => T, create: (services: Services) => T): ResolverEntry => ({
  resolver,
  create,
});

/**
 * Every resolver class of the schema, with the services each is constructed with: resolvers take
 * what they use through their constructors, never from the request context.
 */
const ENTRIES: ResolverEntry[] = [
  entry(AuthResolver, (s) => new AuthResolver(s.sessions)),
  entry(RegionsResolver, (s) => new RegionsResolver(s.config.homeRegion)),
  entry(IamResolver, (s) => new IamResolver(s.iam)),
  entry(OrganizationsResolver, (s) => new OrganizationsResolver(s.organizations)),
  entry(DelegatedAdminResolver, (s) => new DelegatedAdminResolver(s.delegatedAdmins)),
  entry(EventsResolver, (s) => new EventsResolver(s.eventRecorder, s.eventHistory)),
  entry(StorageResolver, (s) => new StorageResolver(s.storage)),
  entry(TrailResolver, (s) => new TrailResolver(s.trails.lifecycle, s.trails.reads)),
  entry(TrailSelectorsResolver, (s) => new TrailSelectorsResolver(s.trails.selectors, s.insights.storeSelectors, s.tags)),
  entry(StreamingResolver, (s) => new StreamingResolver(s.topics, s.eventRules)),
  entry(InsightsResolver, (s) => new InsightsResolver(s.insights.metrics, s.insights.data)),
  entry(KmsResolver, (s) => new KmsResolver(s.kms.keys, s.kms.aliases)),
  entry(IntegrityResolver, (s) => new IntegrityResolver(s.integrity)),
  entry(EventDataStoreResolver, (s) => new EventDataStoreResolver(s.lakeStorage.stores)),
  entry(EventConfigurationResolver, (s) => new EventConfigurationResolver(s.lakeStorage.eventConfigurations)),
  entry(LakeImportResolver, (s) => new LakeImportResolver(s.lakeStorage.imports)),
  entry(LakeQueryResolver, (s) => new LakeQueryResolver(s.lakeQueries)),
  entry(SampleQueryResolver, (s) => new SampleQueryResolver(s.sampleQueries)),
  entry(DashboardResolver, (s) => new DashboardResolver(s.lakeDashboards)),
  entry(ChannelResolver, (s) => new ChannelResolver(s.lakeStorage.channels, s.lakeStorage.auditEvents)),
  entry(ResourcePolicyResolver, (s) => new ResourcePolicyResolver(s.resourcePolicies)),
];

export const RESOLVERS = ENTRIES.map((e) => e.resolver) as NonEmptyArray<Function>;

const containers = new WeakMap<Services, ContainerType>();

/** The resolver instances of one set of services (one per process; tests may run several). */
export function resolverContainer(services: Services): ContainerType {
  let container = containers.get(services);
  if (!container) {
    const instances = new Map(ENTRIES.map((e) => [e.resolver, e.create(services)]));
    container = {
      get(resolverClass: Function) {
        const instance = instances.get(resolverClass);
        if (!instance) throw new Error(`${resolverClass.name} is not in the resolver registry`);
        return instance;
      },
    };
    containers.set(services, container);
  }
  return container;
}
