import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * Delivery status of a trail in one source region (spec §4.2: status is per region; a shadow is
 * queried with the trail ARN in that region). Written by the delivery and digest workers, read by
 * getTrailStatus.
 */
@Entity({ name: 'trail_delivery_status' })
export class TrailDeliveryStatusEntity {
  @PrimaryColumn({ name: 'trail_id', type: 'uuid' })
  trailId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  region!: string;

  /** Owner account of the trail (row-level security). */
  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ name: 'latest_delivery_time', type: 'timestamptz', nullable: true })
  latestDeliveryTime!: Date | null;

  @Column({ name: 'latest_delivery_attempt_time', type: 'timestamptz', nullable: true })
  latestDeliveryAttemptTime!: Date | null;

  /** S3-style error code of the last failed attempt (AccessDenied, NoSuchBucket, KMS.DisabledException …); null after a success. */
  @Column({ name: 'latest_delivery_error', type: 'varchar', length: 1024, nullable: true })
  latestDeliveryError!: string | null;

  @Column({ name: 'latest_notification_time', type: 'timestamptz', nullable: true })
  latestNotificationTime!: Date | null;

  @Column({ name: 'latest_notification_attempt_time', type: 'timestamptz', nullable: true })
  latestNotificationAttemptTime!: Date | null;

  @Column({ name: 'latest_notification_error', type: 'varchar', length: 1024, nullable: true })
  latestNotificationError!: string | null;

  @Column({ name: 'latest_digest_delivery_time', type: 'timestamptz', nullable: true })
  latestDigestDeliveryTime!: Date | null;

  @Column({ name: 'latest_digest_delivery_error', type: 'varchar', length: 1024, nullable: true })
  latestDigestDeliveryError!: string | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
