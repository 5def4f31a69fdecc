import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One pending webhook job: the events of one outbox batch that matched one rule. Written in the
 * routing transaction (so it exists exactly once per batch and rule), removed when every event
 * was sent or dead-lettered. `delivered` moves after every accepted POST (committed before the
 * next POST), so a crash resends at most the POST in flight; the lease keeps two runs of the same
 * row (a job BullMQ thought stalled) from sending side by side. The `webhook-sweep` job
 * re-enqueues rows whose job was lost.
 */
@Entity({ name: 'webhook_deliveries' })
@Index('webhook_deliveries_created_idx', ['createdAt'])
export class WebhookDeliveryEntity {
  @PrimaryColumn({ name: 'rule_id', type: 'uuid' })
  ruleId!: string;

  @PrimaryColumn({ name: 'outbox_id', type: 'bigint' })
  outboxId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  /** Events still to send, from position `delivered` on (trimmed when an attempt fails). */
  @Column({ name: 'event_ids', type: 'uuid', array: true })
  eventIds!: string[];

  @Column({ name: 'event_times', type: 'timestamptz', array: true })
  eventTimes!: Date[];

  /** How many of `event_ids` the receiver accepted: an integer update per POST, not an array rewrite. */
  @Column({ type: 'int', default: 0 })
  delivered!: number;

  /** The run sending this row now; progress is written only under its token. */
  @Column({ name: 'lease_token', type: 'uuid', nullable: true })
  leaseToken!: string | null;

  /** Until when the lease holds (renewed by every progress write; a dead run's lease runs out). */
  @Column({ name: 'leased_until', type: 'timestamptz', nullable: true })
  leasedUntil!: Date | null;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'varchar', length: 1024, nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'enqueued_at', type: 'timestamptz', nullable: true })
  enqueuedAt!: Date | null;
}
