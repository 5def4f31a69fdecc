import type { MasterKey } from '../crypto/master-key';
import type { Database } from '../db/database';
import { KeyUseService } from './key-use.service';
import { KmsAliasService } from './kms-alias.service';
import { KmsService } from './kms.service';

/** The small KMS, as composed into Services under `kms`. */
export interface KmsServices {
  /** The key management API (CreateKey … GetKeyPolicy). */
  keys: KmsService;
  /** Aliases (CreateAlias … ListAliases). */
  aliases: KmsAliasService;
  /** Key use by the service: SSE-KMS data keys, decryption for readers, trail key checks. */
  use: KeyUseService;
}

export function createKmsServices(db: Database, masterKey: MasterKey): KmsServices {
  const keys = new KmsService(db, masterKey);
  return { keys, aliases: new KmsAliasService(db, keys), use: new KeyUseService(db, masterKey) };
}
