import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { LogFileKind } from './log-file-key';

export type LogFileState = 'pending' | 'delivered';

/**
 * One log file of a trail. Inserted in state `pending` with its bucket, key and exact event set
 * (event_ids/event_times) before the object is written; marked `delivered` with its hash and
 * bounds in the transaction that removes those pending rows (and the then useless event set).
 * Delivered rows are what the digests (issue 4) list: never modified afterwards.
 */
@Entity({ name: 'trail_log_files' })
@Index('trail_log_files_digest_idx', ['trailId', 'accountId', 'region', 'deliveredAt'])
@Index('trail_log_files_pending_idx', ['trailId', 'accountId', 'region'], { where: `state = 'pending'` })
@Index('trail_log_files_object_key', ['bucket', 'objectKey'], { unique: true })
export class TrailLogFileEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'trail_id', type: 'uuid' })
  trailId!: string;

  /** Owner account of the trail (the management account for organization trails). */
  @Column({ name: 'trail_account_id', type: 'varchar', length: 12 })
  trailAccountId!: string;

  /** The account whose events the file holds (`<acct>` in the key). */
  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  /** Source region (`<region>` in the key). */
  @Column({ type: 'varchar', length: 32 })
  region!: string;

  @Column({ type: 'varchar', length: 63 })
  bucket!: string;

  @Column({ name: 'object_key', type: 'varchar', length: 1024 })
  objectKey!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: LogFileState;

  /** `CloudTrail` (log file) or `CloudTrail-Insight` (Insights file, its own key folder, spec §5.1). */
  @Column({ type: 'varchar', length: 24, default: 'CloudTrail' })
  kind!: LogFileKind;

  @Column({ name: 'event_count', type: 'integer' })
  eventCount!: number;

  /** Hex SHA-256 of the uncompressed JSON (what CloudTrail digests list as hashValue). */
  @Column({ type: 'char', length: 64, nullable: true })
  sha256!: string | null;

  /**
   * Hex SHA-256 of the gzip object as written (what GetObject returns). Signed in OpenTrail's
   * digests as s3ObjectHashValue, so OpenTrail's validator can check a file without inflating it.
   */
  @Column({ name: 'object_sha256', type: 'char', length: 64, nullable: true })
  objectSha256!: string | null;

  /** Size of the stored (gzip) object in bytes. */
  @Column({ name: 'byte_size', type: 'integer', nullable: true })
  byteSize!: number | null;

  @Column({ name: 'uncompressed_size', type: 'integer', nullable: true })
  uncompressedSize!: number | null;

  @Column({ name: 'oldest_event_time', type: 'timestamptz' })
  oldestEventTime!: Date;

  @Column({ name: 'newest_event_time', type: 'timestamptz' })
  newestEventTime!: Date;

  /**
   * While pending: the file's events, in file order (event time, event id). Null once delivered,
   * and for files claimed by earlier versions (their pending rows carry file_id instead).
   */
  @Column({ name: 'event_ids', type: 'uuid', array: true, nullable: true })
  eventIds!: string[] | null;

  @Column({ name: 'event_times', type: 'timestamptz', array: true, nullable: true })
  eventTimes!: Date[] | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
