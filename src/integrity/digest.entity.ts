import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A digest written to a bucket: what the next digest of its chain embeds (location, hash of the
 * uncompressed JSON, signature) and the window a backfill digest refers to. Never modified.
 */
@Entity({ name: 'digests' })
@Index('digests_chain_idx', ['trailId', 'accountId', 'region', 'backfill', 'endTime'])
@Index('digests_object_key', ['bucket', 'objectKey'], { unique: true })
export class DigestEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'trail_id', type: 'uuid' })
  trailId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  region!: string;

  @Column({ type: 'boolean' })
  backfill!: boolean;

  @Column({ type: 'varchar', length: 63 })
  bucket!: string;

  @Column({ name: 'object_key', type: 'varchar', length: 1024 })
  objectKey!: string;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime!: Date;

  @Column({ name: 'end_time', type: 'timestamptz' })
  endTime!: Date;

  /** Hex SHA-256 of the uncompressed digest JSON. */
  @Column({ type: 'char', length: 64 })
  sha256!: string;

  /** Hex RSA signature (also the object's `signature` metadata). */
  @Column({ type: 'varchar', length: 1024 })
  signature!: string;

  @Column({ name: 'log_file_count', type: 'integer' })
  logFileCount!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** Which digest listed a log file: each delivered log file is listed by at most one digest. */
@Entity({ name: 'digest_log_files' })
@Index('digest_log_files_digest_idx', ['digestId'])
export class DigestLogFileEntity {
  @PrimaryColumn({ name: 'log_file_id', type: 'uuid' })
  logFileId!: string;

  @Column({ name: 'digest_id', type: 'uuid' })
  digestId!: string;
}
