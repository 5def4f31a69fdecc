import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { TenantScope } from '../common/request-context';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { Metrics } from '../observability/metrics';
import type { EventRow } from './event-record';
import { MAX_ROWS_PER_INSERT, addDays, eventRepository, startOfUtcDay } from './event.repository';
import type { OutboxService } from './outbox.service';

export type EventSourceLabel = 'record' | 'ingest' | 'self_audit' | 'insights';

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
  async write(scope: TenantScope, rows: EventRow[], source: EventSourceLabel, opts: { relaxedCommit?: boolean } = {}): Promise<WriteResult> {
    let inserted = 0;
    const outboxIds: string[] = [];
    for (let i = 0; i < rows.length; i += MAX_ROWS_PER_INSERT) {
      const chunk = rows.slice(i, i + MAX_ROWS_PER_INSERT);
      const result = await this.commitChunk(scope, chunk, source, opts.relaxedCommit === true && source === 'self_audit');
      inserted += result.inserted;
      if (result.outboxId) outboxIds.push(result.outboxId);
    }
    if (inserted > 0) this.metrics.eventsRecorded.inc({ source }, inserted);
    this.outbox.enqueue(outboxIds);
    return { inserted, duplicates: rows.length - inserted };
  }

  private async commitChunk(scope: TenantScope, rows: EventRow[], source: EventSourceLabel, relaxedCommit: boolean, retried = false): Promise<{ inserted: number; outboxId: string | null }> {
    try {
      const insert = (client: PoolClient) => eventRepository.insertEventsWithOutbox(client, scope.accountId, rows);
      // Self-audit rows are built by the service for a verified identity, not sent by a tenant:
      // they are written as the service, in one autocommitted statement when the batch is small
      // enough for a single INSERT (one round trip on every request's critical path).
      if (source === 'self_audit') return await this.db.asService(insert, { transaction: !eventRepository.isSingleStatement(rows.length), relaxedCommit });
      return await this.db.inTenantRaw(scope, insert);
    } catch (err) {
      // 23514: no partition for an event time. Partitions are made ahead by the retention job;
      // if it has not run (a long-stopped worker), make the missing days now and retry once.
      if ((err as { code?: string }).code !== '23514' || retried) throw err;
      const times = rows.map((r) => r.eventTime.getTime());
      this.logger.warn('an event fell outside the existing partitions; creating them');
      await eventRepository.ensurePartitions(this.db.pool, startOfUtcDay(new Date(Math.min(...times))), new Date(Math.max(...times)));
      return this.commitChunk(scope, rows, source, relaxedCommit, true);
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
