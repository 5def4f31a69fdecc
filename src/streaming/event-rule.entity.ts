import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An event rule in the style of EventBridge: events of the rule's account and region whose
 * EventBridge envelope matches `eventPattern` are POSTed, signed, to `webhookUrl`.
 */
@Entity({ name: 'event_rules' })
@Index('event_rules_account_region_name_key', ['accountId', 'region', 'name'], { unique: true })
export class EventRuleEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  region!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** `arn:aws:events:<region>:<account>:rule/<name>` */
  @Column({ type: 'varchar', length: 256 })
  arn!: string;

  /** The pattern as the caller wrote it (validated JSON). */
  @Column({ name: 'event_pattern', type: 'text' })
  eventPattern!: string;

  @Column({ name: 'webhook_url', type: 'varchar', length: 2048 })
  webhookUrl!: string;

  /** ENABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS or DISABLED. */
  @Column({ type: 'varchar', length: 48 })
  state!: string;

  @Column({ name: 'signing_secret', type: 'varchar', length: 128 })
  signingSecret!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
