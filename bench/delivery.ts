/**
 * `npm run bench -- delivery`: events/s from recorded to delivered log files, beside the raw cost
 * of gzip (the level delivery uses) + write of the same bytes in the same run, and the latency from
 * recording an event to its log file existing with DELIVERY_INTERVAL_SECONDS=1.
 *
 * In-process: api services and the real workers (startWorkers) on a fresh database. Events go in
 * through the durable event writer directly (EventWriter.write: events + outbox, then routing
 * jobs) — not over HTTP, so the number is the delivery path's, not /ingest's.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { Client } from 'pg';
import { openDatabase, rootLogger } from '../src/app/boot';
import { closeServices, createServices, type Services } from '../src/app/services';
import { loadConfig } from '../src/config';
import { GZIP_LEVEL, MAX_RECORDS_PER_FILE } from '../src/delivery/log-file-body';
import { normaliseRecord } from '../src/events/event-record';
import { createMetrics } from '../src/observability/metrics';
import { bootstrapIfEmpty } from '../src/organizations/organization-bootstrap';
import { MasterKey } from '../src/crypto/master-key';
import { AccessKeySecrets } from '../src/principals/access-key-secrets';
import { BucketEntity } from '../src/storage/bucket.entity';
import { TrailEntity } from '../src/trails/trail.entity';
import { startWorkers } from '../workers/main';
import { profileSql } from './lib/sql-profile';
import { fmt, summarize, type Row } from './lib/stats';
import { syntheticEvent } from './lib/synthetic-events';
import { deleteRedisPrefix } from '../src/common/redis-prefix';

const gzipAsync = promisify(gzip);
const TRAILS = 10;
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const WRITE_BATCH = 1000;
const LATENCY_SAMPLES = 30;

const policy = (bucket: string, accountId: string) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${bucket}/*`,
      Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
    },
  ],
});

async function until(check: () => Promise<boolean>, pollMs: number): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, pollMs));
}

async function write(
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
  await services.eventWriter.write({ accountId, organizationId }, rows, 'record');
}

/** Busy and total jiffies of all cores (/proc/stat): how much of the machine a phase used. */
function cpuTicks(): { busy: number; total: number } {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + (cpu[4] ?? 0);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: NaN, total: NaN };
  }
}

const elapsed = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

async function unrouted(services: Services): Promise<boolean> {
  const { rows } = await services.db.pool.query(`SELECT EXISTS (SELECT 1 FROM event_outbox WHERE routed_at IS NULL) AS busy`);
  return rows[0].busy;
}

async function settled(services: Services): Promise<boolean> {
  const { rows } = await services.db.pool.query(
    `SELECT EXISTS (SELECT 1 FROM event_outbox WHERE routed_at IS NULL) OR EXISTS (SELECT 1 FROM trail_pending_events)
            OR EXISTS (SELECT 1 FROM trail_log_files WHERE state = 'pending') AS busy`,
  );
  return !rows[0].busy;
}

/**
 * gzip (GZIP_LEVEL) + write of the same records (each trail's, per source region, in files of
 * MAX_RECORDS_PER_FILE), 4 files at a time like the delivery workers' concurrency.
 */
async function rawGzipWrite(services: Services, dir: string): Promise<{ seconds: number; records: number }> {
  const files: string[][] = [];
  let total = 0;
  const events = await services.db.pool.query(`SELECT record, region FROM events ORDER BY region, event_time, event_id`);
  const byRegion = new Map<string, string[]>();
  for (const r of events.rows) {
    const list = byRegion.get(r.region) ?? [];
    list.push(r.record);
    byRegion.set(r.region, list);
  }
  for (let t = 0; t < TRAILS; t++) {
    for (const records of byRegion.values()) {
      for (let i = 0; i < records.length; i += MAX_RECORDS_PER_FILE) files.push(records.slice(i, i + MAX_RECORDS_PER_FILE));
    }
  }
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < files.length) {
        const i = next++;
        const json = Buffer.from(`{"Records":[${files[i].join(',')}]}`, 'utf8');
        const gz = await gzipAsync(json, { level: GZIP_LEVEL });
        await fs.promises.writeFile(path.join(dir, `${i}.json.gz`), gz);
        total += files[i].length;
      }
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, records: total };
}

export async function benchDelivery(events: number, server: string): Promise<Row[]> {
  const sqlProfile = process.env.BENCH_PROFILE_SQL ? profileSql() : null;
  const suffix = randomBytes(4).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-bench-delivery-'));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: `${server}/opentrail_bench_delivery_${suffix}`,
    REDIS_PREFIX: `bench-delivery-${suffix}`,
    DATA_DIR: dataDir,
    DELIVERY_INTERVAL_SECONDS: '1',
    OUTBOX_SWEEP_INTERVAL_SECONDS: '1',
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
  const trailIds: string[] = [];
  for (let t = 0; t < TRAILS; t++) {
    const bucket = `bench-delivery-${t}`;
    await db.dataSource.getRepository(BucketEntity).save({
      name: bucket,
      accountId: admin.accountId,
      region: 'us-east-1',
      policy: policy(bucket, admin.accountId) as unknown as BucketEntity['policy'],
    });
    await services.storage.objects.createBucket(bucket);
    const trail = await db.dataSource.getRepository(TrailEntity).save({
      accountId: admin.accountId,
      organizationId: null,
      name: `bench-${t}`,
      homeRegion: 'us-east-1',
      isMultiRegionTrail: true,
      isOrganizationTrail: false,
      includeGlobalServiceEvents: true,
      isLogging: true,
      s3BucketName: bucket,
      trailArn: `arn:aws:cloudtrail:us-east-1:${admin.accountId}:trail/bench-${t}`,
    });
    trailIds.push(trail.id);
  }
  const workers = await startWorkers(services);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-bench-gzip-'));
  try {
    // Throughput: recorded → every event in a delivered file of each of the 10 trails.
    const base = Date.now() - 3600_000;
    const cpuBefore = cpuTicks();
    const nodeBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < events; i += WRITE_BATCH) {
      const batch = [];
      for (let k = i; k < Math.min(events, i + WRITE_BATCH); k++)
        batch.push(syntheticEvent(admin.accountId, REGIONS[k % REGIONS.length], new Date(base + k), k));
      await write(services, admin.accountId, admin.organizationId, batch);
    }
    const recordedAt = elapsed(started);
    // Where the time goes: recording (events + outbox), routing (every outbox row routed into
    // trail_pending_events), then delivery of what is pending.
    let routedAt = NaN;
    await until(async () => {
      if (Number.isNaN(routedAt) && !(await unrouted(services))) routedAt = elapsed(started);
      return settled(services);
    }, 100);
    const seconds = elapsed(started);
    const cpuAfter = cpuTicks();
    const nodeCpu = process.cpuUsage(nodeBefore);
    const machineBusy = (cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total);
    const nodeShare = (nodeCpu.user + nodeCpu.system) / 1e6 / seconds / os.cpus().length;
    if (Number.isNaN(routedAt)) routedAt = seconds;
    if (sqlProfile) console.log(`SQL time by statement (recorded -> delivered):\n${sqlProfile.report()}`);
    const delivered = await db.pool.query(
      `SELECT coalesce(sum(event_count), 0)::bigint AS n, count(*)::int AS files FROM trail_log_files WHERE state = 'delivered'`,
    );
    const deliveredRecords = Number(delivered.rows[0].n);
    const raw = await rawGzipWrite(services, scratch);

    // Latency: one event at a time, until its log file (of the first trail) is delivered.
    const latencies: number[] = [];
    for (let s = 0; s < LATENCY_SAMPLES; s++) {
      // Whole seconds: CloudTrail event times (and the stored ones) have second precision.
      const eventTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 1000);
      const t0 = process.hrtime.bigint();
      await write(services, admin.accountId, admin.organizationId, [syntheticEvent(admin.accountId, 'us-east-1', eventTime, events + s)]);
      await until(async () => {
        const { rowCount } = await db.pool.query(
          `SELECT 1 FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered' AND region = 'us-east-1' AND oldest_event_time <= $2 AND newest_event_time >= $2`,
          [trailIds[0], eventTime],
        );
        return (rowCount ?? 0) > 0;
      }, 20);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      await until(() => settled(services), 20);
    }
    const lat = summarize(latencies);
    const rate = events / seconds;
    const recordRate = deliveredRecords / seconds;
    const rawRate = raw.records / raw.seconds;
    return [
      {
        benchmark: `delivery: ${fmt(events)} events x ${TRAILS} trails, recorded -> delivered (${fmt(delivered.rows[0].files)} files)`,
        measured: `${fmt(rate)} events/s (${fmt(recordRate)} records/s)`,
        baseline: `${fmt(rawRate)} records/s raw gzip-${GZIP_LEVEL} + write`,
        ratio: `${fmt(recordRate / rawRate, 2)}x`,
        target: 'reported',
      },
      {
        benchmark: `  machine CPU busy during it (all processes; this Node process)`,
        measured: `${fmt(machineBusy * 100)}% (${fmt(nodeShare * 100)}%) of ${os.cpus().length} cores`,
        baseline: '',
        ratio: '',
        target: 'reported',
      },
      {
        benchmark: `  of which: recording / routing done / delivery done (s from start)`,
        measured: `${fmt(recordedAt, 1)} / ${fmt(routedAt, 1)} / ${fmt(seconds, 1)} s`,
        baseline: '',
        ratio: '',
        target: 'reported',
      },
      {
        benchmark: `delivery latency, recordEvents -> log file (${lat.n} samples, DELIVERY_INTERVAL_SECONDS=1)`,
        measured: `p50 ${fmt(lat.p50)} / p99 ${fmt(lat.p99)} ms`,
        baseline: '1,000 ms tick',
        ratio: '',
        target: 'reported',
      },
    ];
  } finally {
    await workers.close();
    await closeServices(services);
    await db.close();
    if (process.env.BENCH_KEEP_DB) {
      // For EXPLAIN at realistic sizes (rerun the tick by hand, inspect pg_stat_user_tables).
      console.log(`kept database opentrail_bench_delivery_${suffix}`);
    } else {
      const client = new Client({ connectionString: `${server}/postgres` });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "opentrail_bench_delivery_${suffix}" WITH (FORCE)`);
      await client.end();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
    await deleteRedisPrefix(config.redisUrl, config.redisPrefix);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
