import type { Config } from '../config';
import { MasterKey } from '../crypto/master-key';
import { FsObjectStore } from './fs-object-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-object-store';

/** Purpose of the filesystem backend's service key (SSE at rest), derived from the master key. */
export const SSE_KEY_PURPOSE = 'object-store:sse';

/**
 * The object store the configuration names (STORAGE_BACKEND). Both encrypt at rest by default:
 * the filesystem backend under a service key derived from the master key (read from the same
 * config when none is given), the S3 backend by asking the server for SSE-S3.
 */
export function createObjectStore(config: Config, masterKey?: MasterKey): ObjectStore {
  if (config.storageBackend === 's3') {
    // loadConfig has already required these for the s3 backend.
    return new S3ObjectStore({
      endpoint: config.s3Endpoint!,
      region: config.s3Region,
      accessKeyId: config.s3AccessKeyId!,
      secretAccessKey: config.s3SecretAccessKey!,
      forcePathStyle: config.s3ForcePathStyle,
      bucketPrefix: config.s3BucketPrefix,
    });
  }
  return new FsObjectStore(config.dataDir, (masterKey ?? MasterKey.fromConfig(config)).deriveKey(SSE_KEY_PURPOSE));
}
