import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The health of one rule's receiver, present only while it is failing. While a row exists, the
 * rule's deliveries do not POST on their own: one probe (the job that claims `probe_until`) tries
 * at `next_attempt_at`, the others wait for its outcome, so a receiver that is down costs one POST
 * per backoff step however many batches are queued for it. A success deletes the row.
 * Worker-only state (no app-role grant), like webhook_deliveries.
 */
@Entity({ name: 'webhook_target_states' })
export class WebhookTargetStateEntity {
  @PrimaryColumn({ name: 'rule_id', type: 'uuid' })
  ruleId!: string;

  /** Consecutive failed POSTs: the exponent of the backoff. */
  @Column({ type: 'int' })
  failures!: number;

  @Column({ name: 'failing_since', type: 'timestamptz' })
  failingSince!: Date;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** Set while a probe is in flight; the other deliveries wait until then. */
  @Column({ name: 'probe_until', type: 'timestamptz', nullable: true })
  probeUntil!: Date | null;

  /** Tenant-safe failure text (webhook-sender's classes), used for dead letters of waiting batches. */
  @Column({ name: 'last_error', type: 'varchar', length: 1024 })
  lastError!: string;
}
