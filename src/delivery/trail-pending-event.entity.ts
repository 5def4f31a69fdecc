import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LogFileKind } from './log-file-key';

/**
 * An event routed to a trail and not yet in a delivered log file. Written by the aggregation
 * router inside the outbox routing transaction (ON CONFLICT DO NOTHING: routing twice changes
 * nothing); deleted in the transaction that marks the log file holding it delivered.
 * `eventTime` is part of the key because `events` is partitioned by time and can only
 * de-duplicate on (account, eventID, eventTime) — the same rule applies here.
 *
 * The key is also the delivery group's queue: (trail, account, region, kind) then (time, id), so
 * a claim reads the group's oldest rows in order and stops (no sort of the whole backlog), and
 * the tick finds the groups by skipping along it. Region and kind are functions of the event
 * (its source region and category), so the key de-duplicates exactly like (trail, account,
 * eventID, eventTime); one index instead of two keeps routing's inserts cheap.
 */
@Entity({ name: 'trail_pending_events' })
export class TrailPendingEventEntity {
  @PrimaryColumn({ name: 'trail_id', type: 'uuid' })
  trailId!: string;

  /** The event's account (a member account for organization trails), not the trail owner. */
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  /** Source region of the event (the region in the log file key). */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  region!: string;

  /** Which files the event goes to: log files, or the separate Insights files (spec §5.1). */
  @PrimaryColumn({ type: 'varchar', length: 24, default: 'CloudTrail' })
  kind!: LogFileKind;

  @PrimaryColumn({ name: 'event_time', type: 'timestamptz' })
  eventTime!: Date;

  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId!: string;

  @Column({ name: 'outbox_id', type: 'bigint' })
  outboxId!: string;

  /**
   * Claims of earlier versions only (they marked a file's rows here; a file now carries its
   * event set itself, see trail_log_files.event_ids). Null for every row routed since.
   */
  @Column({ name: 'file_id', type: 'uuid', nullable: true })
  fileId!: string | null;
}
