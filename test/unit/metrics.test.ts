import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { createMetrics, metricsHandler, QUEUE_DEPTH_TIMEOUT_MS, setQueueDepthCollector } from '../../src/observability/metrics';

async function gaugeValue(metrics: ReturnType<typeof createMetrics>, queue: string, state: string) {
  const { values } = await metrics.queueDepth.get();
  return values.find((v) => v.labels.queue === queue && v.labels.state === state)?.value;
}

describe('metrics', () => {
  it('records histogram observations by label', async () => {
    const metrics = createMetrics();
    metrics.requestDuration.observe({ operation: 'lookupEvents', outcome: 'ok' }, 0.042);
    metrics.requestDuration.observe({ operation: 'lookupEvents', outcome: 'error' }, 1.5);

    const { values } = await metrics.requestDuration.get();
    const count = (outcome: string) =>
      values.find((v) => v.metricName?.endsWith('_count') && v.labels.operation === 'lookupEvents' && v.labels.outcome === outcome)?.value;
    expect(count('ok')).toBe(1);
    expect(count('error')).toBe(1);
  });

  it('keeps metrics in a private registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.eventsRecorded.inc({ source: 'ingest' }, 5);
    expect((await b.eventsRecorded.get()).values).toEqual([]);
  });

  it('serves every metric on GET /metrics', async () => {
    const metrics = createMetrics();
    metrics.httpRequestDuration.observe({ route: '/graphql', status: '200' }, 0.01);
    metrics.eventsRecorded.inc({ source: 'self_audit' });
    metrics.jobFailures.inc({ queue: 'delivery' });
    setQueueDepthCollector(metrics, async () => [{ queue: 'aggregation', state: 'waiting', count: 3 }]);

    const app = express();
    app.get('/metrics', metricsHandler(metrics));
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      const text = await res.text();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(metrics.registry.contentType);
      for (const name of [
        'opentrail_graphql_request_duration_seconds',
        'opentrail_http_request_duration_seconds_bucket{le="0.01",route="/graphql",status="200"} 1',
        'opentrail_events_recorded_total{source="self_audit"} 1',
        'opentrail_job_failures_total{queue="delivery"} 1',
        'opentrail_queue_depth{queue="aggregation",state="waiting"} 3',
        'process_cpu_seconds_total',
        'nodejs_heap_size_used_bytes',
      ]) {
        expect(text).toContain(name);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refreshes queue depth on each scrape', async () => {
    const metrics = createMetrics();
    let waiting = 1;
    setQueueDepthCollector(metrics, async () => [{ queue: 'delivery', state: 'waiting', count: waiting }]);

    await metrics.registry.metrics();
    expect(await gaugeValue(metrics, 'delivery', 'waiting')).toBe(1);
    waiting = 7;
    await metrics.registry.metrics();
    expect(await gaugeValue(metrics, 'delivery', 'waiting')).toBe(7);
  });

  it('keeps the previous queue depth when the collector hangs past the timeout', async () => {
    const metrics = createMetrics();
    let mode: 'ok' | 'hang' = 'ok';
    let release: (() => void) | undefined;
    setQueueDepthCollector(metrics, () =>
      mode === 'ok'
        ? Promise.resolve([{ queue: 'digest', state: 'active', count: 4 }])
        : // Like ioredis with Redis down: no answer; the late result must be ignored.
          new Promise((resolve) => {
            release = () => resolve([{ queue: 'digest', state: 'active', count: 99 }]);
          }),
    );
    await metrics.registry.metrics();
    expect(await gaugeValue(metrics, 'digest', 'active')).toBe(4);

    mode = 'hang';
    const started = Date.now();
    const text = await metrics.registry.metrics();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(QUEUE_DEPTH_TIMEOUT_MS - 20);
    expect(elapsed).toBeLessThan(QUEUE_DEPTH_TIMEOUT_MS + 1000);
    expect(text).toContain('opentrail_queue_depth{queue="digest",state="active"} 4');

    release!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(await gaugeValue(metrics, 'digest', 'active')).toBe(4);
  });

  it('keeps the previous queue depth when the collector rejects', async () => {
    const metrics = createMetrics();
    let fail = false;
    setQueueDepthCollector(metrics, async () => {
      if (fail) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
      return [{ queue: 'retention', state: 'failed', count: 2 }];
    });
    await metrics.registry.metrics();
    fail = true;
    await expect(metrics.registry.metrics()).resolves.toContain('opentrail_queue_depth{queue="retention",state="failed"} 2');
  });
});
