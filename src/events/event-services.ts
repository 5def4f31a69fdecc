import type { Logger } from 'pino';
import type { ApiCallRecorder } from '../common/api-call';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { type Metrics, setQueueDepthCollector } from '../observability/metrics';
import { QUEUE_NAMES } from '../jobs/queues';
import { EventHistoryService } from './event-history.service';
import { EventRecorderService } from './event-recorder.service';
import { EventRetentionService } from './event-retention.service';
import { EventWriter } from './event-writer';
import { IngestParserPool } from './ingest-parser-pool';
import { type EventDestinations, OutboxService } from './outbox.service';
import { SelfAuditRecorder } from './self-audit.recorder';

/** What the events module adds to Services. */
export interface EventServices {
  /** Self-audit: records control-plane calls as events. */
  apiCallRecorder: ApiCallRecorder;
  /** The durable write path shared by recordEvents, /ingest and self-audit. */
  eventWriter: EventWriter;
  eventRecorder: EventRecorderService;
  /** The threads that parse /ingest bodies. */
  ingestParsers: IngestParserPool;
  eventHistory: EventHistoryService;
  eventRetention: EventRetentionService;
  /** Queues, after-commit enqueue, sweeper and exactly-once routing. */
  outbox: OutboxService;
  /** Creates the event history partitions the retention window and the days ahead need (idempotent). */
  prepareEventStore(): Promise<void>;
  closeEventServices(): Promise<void>;
}

/** `destinations` builds the outbox's routers (the composition root knows the other modules). */
export function createEventServices(
  core: { config: Config; db: Database; logger: Logger; metrics: Metrics },
  destinations: EventDestinations,
): EventServices {
  const { config, db, logger, metrics } = core;
  const outbox = new OutboxService(config, db, logger.child({ module: 'outbox' }), destinations);
  const eventWriter = new EventWriter(config, db, outbox, metrics, logger);
  setQueueDepthCollector(metrics, async () => {
    const samples = [];
    for (const name of QUEUE_NAMES) {
      const counts = await outbox.jobs.queue(name).getJobCounts('waiting', 'active', 'delayed', 'failed');
      for (const [state, count] of Object.entries(counts)) samples.push({ queue: name, state, count });
    }
    return samples;
  });
  const ingestParsers = new IngestParserPool(config.ingestParserThreads, logger.child({ module: 'ingest' }));
  return {
    apiCallRecorder: new SelfAuditRecorder(eventWriter, config.selfAuditReadCommit === 'async'),
    eventWriter,
    eventRecorder: new EventRecorderService(config, eventWriter),
    ingestParsers,
    eventHistory: new EventHistoryService(config, db),
    eventRetention: new EventRetentionService(config, db, eventWriter, logger.child({ module: 'retention' })),
    outbox,
    async prepareEventStore() {
      await eventWriter.ensurePartitions();
    },
    async closeEventServices() {
      await ingestParsers.close();
      await outbox.close();
    },
  };
}
