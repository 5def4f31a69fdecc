import { EventConfiguration1796301829238 } from './1796301829238-EventConfiguration';
import { Dashboards1796227436446 } from './1796227436446-Dashboards';
import { DashboardsRowLevelSecurity1796227436500 } from './1796227436500-DashboardsRowLevelSecurity';
import { LakeJsonFormatCompact1796227436600 } from './1796227436600-LakeJsonFormatCompact';
import { ResourcePolicies1796226167244 } from './1796226167244-ResourcePolicies';
import { AccessKeySealedSecret1796226415951 } from './1796226415951-AccessKeySealedSecret';
import { WebhookProgressAndTargetState1796190401943 } from './1796190401943-WebhookProgressAndTargetState';
import { LakeQueryEnqueueAttempts1796190819583 } from './1796190819583-LakeQueryEnqueueAttempts';
import { LakeReaderLogin1795500215700 } from './1795500215700-LakeReaderLogin';
import { EventDataStoreInsights1795500215658 } from './1795500215658-EventDataStoreInsights';
import { DeliveryQueueKeys1795499666183 } from './1795499666183-DeliveryQueueKeys';
import { IntegrityObjectHash1795498993074 } from './1795498993074-IntegrityObjectHash';
import { KmsRowLevelSecurity1795497805200 } from './1795497805200-KmsRowLevelSecurity';
import { Kms1795497805159 } from './1795497805159-Kms';
import { InsightsRowLevelSecurity1795497572400 } from './1795497572400-InsightsRowLevelSecurity';
import { InsightsCounts1795497572349 } from './1795497572349-InsightsCounts';
import { IntegrityDigests1795497564545 } from './1795497564545-IntegrityDigests';
import { LakeQueryReaderAndFunctions1795497302300 } from './1795497302300-LakeQueryReaderAndFunctions';
import { LakeQueries1795497302208 } from './1795497302208-LakeQueries';
import { LakeChannelsImportsRowLevelSecurity1795496746200 } from './1795496746200-LakeChannelsImportsRowLevelSecurity';
import { LakeChannelsImports1795496746117 } from './1795496746117-LakeChannelsImports';
import { LakeEventsAndRowLevelSecurity1795496576900 } from './1795496576900-LakeEventsAndRowLevelSecurity';
import { EventDataStores1795496576819 } from './1795496576819-EventDataStores';
import { ServiceSettings1795496390536 } from './1795496390536-ServiceSettings';
import { StreamingRowLevelSecurity1795490649800 } from './1795490649800-StreamingRowLevelSecurity';
import { StreamingRulesWebhooks1795490649775 } from './1795490649775-StreamingRulesWebhooks';
import { DeliveryLogFiles1795490475140 } from './1795490475140-DeliveryLogFiles';
import { TrailsRowLevelSecurity1795490300000 } from './1795490300000-TrailsRowLevelSecurity';
import { TrailsBucketsTopics1795490278512 } from './1795490278512-TrailsBucketsTopics';
import { EventsAndRowLevelSecurity1795487100000 } from './1795487100000-EventsAndRowLevelSecurity';
import { Initial1795487074229 } from './1795487074229-Initial';

/** Every migration, in order. Generated migrations are appended by db/generate-migration.ts. */
export const MIGRATIONS: Function[] = [
  Initial1795487074229,
  EventsAndRowLevelSecurity1795487100000,
  TrailsBucketsTopics1795490278512,
  TrailsRowLevelSecurity1795490300000,
  DeliveryLogFiles1795490475140,
  StreamingRulesWebhooks1795490649775,
  StreamingRowLevelSecurity1795490649800,
  ServiceSettings1795496390536,
  EventDataStores1795496576819,
  LakeEventsAndRowLevelSecurity1795496576900,
  LakeChannelsImports1795496746117,
  LakeChannelsImportsRowLevelSecurity1795496746200,
  LakeQueries1795497302208,
  LakeQueryReaderAndFunctions1795497302300,
  IntegrityDigests1795497564545,
  InsightsCounts1795497572349,
  InsightsRowLevelSecurity1795497572400,
  Kms1795497805159,
  KmsRowLevelSecurity1795497805200,
  IntegrityObjectHash1795498993074,
  DeliveryQueueKeys1795499666183,
  EventDataStoreInsights1795500215658,
  LakeReaderLogin1795500215700,
  WebhookProgressAndTargetState1796190401943,
  LakeQueryEnqueueAttempts1796190819583,
  ResourcePolicies1796226167244,
  AccessKeySealedSecret1796226415951,
  Dashboards1796227436446,
  DashboardsRowLevelSecurity1796227436500,
  LakeJsonFormatCompact1796227436600,
  EventConfiguration1796301829238,
];
