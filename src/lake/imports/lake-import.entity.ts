import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type ImportStatus = 'INITIALIZING' | 'IN_PROGRESS' | 'FAILED' | 'STOPPED' | 'COMPLETED';

export interface S3ImportSource {
  S3LocationUri: string;
  S3BucketRegion: string;
  S3BucketAccessRoleArn: string;
}

/**
 * An import of delivered trail log files into an event data store (spec §8.4). The worker
 * processes the source's log files in key order and advances `resumeAfter` in the transaction
 * that inserts a file's events, so a crash resumes at the next file and never double-counts.
 */
@Entity({ name: 'lake_imports' })
@Index('lake_imports_account_created_idx', ['accountId', 'createdAt'])
// At most one ongoing import per account (spec §8.4), enforced by the database.
@Index('lake_imports_one_ongoing_key', ['accountId'], { unique: true, where: `status IN ('INITIALIZING', 'IN_PROGRESS')` })
export class LakeImportEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  region!: string;

  /** The destination store (exactly one, as CloudTrail allows). */
  @Column({ name: 'event_data_store_id', type: 'uuid' })
  eventDataStoreId!: string;

  @Column({ name: 'event_data_store_arn', type: 'varchar', length: 256 })
  eventDataStoreArn!: string;

  @Column({ name: 'import_source', type: 'jsonb' })
  importSource!: { S3: S3ImportSource };

  @Column({ name: 'bucket_name', type: 'varchar', length: 63 })
  bucketName!: string;

  @Column({ name: 'key_prefix', type: 'varchar', length: 1024 })
  keyPrefix!: string;

  @Column({ name: 'start_event_time', type: 'timestamptz', nullable: true })
  startEventTime!: Date | null;

  @Column({ name: 'end_event_time', type: 'timestamptz', nullable: true })
  endEventTime!: Date | null;

  @Column({ type: 'varchar', length: 16 })
  status!: ImportStatus;

  /** The last source key fully processed (key order); null before the first. */
  @Column({ name: 'resume_after', type: 'varchar', length: 1024, nullable: true })
  resumeAfter!: string | null;

  @Column({ name: 'prefixes_found', type: 'bigint', default: 0 })
  prefixesFound!: string;

  @Column({ name: 'prefixes_completed', type: 'bigint', default: 0 })
  prefixesCompleted!: string;

  @Column({ name: 'files_completed', type: 'bigint', default: 0 })
  filesCompleted!: string;

  @Column({ name: 'events_completed', type: 'bigint', default: 0 })
  eventsCompleted!: string;

  @Column({ name: 'failed_entries', type: 'bigint', default: 0 })
  failedEntries!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** One source object that could not be imported (ListImportFailures). */
@Entity({ name: 'lake_import_failures' })
export class LakeImportFailureEntity {
  @PrimaryColumn({ name: 'import_id', type: 'uuid' })
  importId!: string;

  @PrimaryColumn({ type: 'varchar', length: 1100 })
  location!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: 'FAILED' | 'RETRY' | 'SUCCEEDED';

  @Column({ name: 'error_type', type: 'varchar', length: 64 })
  errorType!: string;

  @Column({ name: 'error_message', type: 'varchar', length: 1024 })
  errorMessage!: string;

  @Column({ name: 'last_updated_time', type: 'timestamptz' })
  lastUpdatedTime!: Date;
}
