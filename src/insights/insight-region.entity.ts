import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One (account, region) the counting router has counted events for: where detection starts
 * (a full baseline week after the first counted minute), how far it has analysed, and which
 * day's baselines are stored in insights_series. Service-only.
 */
@Entity({ name: 'insights_regions' })
export class InsightRegionEntity {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  region!: string;

  /** The earliest minute counted (event time): the baseline cannot reach before it. */
  @Column({ name: 'counting_since', type: 'timestamptz' })
  countingSince!: Date;

  /** Minutes before this are analysed (exclusive bound); null until the first analysis. */
  @Column({ name: 'analyzed_through', type: 'timestamptz', nullable: true })
  analyzedThrough!: Date | null;

  /** The UTC day whose baselines insights_series holds; null before the first computation. */
  @Column({ name: 'baseline_day', type: 'timestamptz', nullable: true })
  baselineDay!: Date | null;
}
