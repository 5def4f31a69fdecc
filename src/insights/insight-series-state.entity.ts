import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Detection state of one series: its baseline for the region's current baseline day, and the
 * open insight if any (a Start event was emitted, no End yet). Keeping the open insight here makes
 * Start/End pairs consistent across restarts: the End carries the Start's sharedEventID and is
 * judged against the baseline the Start was judged against. Service-only.
 */
@Entity({ name: 'insights_series' })
export class InsightSeriesStateEntity {
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

  @PrimaryColumn({ name: 'error_code', type: 'text' })
  errorCode!: string;

  @Column({ name: 'baseline_day', type: 'timestamptz', nullable: true })
  baselineDay!: Date | null;

  /** Sum of the series over the baseline week. */
  @Column({ name: 'baseline_total', type: 'bigint', default: 0 })
  baselineTotal!: string;

  /** The 4th-largest per-minute count of the baseline week (detection.ts explains why). */
  @Column({ name: 'baseline_peak', type: 'integer', default: 0 })
  baselinePeak!: number;

  @Column({ name: 'open_shared_event_id', type: 'uuid', nullable: true })
  openSharedEventId!: string | null;

  /** First minute of the open insight. */
  @Column({ name: 'open_started_at', type: 'timestamptz', nullable: true })
  openStartedAt!: Date | null;

  /** Last minute of the open insight whose count was above the baseline peak. */
  @Column({ name: 'open_last_hot', type: 'timestamptz', nullable: true })
  openLastHot!: Date | null;

  @Column({ name: 'open_baseline_day', type: 'timestamptz', nullable: true })
  openBaselineDay!: Date | null;

  @Column({ name: 'open_baseline_total', type: 'bigint', nullable: true })
  openBaselineTotal!: string | null;

  @Column({ name: 'open_baseline_peak', type: 'integer', nullable: true })
  openBaselinePeak!: number | null;
}
