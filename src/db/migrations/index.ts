import { LakeQueryReaderAndFunctions1795497302300 } from './1795497302300-LakeQueryReaderAndFunctions';
import { LakeQueries1795497302208 } from './1795497302208-LakeQueries';
import { LakeChannelsImportsRowLevelSecurity1795496746200 } from './1795496746200-LakeChannelsImportsRowLevelSecurity';
import { LakeChannelsImports1795496746117 } from './1795496746117-LakeChannelsImports';
import { LakeEventsAndRowLevelSecurity1795496576900 } from './1795496576900-LakeEventsAndRowLevelSecurity';
import { EventDataStores1795496576819 } from './1795496576819-EventDataStores';
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
  EventDataStores1795496576819,
  LakeEventsAndRowLevelSecurity1795496576900,
  LakeChannelsImports1795496746117,
  LakeChannelsImportsRowLevelSecurity1795496746200,
  LakeQueries1795497302208,
  LakeQueryReaderAndFunctions1795497302300,
];
