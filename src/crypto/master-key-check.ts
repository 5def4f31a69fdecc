import { createHmac } from 'node:crypto';
import type { Database } from '../db/database';
import type { MasterKey } from './master-key';
import { serviceSettingRepository } from './service-setting.repository';

const SETTING = 'master_key_check';

/** A value that identifies a master key without revealing it (HMAC under a purpose key). */
export function masterKeyCheckValue(masterKey: MasterKey): string {
  return createHmac('sha256', masterKey.deriveKey('master-key-check')).update('opentrail master key check').digest('hex');
}

/**
 * Start-up guard: the first start records which master key the database was set up with; later
 * starts refuse a different one (another DATA_DIR, a lost master.key, a wrong MASTER_KEY), which
 * would otherwise surface much later as unreadable objects and unusable signing keys.
 */
export async function checkMasterKey(db: Database, masterKey: MasterKey): Promise<void> {
  const value = masterKeyCheckValue(masterKey);
  const stored = await db.asService((client) => serviceSettingRepository.putIfAbsent(client, SETTING, value), { transaction: true });
  if (stored !== value) {
    throw new Error(
      'the master key does not match the one this database was set up with. Set MASTER_KEY, or point DATA_DIR ' +
        'at the directory holding the original master.key; with another key nothing encrypted at rest can be read.',
    );
  }
}
