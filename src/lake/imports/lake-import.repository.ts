import type { Pool, PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';
import { type ImportStatus, LakeImportEntity, LakeImportFailureEntity, type S3ImportSource } from './lake-import.entity';

/**
 * Queries of `lake_imports` and `lake_import_failures`. EntityManager methods run in the request's
 * tenant transaction (row-level security: the caller's imports); the pool and client methods are
 * the lake-import worker's, as the service, and name the import.
 */

/** A `lake_imports` row as the worker reads it (bigint counters arrive as strings). */
export interface LakeImportRow {
  id: string;
  account_id: string;
  region: string;
  event_data_store_id: string;
  event_data_store_arn: string;
  import_source: { S3: S3ImportSource };
  bucket_name: string;
  key_prefix: string;
  start_event_time: Date | null;
  end_event_time: Date | null;
  status: ImportStatus;
  resume_after: string | null;
  prefixes_found: string;
  prefixes_completed: string;
  files_completed: string;
  events_completed: string;
  failed_entries: string;
  created_at: Date;
  updated_at: Date;
}

/** The progress one log file adds to its import. */
export interface FileProgress {
  /** The file's key: the import resumes after it. */
  key: string;
  filesCompleted: number;
  eventsCompleted: number;
  failedEntries: number;
  /** Prefixes whose last file is at or before this one. */
  prefixesCompleted: number;
}

export const lakeImportRepository = {
  // ---- in the request's tenant transaction ----

  /** Whether an import into the store is INITIALIZING or IN_PROGRESS (the store cannot change or be deleted meanwhile). */
  ongoingForStore(m: EntityManager, storeId: string): Promise<boolean> {
    return m
      .createQueryBuilder(LakeImportEntity, 'i')
      .where('i.event_data_store_id = :storeId', { storeId })
      .andWhere(`i.status IN ('INITIALIZING', 'IN_PROGRESS')`)
      .getExists();
  },

  /** The account's imports in `region` by id after `afterId`, at most `limit`; only into `storeId` and in `status` when given. */
  listInRegion(
    m: EntityManager,
    opts: { accountId: string; region: string; storeId?: string; status?: string | null; afterId: string | null; limit: number },
  ): Promise<LakeImportEntity[]> {
    const qb = m
      .createQueryBuilder(LakeImportEntity, 'i')
      .where('i.account_id = :account AND i.region = :region', { account: opts.accountId, region: opts.region })
      .orderBy('i.id', 'ASC')
      .take(opts.limit);
    if (opts.storeId !== undefined) qb.andWhere('i.event_data_store_id = :store', { store: opts.storeId });
    if (opts.status) qb.andWhere('i.status = :status', { status: opts.status });
    if (opts.afterId !== null) qb.andWhere('i.id > :after', { after: opts.afterId });
    return qb.getMany();
  },

  // ---- the lake-import worker (as the service) ----

  /** Session lock: one runner per import at a time, across processes; freed if the process dies. */
  async tryLockRun(client: PoolClient, importId: string): Promise<boolean> {
    const { rows } = await client.query(`SELECT pg_try_advisory_lock(hashtext('opentrail:lake-import:' || $1)) AS ok`, [importId]);
    return rows[0].ok;
  },

  async unlockRun(client: PoolClient, importId: string): Promise<void> {
    await client.query(`SELECT pg_advisory_unlock(hashtext('opentrail:lake-import:' || $1))`, [importId]);
  },

  /** Imports still INITIALIZING or IN_PROGRESS, oldest first. */
  async unfinishedIds(pool: Pool): Promise<string[]> {
    const { rows } = await pool.query(`SELECT id FROM lake_imports WHERE status IN ('INITIALIZING', 'IN_PROGRESS') ORDER BY created_at`);
    return rows.map((r) => r.id as string);
  },

  async byId(pool: Pool, importId: string): Promise<LakeImportRow | null> {
    const { rows } = await pool.query(`SELECT * FROM lake_imports WHERE id = $1`, [importId]);
    return (rows[0] as LakeImportRow | undefined) ?? null;
  },

  /** INITIALIZING → IN_PROGRESS with the number of prefixes found (a stopped import stays STOPPED). */
  async markInProgress(pool: Pool, importId: string, prefixesFound: number): Promise<void> {
    await pool.query(
      `UPDATE lake_imports SET status = 'IN_PROGRESS', prefixes_found = $2, updated_at = now() WHERE id = $1 AND status = 'INITIALIZING'`,
      [importId, prefixesFound],
    );
  },

  /** Ends an IN_PROGRESS import: FAILED if any file failed, else COMPLETED. Null when it was no longer IN_PROGRESS. */
  async finish(pool: Pool, importId: string): Promise<ImportStatus | null> {
    const { rows } = await pool.query(
      `UPDATE lake_imports SET status = CASE WHEN failed_entries > 0 THEN 'FAILED' ELSE 'COMPLETED' END, updated_at = now()
       WHERE id = $1 AND status = 'IN_PROGRESS' RETURNING status`,
      [importId],
    );
    return rows[0]?.status ?? null;
  },

  /**
   * Adds one file's progress to an IN_PROGRESS import, in the transaction that stored the file's
   * events. False when the import is no longer IN_PROGRESS (stopped meanwhile).
   */
  async recordFileProgress(client: PoolClient, importId: string, p: FileProgress): Promise<boolean> {
    const { rowCount } = await client.query(
      `UPDATE lake_imports SET resume_after = $2, files_completed = files_completed + $3, events_completed = events_completed + $4,
              failed_entries = failed_entries + $5, prefixes_completed = $6, updated_at = now()
       WHERE id = $1 AND status = 'IN_PROGRESS'`,
      [importId, p.key, p.filesCompleted, p.eventsCompleted, p.failedEntries, p.prefixesCompleted],
    );
    return (rowCount ?? 0) > 0;
  },
};

export const lakeImportFailureRepository = {
  /** An import's failures by location after `afterLocation`, at most `limit` (tenant transaction). */
  listForImport(m: EntityManager, importId: string, afterLocation: string | null, limit: number): Promise<LakeImportFailureEntity[]> {
    const qb = m
      .createQueryBuilder(LakeImportFailureEntity, 'f')
      .where('f.import_id = :id', { id: importId })
      .orderBy('f.location', 'ASC')
      .take(limit);
    if (afterLocation !== null) qb.andWhere('f.location > :after', { after: afterLocation });
    return qb.getMany();
  },

  /** Records a file that could not be imported (a file failing again only updates its time); worker, in the file's transaction. */
  async record(
    client: PoolClient,
    f: { importId: string; location: string; accountId: string; errorType: string; errorMessage: string },
  ): Promise<void> {
    await client.query(
      `INSERT INTO lake_import_failures (import_id, location, account_id, status, error_type, error_message, last_updated_time)
       VALUES ($1, $2, $3, 'FAILED', $4, $5, now()) ON CONFLICT (import_id, location) DO UPDATE SET last_updated_time = now()`,
      [f.importId, f.location, f.accountId, f.errorType, f.errorMessage],
    );
  },
};
