import type { Logger } from 'pino';
import type { TenantScope } from '../common/request-context';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { Metrics } from '../observability/metrics';
import type { EventRow } from './event-record';
import { MAX_ROWS_PER_INSERT, addDays, eventRepository, startOfUtcDay } from './event.repository';
import type { OutboxService } from './outbox.service';

export type EventSourceLabel = 'record' | 'ingest' | 'self_audit' | 'insights';

/** Rows already formatted as COPY text (eventCopyLine) by an ingest parser, all of one account. */
export interface CopyBatch {
  copyText: Buffer[];
  rows: number;
  /** The earliest and latest event time of the rows (epoch ms), for making missing partitions. */
  minTime: number;
  maxTime: number;
}

export interface WriteResult {
  /** Rows that were new. */
  inserted: number;
  /** Rows whose (account, eventID, eventTime) was already stored. */
  duplicates: number;
}

/**
 * The one durable write path of events: in one tenant transaction per ≤1000 rows, the events and
 * their outbox row; after commit, the aggregation job (best effort: the outbox covers failures).
 */
export class EventWriter {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly outbox: OutboxService,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /**
   * Commits `rows` (all of the scope's account); resolves only once they are durable — or, with
   * `relaxedCommit` (self-audit of read-only calls, SELF_AUDIT_READ_COMMIT=async), once committed
   * with the WAL flush left to PostgreSQL's WAL writer (see Database.asService).
   */
  async write(
    scope: TenantScope,
    rows: EventRow[],
    source: EventSourceLabel,
    opts: { relaxedCommit?: boolean } = {},
  ): Promise<WriteResult> {
    let inserted = 0;
    const outboxIds: string[] = [];
    const relaxedCommit = opts.relaxedCommit === true && source === 'self_audit';
    for (let i = 0; i < rows.length; i += MAX_ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + MAX_ROWS_PER_INSERT);
      // Self-audit rows are built by the service for a verified identity, not sent by a tenant:
      // they are written as the service, in one autocommitted statement when the batch is small
      // enough for a single INSERT (one round trip on every request's critical path).
      const commit =
        source === 'self_audit'
          ? () =>
              this.db.asService((client) => eventRepository.insertEventsWithOutbox(client, scope.accountId, chunk, 'service'), {
                transaction: !eventRepository.isSingleStatement(chunk.length),
                relaxedCommit,
              })
          : () => this.db.inTenantRaw(scope, (client) => eventRepository.insertEventsWithOutbox(client, scope.accountId, chunk, 'tenant'));
      const result = await this.withPartitions(commit, () => {
        const times = chunk.map((r) => r.eventTime.getTime());
        return [Math.min(...times), Math.max(...times)];
      });
      inserted += result.inserted;
      if (result.outboxId) outboxIds.push(result.outboxId);
    }
    return this.written(source, rows.length, inserted, outboxIds);
  }

  /** Commits rows an ingest parser has already formatted as COPY text, as one tenant transaction. */
  async writeCopy(scope: TenantScope, batch: CopyBatch, source: EventSourceLabel): Promise<WriteResult> {
    if (batch.rows === 0) return { inserted: 0, duplicates: 0 };
    const result = await this.withPartitions(
      () => this.db.inTenantRaw(scope, (client) => eventRepository.insertCopyWithOutbox(client, scope.accountId, batch.copyText)),
      () => [batch.minTime, batch.maxTime],
    );
    return this.written(source, batch.rows, result.inserted, result.outboxId ? [result.outboxId] : []);
  }

  private written(source: EventSourceLabel, rows: number, inserted: number, outboxIds: string[]): WriteResult {
    if (inserted > 0) this.metrics.eventsRecorded.inc({ source }, inserted);
    this.outbox.enqueue(outboxIds);
    return { inserted, duplicates: rows - inserted };
  }

  /**
   * Runs `commit`; on 23514 (no partition for an event time) makes the partitions of the rows'
   * time range (computed only then) and retries once. Partitions are made ahead by the retention
   * job; this covers a worker that has not run for a long time.
   */
  private async withPartitions<T>(commit: () => Promise<T>, timeRange: () => [number, number]): Promise<T> {
    try {
      return await commit();
    } catch (err) {
      if ((err as { code?: string }).code !== '23514') throw err;
      this.logger.warn('an event fell outside the existing partitions; creating them');
      const [minTime, maxTime] = timeRange();
      await eventRepository.ensurePartitions(this.db.pool, startOfUtcDay(new Date(minTime)), new Date(maxTime));
      return commit();
    }
  }

  /** Partitions from the oldest retained day to `partitionsAheadDays` ahead (idempotent). */
  async ensurePartitions(now = new Date()): Promise<string[]> {
    const today = startOfUtcDay(now);
    return eventRepository.ensurePartitions(
      this.db.pool,
      addDays(today, -this.config.eventHistoryRetentionDays),
      addDays(today, this.config.partitionsAheadDays),
    );
  }
}
