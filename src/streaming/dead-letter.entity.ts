import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** An event a rule could not deliver after its last attempt; listable and re-drivable. */
@Entity({ name: 'webhook_dead_letters' })
@Index('webhook_dead_letters_account_rule_idx', ['accountId', 'ruleId', 'id'])
@Index('webhook_dead_letters_rule_event_key', ['ruleId', 'eventId'], { unique: true })
export class DeadLetterEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ name: 'rule_id', type: 'uuid' })
  ruleId!: string;

  @Column({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  /** The EventBridge envelope exactly as it was (and will again be) sent. */
  @Column({ type: 'jsonb' })
  envelope!: Record<string, unknown>;

  @Column({ name: 'last_error', type: 'varchar', length: 1024 })
  lastError!: string;

  @Column({ type: 'int' })
  attempts!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
