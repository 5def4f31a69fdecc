import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { UserIdentity } from '../../common/request-context';

export type DashboardType = 'MANAGED' | 'CUSTOM';
export type DashboardStatus = 'CREATING' | 'CREATED' | 'UPDATING' | 'UPDATED' | 'DELETING';

/** A widget as stored: its query, the parameters its `?` placeholders take in order, and how it is shown. */
export interface StoredWidget {
  queryAlias: string;
  queryStatement: string;
  queryParameters: string[] | null;
  viewProperties: Record<string, string>;
}

export interface StoredRefreshSchedule {
  frequency: { unit: 'HOURS' | 'DAYS'; value: number } | null;
  status: 'ENABLED' | 'DISABLED';
  timeOfDay: string;
}

/** The principal a scheduled refresh acts for: whoever last set the schedule, reloaded at each refresh. */
export interface ScheduleCaller {
  identity: UserIdentity;
  principalRef: { kind: 'user' | 'role'; id: string };
  sourceAccessKeyId: string;
}

/** One widget's query in the latest refresh. */
export interface RefreshQuery {
  queryAlias: string;
  queryId: string;
}

/**
 * A CloudTrail Lake dashboard (spec §8.5): custom (up to 10 widgets of Lake SQL) or one of the
 * managed dashboards, whose widgets are built in (managed-dashboards.ts) and not stored here.
 */
@Entity({ name: 'dashboards' })
@Index('dashboards_account_region_name_key', ['accountId', 'region', 'name'], { unique: true })
export class DashboardEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  region!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 256 })
  arn!: string;

  @Column({ type: 'varchar', length: 8 })
  type!: DashboardType;

  @Column({ type: 'varchar', length: 16 })
  status!: DashboardStatus;

  /** Custom dashboards' widgets; empty for managed ones. */
  @Column({ type: 'jsonb', default: () => `'[]'` })
  widgets!: StoredWidget[];

  @Column({ name: 'refresh_schedule', type: 'jsonb', nullable: true })
  refreshSchedule!: StoredRefreshSchedule | null;

  @Column({ name: 'schedule_caller', type: 'jsonb', nullable: true })
  scheduleCaller!: ScheduleCaller | null;

  /** When the schedule was last set: slots before it are never refreshed. */
  @Column({ name: 'schedule_set_at', type: 'timestamptz', nullable: true })
  scheduleSetAt!: Date | null;

  /** The latest schedule slot refreshed (idempotency of the scheduled refresh per period). */
  @Column({ name: 'last_scheduled_slot', type: 'timestamptz', nullable: true })
  lastScheduledSlot!: Date | null;

  @Column({ name: 'termination_protection_enabled', type: 'boolean', default: false })
  terminationProtectionEnabled!: boolean;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  tags!: Array<{ Key: string; Value: string | null }>;

  @Column({ name: 'last_refresh_id', type: 'varchar', length: 20, nullable: true })
  lastRefreshId!: string | null;

  @Column({ name: 'last_refresh_failure_reason', type: 'varchar', length: 1000, nullable: true })
  lastRefreshFailureReason!: string | null;

  @Column({ name: 'last_refresh_queries', type: 'jsonb', default: () => `'[]'` })
  lastRefreshQueries!: RefreshQuery[];

  /** The last manual refresh's `$EventDataStoreId$`: scheduled refreshes of a managed dashboard read that store. */
  @Column({ name: 'refresh_store_id', type: 'varchar', length: 36, nullable: true })
  refreshStoreId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
