import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { AdvancedEventSelector, InsightSelector } from '../trails/trail.entity';

export type EventDataStoreStatus =
  'CREATED' | 'ENABLED' | 'PENDING_DELETION' | 'STARTING_INGESTION' | 'STOPPING_INGESTION' | 'STOPPED_INGESTION';

/** PutEventConfiguration's MaxEventSize (spec §4.5): Standard stores take events up to 256 KB, Large up to 1 MB. */
export type MaxEventSize = 'Standard' | 'Large';

/** A context key selector (spec §4.5): which tag keys or IAM global condition keys enrich the store's events. */
export interface ContextKeySelector {
  Type: 'TagContext' | 'RequestContext';
  Equals: string[];
}

export type BillingMode = 'EXTENDABLE_RETENTION_PRICING' | 'FIXED_RETENTION_PRICING';

/**
 * A CloudTrail Lake event data store (spec §8.1). Its id is the UUID part of the ARN and the
 * table name users write in Lake SQL. Its events live in the partitioned `lake_events` table
 * (not an entity: see lake-event.repository.ts).
 */
@Entity({ name: 'event_data_stores' })
@Index('event_data_stores_account_region_name_key', ['accountId', 'region', 'name'], { unique: true })
// Routing looks up ingesting stores of an account, and organization stores of its organization.
@Index('event_data_stores_ingesting_idx', ['accountId'], { where: `status = 'ENABLED'` })
@Index('event_data_stores_organization_idx', ['organizationId'], { where: `organization_enabled AND status = 'ENABLED'` })
export class EventDataStoreEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 256 })
  arn!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  /** Set for organization-enabled stores: the organization whose accounts they receive events of. */
  @Column({ name: 'organization_id', type: 'varchar', length: 34, nullable: true })
  organizationId!: string | null;

  @Column({ name: 'organization_enabled', type: 'boolean', default: false })
  organizationEnabled!: boolean;

  @Column({ name: 'multi_region_enabled', type: 'boolean', default: true })
  multiRegionEnabled!: boolean;

  /** Home region: the only region whose events a single-region store receives. */
  @Column({ type: 'varchar', length: 32 })
  region!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 32 })
  status!: EventDataStoreStatus;

  @Column({ name: 'retention_period', type: 'integer' })
  retentionPeriod!: number;

  @Column({ name: 'billing_mode', type: 'varchar', length: 32, default: 'EXTENDABLE_RETENTION_PRICING' })
  billingMode!: BillingMode;

  @Column({ name: 'termination_protection_enabled', type: 'boolean', default: true })
  terminationProtectionEnabled!: boolean;

  /** Add-only: once set it can never be changed or removed (spec §8.1.1). */
  @Column({ name: 'kms_key_id', type: 'varchar', length: 350, nullable: true })
  kmsKeyId!: string | null;

  @Column({ name: 'advanced_event_selectors', type: 'jsonb' })
  advancedEventSelectors!: AdvancedEventSelector[];

  /**
   * Insights on this (source, management-event) store: its selectors, and the Insight-category store
   * of the same account that receives the Insights events (PutInsightSelectors, spec §10). Both or neither.
   */
  @Column({ name: 'insight_selectors', type: 'jsonb', nullable: true })
  insightSelectors!: InsightSelector[] | null;

  @Column({ name: 'insights_destination_id', type: 'uuid', nullable: true })
  insightsDestinationId!: string | null;

  /** Event configuration (PutEventConfiguration, spec §4.5): the largest event the store takes. */
  @Column({ name: 'max_event_size', type: 'varchar', length: 16, default: 'Standard' })
  maxEventSize!: MaxEventSize;

  /** Event configuration: the keys that add `eventContext` to the store's events, or null for none. */
  @Column({ name: 'context_key_selectors', type: 'jsonb', nullable: true })
  contextKeySelectors!: ContextKeySelector[] | null;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  tags!: Array<{ Key: string; Value: string | null }>;

  /** The resource-based policy as the owner wrote it (PutResourcePolicy, spec §8.6), or null. */
  @Column({ name: 'resource_policy', type: 'text', nullable: true })
  resourcePolicy!: string | null;

  /** PENDING_DELETION since; the store and its events are purged 7 days later. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
