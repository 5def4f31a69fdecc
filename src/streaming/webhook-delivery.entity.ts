import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One pending webhook job: the events of one outbox batch that matched one rule. Written in the
 * routing transaction (so it exists exactly once per batch and rule), removed when every event
 * was sent or dead-lettered. The `webhook-sweep` job re-enqueues rows whose job was lost.
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

  /** Events still to send (shrinks as they are delivered). */
  @Column({ name: 'event_ids', type: 'uuid', array: true })
  eventIds!: string[];

  @Column({ name: 'event_times', type: 'timestamptz', array: true })
  eventTimes!: Date[];

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'varchar', length: 1024, nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'enqueued_at', type: 'timestamptz', nullable: true })
  enqueuedAt!: Date | null;
}
