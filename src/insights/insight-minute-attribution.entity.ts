import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Per-minute count of one attribute value (user identity ARN, user agent, error code) within one
 * series: what the `attributions` of an Insights event are computed from. Service-only; kept for
 * INSIGHTS_ATTRIBUTION_RETENTION (baseline week + the longest open insight we still explain).
 */
@Entity({ name: 'insights_minute_attributions' })
@Index('insights_minute_attributions_time_idx', ['accountId', 'region', 'minute'])
export class InsightMinuteAttributionEntity {
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
  minute!: Date;

  /** userIdentityArn | userAgent | errorCode. */
  @PrimaryColumn({ type: 'varchar', length: 16 })
  attribute!: string;

  /** The attribute's value; 'null' when the event had none (CloudTrail's spelling for "no error"). */
  @PrimaryColumn({ type: 'text' })
  value!: string;

  @Column({ type: 'integer' })
  count!: number;
}
