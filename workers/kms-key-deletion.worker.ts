import type { Services } from '../src/app/services';

/** Deletes KMS keys whose ScheduleKeyDeletion waiting period has ended. */
export const kmsKeyDeletionWorker = (services: Services) => async () => services.kms.keys.purgeDeletedKeys();
