import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { AdvancedEventSelector, EventSelector, InsightSelector } from '../selectors/event-selectors';

// The selector shapes are the selectors module's; re-exported for the modules that read them off a trail row.
export type { AdvancedEventSelector, EventSelector, InsightSelector };

/**
 * A trail (spec §4). The owner account is the management account for organization trails; shadow
 * trails (other regions, member accounts) are not rows: they are this row seen from elsewhere.
 */
@Entity({ name: 'trails' })
@Index('trails_account_region_name_key', ['accountId', 'homeRegion', 'name'], { unique: true })
@Index('trails_organization_idx', ['organizationId'], { where: 'is_organization_trail' })
export class TrailEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  /** Set for organization trails: the organization whose accounts it covers. */
  @Column({ name: 'organization_id', type: 'varchar', length: 34, nullable: true })
  organizationId!: string | null;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ name: 'home_region', type: 'varchar', length: 32 })
  homeRegion!: string;

  @Column({ name: 'trail_arn', type: 'varchar', length: 256 })
  trailArn!: string;

  @Column({ name: 's3_bucket_name', type: 'varchar', length: 63 })
  s3BucketName!: string;

  @Column({ name: 's3_key_prefix', type: 'varchar', length: 200, nullable: true })
  s3KeyPrefix!: string | null;

  @Column({ name: 'sns_topic_name', type: 'varchar', length: 256, nullable: true })
  snsTopicName!: string | null;

  @Column({ name: 'include_global_service_events', type: 'boolean', default: true })
  includeGlobalServiceEvents!: boolean;

  @Column({ name: 'is_multi_region_trail', type: 'boolean', default: false })
  isMultiRegionTrail!: boolean;

  @Column({ name: 'is_organization_trail', type: 'boolean', default: false })
  isOrganizationTrail!: boolean;

  @Column({ name: 'log_file_validation_enabled', type: 'boolean', default: false })
  logFileValidationEnabled!: boolean;

  @Column({ name: 'kms_key_id', type: 'varchar', length: 2048, nullable: true })
  kmsKeyId!: string | null;

  @Column({ name: 'cloud_watch_logs_log_group_arn', type: 'varchar', length: 2048, nullable: true })
  cloudWatchLogsLogGroupArn!: string | null;

  @Column({ name: 'cloud_watch_logs_role_arn', type: 'varchar', length: 2048, nullable: true })
  cloudWatchLogsRoleArn!: string | null;

  /** Basic selectors; null when advanced selectors are in use (the two are exclusive). */
  @Column({ name: 'event_selectors', type: 'jsonb', nullable: true })
  eventSelectors!: EventSelector[] | null;

  @Column({ name: 'advanced_event_selectors', type: 'jsonb', nullable: true })
  advancedEventSelectors!: AdvancedEventSelector[] | null;

  @Column({ name: 'has_custom_event_selectors', type: 'boolean', default: false })
  hasCustomEventSelectors!: boolean;

  @Column({ name: 'insight_selectors', type: 'jsonb', nullable: true })
  insightSelectors!: InsightSelector[] | null;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  tags!: Array<{ Key: string; Value: string | null }>;

  @Column({ name: 'is_logging', type: 'boolean', default: false })
  isLogging!: boolean;

  @Column({ name: 'start_logging_time', type: 'timestamptz', nullable: true })
  startLoggingTime!: Date | null;

  @Column({ name: 'stop_logging_time', type: 'timestamptz', nullable: true })
  stopLoggingTime!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
