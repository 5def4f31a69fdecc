import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Per-minute count of one series (insight-series.ts): write management calls (call rate) or calls
 * that ended in one error code (error rate), in the minute of their eventTime. Upserted by the
 * Insights counting router inside the outbox routing transaction, so each event counts exactly
 * once. Tenants read it (listInsightsMetricData) through row-level security; only the service writes.
 */
@Entity({ name: 'insights_minute_counts' })
@Index('insights_minute_counts_time_idx', ['accountId', 'region', 'minute'])
export class InsightMinuteCountEntity {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  region!: string;

  @PrimaryColumn({ name: 'event_source', type: 'text' })
  eventSource!: string;

  @PrimaryColumn({ name: 'event_name', type: 'text' })
  eventName!: string;

  @PrimaryColumn({ name: 'insight_type', type: 'varchar', length: 24 })
  insightType!: string;

  /** '' for the call-rate series. */
  @PrimaryColumn({ name: 'error_code', type: 'text' })
  errorCode!: string;

  @PrimaryColumn({ type: 'timestamptz' })
  minute!: Date;

  @Column({ type: 'integer' })
  count!: number;
}
