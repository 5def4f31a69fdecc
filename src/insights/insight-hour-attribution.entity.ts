import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Per-hour count of one attribute value (user identity ARN, user agent, error code) within one
 * series: the baseline `attributions` of an Insights event are summed from it over the baseline
 * week (whole days, so whole hours). Hours, not minutes: up to 60× fewer rows to upsert while
 * routing; the insight window's attributions are read from `events` instead (a few minutes of one
 * API, on the (account, region, event_name, event_time) index). Service-only; kept 15 days.
 */
@Entity({ name: 'insights_hour_attributions' })
@Index('insights_hour_attributions_time_idx', ['accountId', 'region', 'hour'])
export class InsightHourAttributionEntity {
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

  @PrimaryColumn({ type: 'timestamptz' })
  hour!: Date;

  /** userIdentityArn | userAgent | errorCode. */
  @PrimaryColumn({ type: 'varchar', length: 16 })
  attribute!: string;

  /** The attribute's value; 'null' when the event had none (CloudTrail's spelling for "no error"). */
  @PrimaryColumn({ type: 'text' })
  value!: string;

  @Column({ type: 'integer' })
  count!: number;
}
