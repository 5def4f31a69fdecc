import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { StorageService } from '../../storage/storage.service';
import { eventDataStoreRepository } from '../event-data-store.repository';
import { deliverResults, parseDeliveryUri } from './lake-query.delivery';
import { lakeQueryRepository, lakeQueryResultRepository, type PendingDelivery } from './lake-query.repository';
import type { ResultSigner } from './result-signer';

/**
 * Delivers an ended query's results once, if its deliveryStatus is still PENDING: under a session
 * advisory lock held for the whole delivery, so the sweep (which re-delivers rows left PENDING by
 * a runner that died after the query ended) never delivers alongside a live runner. False when
 * another process holds the lock.
 */
export async function deliverQueryResults(
  pool: Pool,
  storage: StorageService,
  signer: ResultSigner,
  logger: Logger,
  queryId: string,
): Promise<boolean> {
  const lock = await pool.connect();
  let broken: Error | undefined;
  try {
    const got = await lakeQueryRepository.tryLockDelivery(lock, queryId).catch((err: Error) => {
      broken = err; // a connection that failed here goes, rather than back to the pool
      throw err;
    });
    if (!got) return false;
    try {
      // Everything on the lock's own connection: a second checkout per delivery could leave every
      // pooled connection holding a lock while waiting for another.
      const q = await lakeQueryRepository.pendingDelivery(lock, queryId);
      if (q) await deliver(lock, storage, signer, logger, queryId, q);
    } finally {
      await lakeQueryRepository.unlockDelivery(lock, queryId).catch((err: Error) => {
        broken = err;
      });
    }
    return true;
  } finally {
    lock.release(broken);
  }
}

/**
 * Delivers a finished query's rows to its deliveryS3Uri (lake-query.delivery.ts); partial
 * (timed-out, failed, cancelled) results are not delivered (spec §6.9).
 */
async function deliver(
  client: PoolClient,
  storage: StorageService,
  signer: ResultSigner,
  logger: Logger,
  queryId: string,
  q: PendingDelivery,
): Promise<void> {
  let status: string;
  if (q.status !== 'FINISHED') status = q.status === 'CANCELLED' ? 'CANCELLED' : 'FAILED';
  else {
    async function* batches() {
      for (let b = 0; ; b++) {
        const rows = await lakeQueryResultRepository.batch(client, q.account_id, queryId, b);
        if (!rows) return;
        yield rows;
      }
    }
    // The stores' ARNs are the write's aws:SourceArn (the bucket policy must name them or the account).
    const storeArns = await eventDataStoreRepository.arnsOf(client, q.event_data_store_ids);
    status = await deliverResults(
      storage,
      signer,
      {
        id: queryId,
        accountId: q.account_id,
        region: q.region,
        columns: q.columns,
        storeArns,
        target: parseDeliveryUri(q.delivery_s3_uri),
        completedAt: new Date(q.finished_at),
      },
      batches(),
    ).catch((err) => {
      logger.warn({ queryId, err: (err as Error).message }, 'lake query result delivery failed');
      return 'FAILED' as const;
    });
  }
  await lakeQueryRepository.setDeliveryStatus(client, queryId, status);
}
