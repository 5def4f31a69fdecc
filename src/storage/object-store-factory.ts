import type { Config } from '../config';
import { FsObjectStore } from './fs-object-store';
import type { ObjectStore } from './object-store';
import { S3ObjectStore } from './s3-object-store';

/** The object store the configuration names (STORAGE_BACKEND). */
export function createObjectStore(config: Config): ObjectStore {
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
  return new FsObjectStore(config.dataDir);
}
