import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export interface ChannelDestination {
  Type: 'EVENT_DATA_STORE' | 'AWS_SERVICE';
  Location: string;
}

/**
 * A CloudTrail Lake integration channel (spec §9.1): events sent with PutAuditEvents land in its
 * destination event data stores. One channel per source per account and Region.
 */
@Entity({ name: 'channels' })
@Index('channels_account_region_name_key', ['accountId', 'region', 'name'], { unique: true })
@Index('channels_account_region_source_key', ['accountId', 'region', 'source'], { unique: true })
export class ChannelEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 256 })
  arn!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  region!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 256 })
  source!: string;

  @Column({ type: 'jsonb' })
  destinations!: ChannelDestination[];

  @Column({ type: 'jsonb', default: () => `'[]'` })
  tags!: Array<{ Key: string; Value: string | null }>;

  /** The resource-based policy (who may PutAuditEvents besides the owner; spec §9.1), or null. */
  @Column({ name: 'resource_policy', type: 'text', nullable: true })
  resourcePolicy!: string | null;

  @Column({ name: 'latest_ingestion_success_time', type: 'timestamptz', nullable: true })
  latestIngestionSuccessTime!: Date | null;

  @Column({ name: 'latest_ingestion_success_event_id', type: 'varchar', length: 36, nullable: true })
  latestIngestionSuccessEventId!: string | null;

  @Column({ name: 'latest_ingestion_error_code', type: 'varchar', length: 1000, nullable: true })
  latestIngestionErrorCode!: string | null;

  @Column({ name: 'latest_ingestion_attempt_time', type: 'timestamptz', nullable: true })
  latestIngestionAttemptTime!: Date | null;

  @Column({ name: 'latest_ingestion_attempt_event_id', type: 'varchar', length: 36, nullable: true })
  latestIngestionAttemptEventId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
