import type { Logger } from 'pino';
import type { Config } from '../config';
import type { MasterKey } from '../crypto/master-key';
import type { Database } from '../db/database';
import type { StorageService } from '../storage/storage.service';
import { TrailReadService } from '../trails/trail-read.service';
import { DigestService } from './digest.service';
import { IntegrityService } from './integrity.service';
import { SigningKeyService } from './signing-keys.service';

/** Log file integrity, as composed into Services. */
export interface IntegrityServices {
  /** Per-region digest signing keys. */
  signingKeys: SigningKeyService;
  /** Digest files (queue `digest`); also the trails' lifecycle listener. */
  digests: DigestService;
  /** listPublicKeys and validateLogs. */
  integrity: IntegrityService;
}

export function createIntegrityServices(core: {
  config: Config;
  db: Database;
  logger: Logger;
  masterKey: MasterKey;
  storage: StorageService;
}): IntegrityServices {
  const { config, db } = core;
  const signingKeys = new SigningKeyService(db.pool, core.masterKey, {
    rotationSeconds: config.signingKeyRotationSeconds,
    validitySeconds: config.signingKeyValiditySeconds,
  });
  return {
    signingKeys,
    digests: new DigestService(
      { digestIntervalSeconds: config.digestIntervalSeconds, deliveryIntervalSeconds: config.deliveryIntervalSeconds },
      db.pool,
      core.storage,
      signingKeys,
      core.logger,
    ),
    integrity: new IntegrityService({ storage: core.storage, trailReads: new TrailReadService(db), signingKeys }),
  };
}
