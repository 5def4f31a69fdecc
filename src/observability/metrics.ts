import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface QueueDepthSample {
  queue: string;
  state: string;
  count: number;
}

export type QueueDepthCollector = () => Promise<QueueDepthSample[]>;

export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<'operation' | 'outcome'>;
  httpRequestDuration: Histogram<'route' | 'status'>;
  eventsRecorded: Counter<'source'>;
  jobFailures: Counter<'queue'>;
  queueDepth: Gauge<'queue' | 'state'>;
  /** Event history exports streaming now (each ends when sent or when its client has gone). */
  exportsRunning: Gauge;
}

/** A scrape must not hang on Redis: past this, the gauge keeps its previous values. */
export const QUEUE_DEPTH_TIMEOUT_MS = 500;

// Keyed by gauge so the collector can be attached after the metrics exist (the queues are
// built later in boot than the metrics).
const queueDepthCollectors = new WeakMap<Gauge<'queue' | 'state'>, QueueDepthCollector>();

/** Builds every OpenTrail metric in a private registry, so tests and processes never collide. */
export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const queueDepth: Gauge<'queue' | 'state'> = new Gauge({
    name: 'opentrail_queue_depth',
    help: 'BullMQ jobs per queue and state, refreshed on each scrape',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      const collector = queueDepthCollectors.get(queueDepth);
      if (collector) await refreshQueueDepth(queueDepth, collector);
    },
  });

  return {
    registry,
    requestDuration: new Histogram({
      name: 'opentrail_graphql_request_duration_seconds',
      help: 'GraphQL operation duration by operation name and outcome (ok|error)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'opentrail_http_request_duration_seconds',
      help: 'HTTP request duration by route pattern and status code',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    eventsRecorded: new Counter({
      name: 'opentrail_events_recorded_total',
      help: 'Events durably recorded, by source (record|ingest|self_audit|insights)',
      labelNames: ['source'],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'opentrail_job_failures_total',
      help: 'Failed BullMQ job attempts by queue',
      labelNames: ['queue'],
      registers: [registry],
    }),
    queueDepth,
    exportsRunning: new Gauge({
      name: 'opentrail_event_exports_running',
      help: 'Event history exports (/event-history/export) streaming now',
      registers: [registry],
    }),
  };
}

/** Makes each scrape refresh `opentrail_queue_depth` from `fn` (typically BullMQ getJobCounts). */
export function setQueueDepthCollector(metrics: Metrics, fn: QueueDepthCollector): void {
  queueDepthCollectors.set(metrics.queueDepth, fn);
}

async function refreshQueueDepth(gauge: Gauge<'queue' | 'state'>, collector: QueueDepthCollector): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), QUEUE_DEPTH_TIMEOUT_MS);
    timer.unref();
  });
  try {
    // A late answer after the timeout is dropped: a newer scrape may already have written.
    const samples = await Promise.race([collector(), timeout]);
    if (!samples) return;
    for (const { queue, state, count } of samples) gauge.set({ queue, state }, count);
  } catch {
    // Redis unreachable: stale depths beat a failed scrape, so keep the previous values.
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /metrics` in the Prometheus text format. */
export function metricsHandler(metrics: Metrics): RequestHandler {
  return async (_req, res, next) => {
    try {
      const body = await metrics.registry.metrics();
      res.set('Content-Type', metrics.registry.contentType).send(body);
    } catch (err) {
      next(err);
    }
  };
}
