import type { Logger } from 'pino';
import { AuditEventsService } from './channels/audit-events.service';
import { ChannelService } from './channels/channel.service';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { OutboxService } from '../events/outbox.service';
import type { KmsServices } from '../kms/kms-services';
import type { StorageService } from '../storage/storage.service';
import { EventConfigurationService } from './event-configuration/event-configuration.service';
import { EventDataStoreService } from './event-data-store.service';
import { LakeImportService } from './imports/lake-import.service';
import { LakeRetentionService } from './lake-retention.service';

/** The Lake storage side, as composed into Services under `lakeStorage`. */
export interface LakeStorageServices {
  stores: EventDataStoreService;
  /** PutEventConfiguration / GetEventConfiguration (MaxEventSize, context key selectors). */
  eventConfigurations: EventConfigurationService;
  imports: LakeImportService;
  retention: LakeRetentionService;
  channels: ChannelService;
  /** PutAuditEvents (cloudtrail-data). */
  auditEvents: AuditEventsService;
}

export function createLakeStorageServices(core: {
  config: Config;
  db: Database;
  logger: Logger;
  storage: StorageService;
  outbox: OutboxService;
  kms: KmsServices;
}): LakeStorageServices {
  const { config, db, logger } = core;
  return {
    stores: new EventDataStoreService(db, core.kms.use),
    eventConfigurations: new EventConfigurationService(db),
    imports: new LakeImportService(db, core.storage, core.outbox, logger.child({ module: 'lake-import' })),
    retention: new LakeRetentionService(config, db, logger.child({ module: 'lake-retention' })),
    channels: new ChannelService(db),
    auditEvents: new AuditEventsService(db),
  };
}
