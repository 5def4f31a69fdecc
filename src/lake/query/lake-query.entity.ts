import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type LakeQueryStatus = 'QUEUED' | 'RUNNING' | 'FINISHED' | 'FAILED' | 'CANCELLED' | 'TIMED_OUT';
export const LAKE_QUERY_STATUSES: LakeQueryStatus[] = ['QUEUED', 'RUNNING', 'FINISHED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];
export const TERMINAL_STATUSES: LakeQueryStatus[] = ['FINISHED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

export interface LakeQueryStatistics {
  eventsMatched: number;
  eventsScanned: number;
  bytesScanned: number;
  executionTimeInMillis: number;
  resultsCount: number;
}

/**
 * One CloudTrail Lake query (spec §8.2). The statement as the caller wrote it and the SQL it was
 * compiled to; its result rows live in `lake_query_results` (batches of rows as jsonb, written
 * by the lake-query worker). Kept 7 days after creation; the retention job expires both.
 */
@Entity({ name: 'lake_queries' })
@Index('lake_queries_account_created_idx', ['accountId', 'createdAt'])
// The concurrency limit counts an account's queued and running queries.
@Index('lake_queries_active_idx', ['accountId', 'region'], { where: `status IN ('QUEUED', 'RUNNING')` })
export class LakeQueryEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  region!: string;

  /** as the caller wrote it (≤ 10 000 characters) */
  @Column({ type: 'text' })
  statement!: string;

  /** compiled SQL, run by the worker as opentrail_lake_reader */
  @Column({ name: 'compiled_sql', type: 'text' })
  compiledSql!: string;

  /** result column names in select order */
  @Column({ type: 'jsonb' })
  columns!: string[];

  @Column({ name: 'event_data_store_ids', type: 'uuid', array: true })
  eventDataStoreIds!: string[];

  @Column({ type: 'varchar', length: 16 })
  status!: LakeQueryStatus;

  @Column({ name: 'error_message', type: 'varchar', length: 1000, nullable: true })
  errorMessage!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  statistics!: LakeQueryStatistics | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** PostgreSQL backend running the statement (for cancelQuery), while RUNNING */
  @Column({ name: 'backend_pid', type: 'integer', nullable: true })
  backendPid!: number | null;

  @Column({ name: 'timeout_seconds', type: 'integer' })
  timeoutSeconds!: number;

  @Column({ name: 'delivery_s3_uri', type: 'varchar', length: 1024, nullable: true })
  deliveryS3Uri!: string | null;

  @Column({ name: 'delivery_status', type: 'varchar', length: 32, nullable: true })
  deliveryStatus!: string | null;

  /**
   * Times the sweep queued the query again (its job was lost, failed or ran without claiming it):
   * the n-th re-enqueue uses jobId `lake-query-<id>-<n>`, since BullMQ ignores an add whose jobId
   * still sits in the failed set.
   */
  @Column({ name: 'enqueue_attempts', type: 'integer', default: 0 })
  enqueueAttempts!: number;
}
