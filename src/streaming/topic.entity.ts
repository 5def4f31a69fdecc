import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A notification topic in the style of SNS: trails name one (`snsTopicName`) to have each
 * delivered log file announced. Messages are POSTed, signed, to the topic's HTTPS/HTTP endpoint.
 */
@Entity({ name: 'notification_topics' })
@Index('notification_topics_account_region_name_key', ['accountId', 'region', 'name'], { unique: true })
export class TopicEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  region!: string;

  @Column({ type: 'varchar', length: 256 })
  name!: string;

  /** `arn:aws:sns:<region>:<account>:<name>` */
  @Column({ name: 'topic_arn', type: 'varchar', length: 512 })
  topicArn!: string;

  @Column({ type: 'varchar', length: 2048 })
  endpoint!: string;

  /** HMAC-SHA256 key for the signature header; returned once at creation. */
  @Column({ name: 'signing_secret', type: 'varchar', length: 128 })
  signingSecret!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
