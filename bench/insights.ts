/**
 * `node dist/bench/run.js insights`: how fast Insights detection judges event time, for
 * BENCH_INSIGHTS_APIS active APIs (default 1,000) in one account and region, beside the cost of
 * just reading the same events from the event history; the detection worker's memory; and what
 * counting adds to the routing step.
 *
 * In-process on a fresh database, no workers (detection and routing are called directly, so
 * nothing else competes). The baseline week is loaded straight into insights_minute_counts (one
 * row per API every 10th minute, i.e. 1,008 rows per API); the judged window is real events
 * (one per API per minute, ~1.5 KB records, plus a burst on 5 APIs) recorded through EventWriter
 * and routed by the outbox, so counting and attribution rows are the real ones.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, rootLogger } from '../src/app/boot';
import { closeServices, createServices, type Services } from '../src/app/services';
import { loadConfig } from '../src/config';
import { normaliseRecord } from '../src/events/event-record';
import { createMetrics } from '../src/observability/metrics';
import { bootstrapIfEmpty } from '../src/organizations/organization-bootstrap';
import { MasterKey } from '../src/crypto/master-key';
import { AccessKeySecrets } from '../src/principals/access-key-secrets';
import { TrailEntity } from '../src/trails/trail.entity';
import { fmt, type Row } from './lib/stats';
import { syntheticEvent } from './lib/synthetic-events';
import { deleteRedisPrefix } from '../src/common/redis-prefix';

const APIS = Number(process.env.BENCH_INSIGHTS_APIS ?? 1000);
const MINUTES = Number(process.env.BENCH_INSIGHTS_MINUTES ?? 60);
const REGION = 'us-east-1';
const MIN = 60_000;
const DAY = 86_400_000;

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/** The synthetic event of API `a` at `time`: a write call of a fixed (source, name). */
function apiEvent(accountId: string, a: number, time: Date, i: number): Record<string, unknown> {
  return {
    ...syntheticEvent(accountId, REGION, time, i),
    eventSource: `svc${a % 25}.amazonaws.com`,
    eventName: `Api${a}`,
    readOnly: false,
  };
}

async function record(
  services: Services,
  accountId: string,
  organizationId: string,
  records: Array<Record<string, unknown>>,
): Promise<void> {
  const now = new Date();
  const rows = records.map((r) => {
    const result = normaliseRecord(r, { accountId, now, retentionDays: 90 });
    if ('error' in result) throw new Error(JSON.stringify(result.error));
    return result.row;
  });
  for (let i = 0; i < rows.length; i += 5000)
    await services.eventWriter.write({ accountId, organizationId }, rows.slice(i, i + 5000), 'record');
}

/** Routes every unrouted outbox row in this process; returns seconds spent. */
async function routeAll(services: Services): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (;;) {
    const { rows } = await services.db.pool.query(`SELECT id FROM event_outbox WHERE routed_at IS NULL ORDER BY id LIMIT 500`);
    if (rows.length === 0) return seconds(t0);
    for (const r of rows) await services.outbox.route(String(r.id));
  }
}

/** Runs fn while sampling heap and RSS every 20 ms; returns the peaks above the starting values. */
async function withMemory<T>(fn: () => Promise<T>): Promise<{ value: T; heapMb: number; rssMb: number }> {
  global.gc?.();
  const start = process.memoryUsage();
  let heap = start.heapUsed;
  let rss = start.rss;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
  }, 20);
  try {
    const value = await fn();
    const m = process.memoryUsage();
    heap = Math.max(heap, m.heapUsed);
    rss = Math.max(rss, m.rss);
    return { value, heapMb: (heap - start.heapUsed) / 2 ** 20, rssMb: (rss - start.rss) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

export async function benchInsights(server: string): Promise<Row[]> {
  const suffix = randomBytes(4).toString('hex');
  const dbName = `opentrail_bench_insights_${suffix}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-bench-insights-'));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: `${server}/${dbName}`,
    REDIS_PREFIX: `bench-insights-${suffix}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  });
  const logger = rootLogger(config);
  const db = await openDatabase(config, logger);
  const admin = (await bootstrapIfEmpty(
    db.dataSource,
    config.bootstrapCredentialsFile,
    new AccessKeySecrets(MasterKey.fromConfig(config)),
  ))!;
  const services = createServices(config, db, logger, createMetrics());
  await services.prepareEventStore();
  const account = admin.accountId;
  try {
    const trail = await db.dataSource.getRepository(TrailEntity).save({
      accountId: account,
      organizationId: null,
      name: 'bench-insights',
      homeRegion: REGION,
      isMultiRegionTrail: false,
      isOrganizationTrail: false,
      includeGlobalServiceEvents: true,
      isLogging: true,
      s3BucketName: 'bench-insights',
      trailArn: `arn:aws:cloudtrail:${REGION}:${account}:trail/bench-insights`,
      insightSelectors: null,
    });
    const judged = Math.floor(Date.now() / DAY) * DAY - DAY;
    const window = (from: number) => {
      const out: Array<Record<string, unknown>> = [];
      for (let m = 0; m < MINUTES; m++) {
        for (let a = 0; a < APIS; a++) out.push(apiEvent(account, a, new Date(from + m * MIN + (a % 60) * 1000), out.length));
      }
      return out;
    };

    // Routing cost without and with counting: the same volume, before and after Insights is on.
    await record(services, account, admin.organizationId, window(judged - 3 * 3600_000));
    const routeOff = await routeAll(services);
    await db.pool.query(`UPDATE trails SET insight_selectors = $2 WHERE id = $1`, [
      trail.id,
      JSON.stringify([{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }]),
    ]);
    const events = window(judged);
    // A burst on 5 APIs (50 calls a minute for 10 minutes from minute 20) so Start/End events are emitted too.
    for (let a = 0; a < 5; a++)
      for (let m = 20; m < Math.min(MINUTES, 30); m++)
        for (let k = 0; k < 50; k++) events.push(apiEvent(account, a, new Date(judged + m * MIN + k * 1000), events.length));
    await record(services, account, admin.organizationId, events);
    const routeOn = await routeAll(services);
    const routedOff = MINUTES * APIS;
    const routedOn = events.length;

    // The baseline week, straight into the counts (what a week of routing would have left).
    await db.pool.query(
      `INSERT INTO insights_minute_counts (account_id, region, event_source, event_name, insight_type, error_code, minute, count)
       SELECT $1, $2, 'svc' || (a % 25) || '.amazonaws.com', 'Api' || a, 'ApiCallRateInsight', '', $3::timestamptz + m * interval '1 minute', 1 + (a + m) % 3
       FROM generate_series(0, $4::int - 1) a, generate_series(0, 10079) m WHERE (a + m) % 10 = 0`,
      [account, REGION, new Date(judged - 7 * DAY), APIS],
    );
    await db.pool.query(`UPDATE insights_regions SET counting_since = $3 WHERE account_id = $1 AND region = $2`, [
      account,
      REGION,
      new Date(judged - 7 * DAY),
    ]);
    await db.pool.query(`VACUUM (ANALYZE) insights_minute_counts`);
    await db.pool.query(`VACUUM (ANALYZE) insights_hour_attributions`);

    // Baseline: reading the judged window's events (only the columns detection would need).
    let t0 = process.hrtime.bigint();
    const read = await db.pool.query(
      `SELECT event_source, event_name, event_time, read_only, error_code, user_identity_arn, user_agent FROM events
       WHERE account_id = $1 AND region = $2 AND event_time >= $3 AND event_time < $4`,
      [account, REGION, new Date(judged), new Date(judged + MINUTES * MIN)],
    );
    const readSeconds = seconds(t0);

    // Detection of the whole window in one run (includes the day's baseline computation).
    t0 = process.hrtime.bigint();
    const first = await withMemory(() => services.insights.detection.analyze(new Date(judged + MINUTES * MIN)));
    const analyzeSeconds = seconds(t0);
    // Steady state: what each one-minute worker run costs, averaged over 10 runs.
    await record(
      services,
      account,
      admin.organizationId,
      Array.from({ length: 10 * APIS }, (_, i) =>
        apiEvent(account, i % APIS, new Date(judged + (MINUTES + Math.floor(i / APIS)) * MIN), i),
      ),
    );
    await routeAll(services);
    t0 = process.hrtime.bigint();
    for (let k = 1; k <= 10; k++) await services.insights.detection.analyze(new Date(judged + (MINUTES + k) * MIN));
    const perRunMs = (seconds(t0) * 1000) / 10;
    t0 = process.hrtime.bigint();
    for (let k = 0; k < 10; k++) {
      await db.pool.query(
        `SELECT event_source, event_name, event_time, read_only, error_code, user_identity_arn, user_agent FROM events
         WHERE account_id = $1 AND region = $2 AND event_time >= $3 AND event_time < $4`,
        [account, REGION, new Date(judged + (MINUTES + k) * MIN), new Date(judged + (MINUTES + k + 1) * MIN)],
      );
    }
    const readMinuteMs = (seconds(t0) * 1000) / 10;
    const insights = await db.pool.query(`SELECT count(*)::int AS n FROM events WHERE event_category = 'Insight'`);

    const rate = MINUTES / analyzeSeconds;
    const readRate = MINUTES / readSeconds;
    return [
      {
        benchmark: `insights detection: ${fmt(APIS)} APIs, ${MINUTES} min of event time in one run (+ the day's baseline; ${insights.rows[0].n} Insights events in all)`,
        measured: `${fmt(rate, 1)} event-minutes/s`,
        baseline: `${fmt(readRate, 1)} min/s reading the same ${fmt(read.rowCount ?? 0)} events`,
        ratio: `${fmt(rate / readRate, 2)}x`,
        target: 'reported',
      },
      {
        benchmark: `insights detection, steady state: one-minute run, ${fmt(APIS)} APIs`,
        measured: `${fmt(perRunMs, 1)} ms/run`,
        baseline: `${fmt(readMinuteMs, 1)} ms reading that minute's events`,
        ratio: `${fmt(perRunMs / readMinuteMs, 2)}x`,
        target: 'reported',
      },
      {
        benchmark: `insights detection memory (the ${MINUTES}-min run)`,
        measured: `peak +${fmt(first.heapMb, 1)} MiB heap, +${fmt(first.rssMb, 1)} MiB RSS`,
        baseline: '',
        ratio: '',
        target: 'reported',
      },
      {
        benchmark: `routing ${fmt(routedOn)} events with Insights counting (trail + streaming + insights routers)`,
        measured: `${fmt(routedOn / routeOn)} events/s`,
        baseline: `${fmt(routedOff / routeOff)} events/s without Insights`,
        ratio: `${fmt(routedOff / routeOff / (routedOn / routeOn), 2)}x cost/event`,
        target: 'reported',
      },
    ];
  } finally {
    await closeServices(services);
    await db.close();
    const client = new Client({ connectionString: `${server}/postgres` });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await client.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await deleteRedisPrefix(config.redisUrl, config.redisPrefix);
  }
}
