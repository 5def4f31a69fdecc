import type { Database } from '../db/database';
import { EventDataStoreService } from './event-data-store.service';

/** The Lake storage side, as composed into Services under `lakeStorage`. */
export interface LakeStorageServices {
  stores: EventDataStoreService;
}

export function createLakeStorageServices(db: Database): LakeStorageServices {
  return {
    stores: new EventDataStoreService(db),
  };
}
