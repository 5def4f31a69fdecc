import type { Logger } from 'pino';
import { type AuthServices, createAuthServices } from '../auth/auth-services';
import { AccountLimits } from '../common/account-limits';
import { ContentionGuard } from '../common/contention-guard';
import { createLimitsRedis } from '../common/limits-redis';
import type { RedisConnection } from '../common/redis-client';
import { TokenService } from '../auth/token.service';
import type { Config } from '../config';
import { MasterKey } from '../crypto/master-key';
import type { Database } from '../db/database';
import { createDeliveryService } from '../delivery/delivery-services';
import type { DeliveryService } from '../delivery/delivery.service';
import { TrailEventRouter } from '../delivery/trail-event.router';
import { createEventServices, type EventServices } from '../events/event-services';
import { InsightsCountRouter } from '../insights/insights-count.router';
import { createInsightsServices, type InsightsServices } from '../insights/insights-services';
import { createIntegrityServices, type IntegrityServices } from '../integrity/integrity-services';
import { createKmsServices, type KmsServices } from '../kms/kms-services';
import { LakeEventRouter } from '../lake/lake-event.router';
import { ensureLakePartitionsAround } from '../lake/lake-partitions';
import { createLakeStorageServices, type LakeStorageServices } from '../lake/lake-storage-services';
import { channelPolicies, eventDataStorePolicies } from '../lake/lake-resource-policies';
import { channelTags, eventDataStoreTags } from '../lake/lake-tags';
import { ResourcePolicyService } from '../lake/resource-policies/resource-policy.service';
import { DashboardService } from '../lake/dashboards/dashboard.service';
import { LakeQueryService } from '../lake/query/lake-query.service';
import { SampleQueryService } from '../lake/samples/sample-query.service';
import { LakeReaderPool } from '../lake/query/lake-reader';
import { RegionResultSigner } from '../lake/query/result-signer';
import type { Metrics } from '../observability/metrics';
import { DelegatedAdminService } from '../organizations/delegated-admin.service';
import { OrganizationsService } from '../organizations/organizations.service';
import { AccessKeySecrets } from '../principals/access-key-secrets';
import { IamService } from '../principals/iam.service';
import { createStreamingServices, type StreamingServices } from '../streaming/streaming-services';
import { StreamingRouter } from '../streaming/streaming.router';
import { createObjectStore } from '../storage/object-store-factory';
import { StorageService } from '../storage/storage.service';
import { TagsService } from '../tagging/tags.service';
import { createTrailServices, type TrailServices } from '../trails/trail-services';
import { trailTags } from '../trails/trail-tags';

/** Everything the resolvers and HTTP handlers use, built once at boot (the composition root). */
export interface Services extends AuthServices, EventServices, StreamingServices, IntegrityServices {
  config: Config;
  db: Database;
  logger: Logger;
  metrics: Metrics;
  tokens: TokenService;
  /** Root key for encryption at rest; derive a purpose key from it, never use it directly. */
  masterKey: MasterKey;
  /** Access key secrets sealed for SigV4 (src/principals/access-key-secrets.ts). */
  accessKeySecrets: AccessKeySecrets;
  iam: IamService;
  organizations: OrganizationsService;
  delegatedAdmins: DelegatedAdminService;
  /** Customer managed keys (src/kms): the KMS API and the service's key use. */
  kms: KmsServices;
  /** Buckets, bucket policies and objects; the service-side writes of CloudTrail (storage.service.ts). */
  storage: StorageService;
  /** The trail control plane (src/trails). */
  trails: TrailServices;
  /** AddTags / RemoveTags / ListTags over trails, event data stores and channels (src/tagging). */
  tags: TagsService;
  /** Trail log file delivery (queue `delivery`). */
  delivery: DeliveryService;
  /** CloudTrail Insights: counting router, detection (queue `insights`), metric data (src/insights). */
  insights: InsightsServices;
  /** CloudTrail Lake storage: event data stores, imports, channels (src/lake, src/lake/channels). */
  lakeStorage: LakeStorageServices;
  /** Put/Get/DeleteResourcePolicy over every resource type that holds one (src/lake/resource-policies). */
  resourcePolicies: ResourcePolicyService;
  /** CloudTrail Lake SQL queries (src/lake/query, queue `lake-query`). */
  lakeQueries: LakeQueryService;
  /** The built-in Lake sample queries and their search (src/lake/samples). */
  sampleQueries: SampleQueryService;
  /** CloudTrail Lake dashboards and their refreshes (src/lake/dashboards, queue `dashboard-refresh`). */
  lakeDashboards: DashboardService;
  /** Per-account request rate and concurrency limits, counted in Redis (src/common/account-limits.ts). */
  accountLimits: AccountLimits;
  /** Refuses the account crowding a contended machine before its request costs anything (src/common/contention-guard.ts). */
  contention: ContentionGuard;
  /** The one Redis connection of the request limiters (account limits, sign-in throttles). */
  limitsRedis: RedisConnection;
}

export function createServices(config: Config, db: Database, logger: Logger, metrics: Metrics): Services {
  const tokens = TokenService.fromConfig(config);
  const masterKey = MasterKey.fromConfig(config);
  const kms = createKmsServices(db, masterKey);
  const limitsRedis = createLimitsRedis(config);
  const contention = new ContentionGuard(config.accountContentionCpuPercent === null ? Infinity : config.accountContentionCpuPercent / 100);
  const accessKeySecrets = new AccessKeySecrets(masterKey);
  const core = {
    config,
    db,
    logger,
    metrics,
    tokens,
    masterKey,
    accessKeySecrets,
    ...createAuthServices(config, db, tokens, limitsRedis, logger, accessKeySecrets, masterKey),
    iam: new IamService(db, accessKeySecrets),
    organizations: new OrganizationsService(db),
    delegatedAdmins: new DelegatedAdminService(db),
    kms,
    storage: new StorageService(db, createObjectStore(config, masterKey), kms.use),
  };
  // The outbox's destinations, in routing order: trails, Lake, streaming, Insights counting. The
  // streaming router enqueues webhook jobs on the outbox's producer, so the outbox's constructor
  // builds them through this factory (which is why streamingRouter is set once it returns).
  let streamingRouter: StreamingRouter | undefined;
  const events = createEventServices(core, (jobs) => {
    streamingRouter = new StreamingRouter(config, jobs, logger.child({ module: 'streaming' }));
    return [new TrailEventRouter(), new LakeEventRouter(), streamingRouter, new InsightsCountRouter()];
  });
  const integrity = createIntegrityServices(core);
  const lakeStorage = createLakeStorageServices({ ...core, outbox: events.outbox });
  const trails = createTrailServices(db, core.storage, kms.use, integrity.digests);
  // The tagging operations serve event data stores, channels and trails (spec §4.8); trails take
  // every ARN the others do not claim, so they go last.
  const tags = new TagsService(db, [eventDataStoreTags, channelTags(lakeStorage.channels), trailTags]);
  // Resource-based policies on event data stores and channels (spec §8.6); dashboards add theirs here.
  const resourcePolicies = new ResourcePolicyService(db, [eventDataStorePolicies, channelPolicies(lakeStorage.channels)]);
  const lakeQueries = new LakeQueryService(
    config,
    db,
    events.outbox,
    logger.child({ module: 'lake-query' }),
    core.storage,
    new RegionResultSigner(integrity.signingKeys),
    new LakeReaderPool(db.pool, db.url, masterKey, config.lakeQueryTimeoutSeconds * 1000, logger.child({ module: 'lake-reader' })),
    kms.use,
  );
  return {
    ...core,
    ...events,
    // The Lake's tail partitions are made at boot with the event history's (src/lake/README.md).
    async prepareEventStore() {
      await events.prepareEventStore();
      await ensureLakePartitionsAround(db.pool, config);
    },
    ...integrity,
    trails,
    tags,
    delivery: createDeliveryService(core, core.storage),
    lakeStorage,
    resourcePolicies,
    lakeQueries,
    sampleQueries: new SampleQueryService(),
    // Refreshes start queries as the caller; a schedule's caller is reloaded by the authenticator.
    lakeDashboards: new DashboardService(db, lakeQueries, events.outbox.jobs, (snapshot) => core.authenticator.reloadCaller(snapshot)),
    ...createStreamingServices({ ...core, outbox: events.outbox }, streamingRouter!),
    insights: createInsightsServices({ ...core, eventWriter: events.eventWriter }),
    limitsRedis,
    contention,
    accountLimits: new AccountLimits(
      limitsRedis,
      {
        redisPrefix: config.redisPrefix,
        ratePerSecond: config.accountRateLimitPerSecond,
        burst: config.accountRateBurst,
        maxConcurrent: config.accountMaxConcurrentRequests,
        ingestEventsPerSecond: config.accountIngestEventsPerSecond,
        ingestBurstEvents: config.accountIngestBurstEvents,
        maxConcurrentIngests: config.accountMaxConcurrentIngests,
      },
      logger.child({ module: 'account-limits' }),
      (accountId, points) => contention.record(accountId, points),
    ),
  };
}

/** Releases connections held by services (queues, pools). */
export async function closeServices(services: Services): Promise<void> {
  await services.delivery.drainNotifications();
  await services.closeEventServices();
  await services.closeStreamingServices();
  await services.storage.objects.close();
  await services.lakeQueries.close();
  services.limitsRedis.disconnect();
  services.contention.close();
}
