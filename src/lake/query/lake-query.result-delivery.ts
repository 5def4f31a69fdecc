import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { StorageService } from '../../storage/storage.service';
import type { LakeQueryStatus } from './lake-query.entity';
import { deliverResults, parseDeliveryUri } from './lake-query.delivery';
import type { ResultSigner } from './result-signer';

/**
 * Delivers an ended query's results once, if its deliveryStatus is still PENDING: under a session
 * advisory lock held for the whole delivery, so the sweep (which re-delivers rows left PENDING by
 * a runner that died after the query ended) never delivers alongside a live runner. False when
 * another process holds the lock.
 */
export async function deliverQueryResults(pool: Pool, storage: StorageService, signer: ResultSigner, logger: Logger, queryId: string): Promise<boolean> {
  const lock = await pool.connect();
  let broken: Error | undefined;
  try {
    const { rows } = await lock.query(`SELECT pg_try_advisory_lock(hashtext('opentrail:lake-query-delivery:' || $1)) AS got`, [queryId]).catch((err: Error) => {
      broken = err; // a connection that failed here goes, rather than back to the pool
      throw err;
    });
    if (!rows[0].got) return false;
    try {
      // Everything on the lock's own connection: a second checkout per delivery could leave every
      // pooled connection holding a lock while waiting for another.
      const [q] = (await lock.query(
        `SELECT account_id, region, columns, event_data_store_ids, delivery_s3_uri, status, finished_at FROM lake_queries WHERE id = $1 AND delivery_status = 'PENDING'`,
        [queryId],
      )).rows;
      if (q) await deliver(lock, storage, signer, logger, queryId, q);
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(hashtext('opentrail:lake-query-delivery:' || $1))`, [queryId]).catch((err: Error) => { broken = err; });
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
  pool: PoolClient, storage: StorageService, signer: ResultSigner, logger: Logger, queryId: string,
  q: { account_id: string; region: string; columns: string[]; event_data_store_ids: string[]; delivery_s3_uri: string; status: LakeQueryStatus; finished_at: Date },
): Promise<void> {
  let status: string;
  if (q.status !== 'FINISHED') status = q.status === 'CANCELLED' ? 'CANCELLED' : 'FAILED';
  else {
    async function* batches() {
      for (let b = 0; ; b++) {
        const { rows } = await pool.query(`SELECT rows FROM lake_query_results WHERE account_id = $1 AND query_id = $2 AND batch = $3`, [q.account_id, queryId, b]);
        if (!rows.length) return;
        yield rows[0].rows as Array<Array<string | null>>;
      }
    }
    // The stores' ARNs are the write's aws:SourceArn (the bucket policy must name them or the account).
    const storeArns = (await pool.query(`SELECT arn FROM event_data_stores WHERE id = ANY($1::uuid[]) ORDER BY arn`, [q.event_data_store_ids])).rows.map((r) => r.arn as string);
    status = await deliverResults(storage, signer, {
      id: queryId, accountId: q.account_id, region: q.region, columns: q.columns, storeArns,
      target: parseDeliveryUri(q.delivery_s3_uri), completedAt: new Date(q.finished_at),
    }, batches()).catch((err) => {
      logger.warn({ queryId, err: (err as Error).message }, 'lake query result delivery failed');
      return 'FAILED' as const;
    });
  }
  await pool.query(`UPDATE lake_queries SET delivery_status = $2 WHERE id = $1`, [queryId, status]);
}
