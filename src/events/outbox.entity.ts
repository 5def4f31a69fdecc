import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One row per committed batch of new events, written in the same transaction as the events.
 * The aggregation job routes the batch and sets `routed_at`; the sweeper re-enqueues rows that
 * stay unrouted (Redis down, worker died), so no acknowledged event is ever left behind.
 */
@Entity({ name: 'event_outbox' })
@Index('event_outbox_pending_idx', ['id'], { where: 'routed_at IS NULL' })
export class OutboxEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  /** Keys of the events of the batch: parallel arrays of eventID and eventTime. */
  @Column({ name: 'event_ids', type: 'uuid', array: true })
  eventIds!: string[];

  @Column({ name: 'event_times', type: 'timestamptz', array: true })
  eventTimes!: Date[];

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'enqueued_at', type: 'timestamptz', nullable: true })
  enqueuedAt!: Date | null;

  @Column({ name: 'routed_at', type: 'timestamptz', nullable: true })
  routedAt!: Date | null;
}
