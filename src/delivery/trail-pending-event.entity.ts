import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { LogFileKind } from './log-file-key';

/**
 * An event routed to a trail and not yet in a delivered log file. Written by the aggregation
 * router inside the outbox routing transaction (ON CONFLICT DO NOTHING: routing twice changes
 * nothing); deleted in the transaction that marks the log file holding it delivered.
 * `eventTime` is part of the key because `events` is partitioned by time and can only
 * de-duplicate on (account, eventID, eventTime) — the same rule applies here.
 */
@Entity({ name: 'trail_pending_events' })
@Index('trail_pending_events_group_idx', ['trailId', 'accountId', 'region', 'fileId', 'eventTime', 'eventId'])
export class TrailPendingEventEntity {
  @PrimaryColumn({ name: 'trail_id', type: 'uuid' })
  trailId!: string;

  /** The event's account (a member account for organization trails), not the trail owner. */
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @PrimaryColumn({ name: 'event_time', type: 'timestamptz' })
  eventTime!: Date;

  /** Source region of the event (the region in the log file key). */
  @Column({ type: 'varchar', length: 32 })
  region!: string;

  @Column({ name: 'outbox_id', type: 'bigint' })
  outboxId!: string;

  /** Set when the event is claimed by a log file (trail_log_files, state pending); fixed from then on. */
  @Column({ name: 'file_id', type: 'uuid', nullable: true })
  fileId!: string | null;

  /** Which files the event goes to: log files, or the separate Insights files (spec §5.1). */
  @Column({ type: 'varchar', length: 24, default: 'CloudTrail' })
  kind!: LogFileKind;
}
