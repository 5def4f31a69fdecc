import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { DeliveryService, type DeliveryOptions, type ServiceObjectWriter } from './delivery.service';
import { LogFileNotifier } from './log-file-notifier';

/** Builds the delivery service over the storage module's service writer (StorageService.putServiceObject: bucket existence and policy enforced there). */
export function createDeliveryService(
  core: { config: Config; db: Database; logger: Logger },
  writer: ServiceObjectWriter,
  options: DeliveryOptions = {},
): DeliveryService {
  return new DeliveryService(
    core.config,
    core.db.pool,
    writer,
    new LogFileNotifier(core.config, core.logger.child({ module: 'notifications' })),
    core.logger.child({ module: 'delivery' }),
    options,
  );
}
