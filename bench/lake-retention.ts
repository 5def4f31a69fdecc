/**
 * `node dist/bench/run.js lake-retention`: the cost of Lake retention for BENCH_EVENTS expired
 * events (default 1,000,000), beside a plain single-statement DELETE of the very same rows
 * measured in the same run, in the two shapes retention meets:
 *
 * 1. The expired events fill a month no other store needs: retention DETACHes and DROPs the
 *    partition.
 * 2. They share their month with a store that keeps it (long retention): retention deletes them in
 *    bounded batches (RETENTION_BATCH rows a transaction) through the immutability trigger.
 *
 * Each path is timed and its WAL volume read from pg_current_wal_lsn(); the rows are reloaded
 * (untimed) before each measurement. Runs on its own scratch database.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import pino from 'pino';
import type { Config } from '../src/config';
import { Database, ensureDatabaseExists } from '../src/db/database';
import { addMonths, ensureLakePartitions, startOfUtcMonth } from '../src/lake/lake-event.repository';
import { LakeRetentionService } from '../src/lake/lake-retention.service';
import { RETENTION_BATCH } from '../src/lake/lake-retention.repository';
import { fmt, type Row } from './lib/stats';

const ACCOUNT = '000000000001';
const DAY = 86_400_000;

async function insertStore(client: Client, name: string, retention: number): Promise<string> {
  const id = randomUUID();
  await client.query(
    `INSERT INTO event_data_stores (id, arn, account_id, region, name, status, retention_period, advanced_event_selectors)
     VALUES ($1, $2, $3, 'us-east-1', $4, 'STOPPED_INGESTION', $5, '[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]')`,
    [id, `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:eventdatastore/${id}`, ACCOUNT, name, retention],
  );
  return id;
}

/**
 * `count` CloudTrail-like rows (~0.8 KB of record each) spread over the month starting `month`,
 * written in eventTime order, as aggregation writes live events (roughly in time order). Fully random order is the worst case for batched deletes (each batch touches most
 * heap pages): measured 3.8x a plain DELETE at 1M rows.
 */
async function load(client: Client, storeId: string, month: Date, count: number): Promise<void> {
  const span = addMonths(month, 1).getTime() - month.getTime() - 1000;
  const chunks = Math.ceil(count / 200_000);
  for (let c = 0, done = 0; done < count; c++, done += 200_000) {
    const n = Math.min(200_000, count - done);
    const start = new Date(month.getTime() + (c * span) / chunks);
    await client.query(
      `INSERT INTO lake_events (event_data_store_id, store_account_id, event_id, event_time, event_name, event_source, aws_region,
                                event_category, read_only, management_event, user_identity_arn, record)
       SELECT $1, $2, gen_random_uuid()::text, t, 'DescribeInstances', 'ec2.amazonaws.com', 'us-east-1', 'Management', true, true,
              'arn:aws:iam::000000000001:user/bench',
              jsonb_build_object('eventVersion', '1.11', 'eventTime', t, 'eventSource', 'ec2.amazonaws.com', 'eventName', 'DescribeInstances',
                'awsRegion', 'us-east-1', 'sourceIPAddress', '203.0.113.7', 'userAgent', repeat('a', 120),
                'userIdentity', jsonb_build_object('type', 'IAMUser', 'arn', 'arn:aws:iam::000000000001:user/bench', 'accountId', '000000000001'),
                'requestParameters', jsonb_build_object('filterSet', repeat('x', 300)), 'readOnly', true, 'eventCategory', 'Management')
       FROM (SELECT $3::timestamptz + (random() * $4) * interval '1 millisecond' AS t FROM generate_series(1, $5)) g ORDER BY t`,
      [storeId, ACCOUNT, start, span / chunks, n],
    );
  }
  await client.query('CHECKPOINT');
  await client.query('ANALYZE lake_events');
}

async function measure(client: Client, fn: () => Promise<unknown>): Promise<{ seconds: number; walBytes: number }> {
  const before = (await client.query(`SELECT pg_current_wal_lsn() AS l`)).rows[0].l;
  const started = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const walBytes = Number((await client.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS d`, [before])).rows[0].d);
  return { seconds, walBytes };
}

async function plainDelete(client: Client, storeId: string, cutoff: Date): Promise<number> {
  await client.query(`BEGIN; SELECT set_config('opentrail.lake_retention', 'on', true)`);
  const r = await client.query(`DELETE FROM lake_events WHERE event_data_store_id = $1 AND event_time < $2`, [storeId, cutoff]);
  await client.query('COMMIT');
  return r.rowCount ?? 0;
}

const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB WAL`;

export async function benchLakeRetention(events: number, server: string): Promise<Row[]> {
  const suffix = randomBytes(4).toString('hex');
  const url = `${server}/opentrail_bench_lake_${suffix}`;
  await ensureDatabaseExists(url);
  const db = new Database(url, 4);
  const client = new Client({ connectionString: url });
  const rows: Row[] = [];
  try {
    await db.migrate();
    await client.connect();
    const now = new Date();
    const config = { eventHistoryRetentionDays: 90, partitionsAheadDays: 7 } as Config;
    const retention = new LakeRetentionService(config, db, pino({ level: 'silent' }));
    const short = await insertStore(client, 'short', 7);
    const long = await insertStore(client, 'long', 3653);
    const cutoff = new Date(now.getTime() - 7 * DAY);
    const alone = startOfUtcMonth(new Date(now.getTime() - 540 * DAY));
    const shared = startOfUtcMonth(new Date(now.getTime() - 450 * DAY));
    await ensureLakePartitions(db.pool, alone, shared);

    // 1. A month only the expired store uses: partition drop vs plain DELETE.
    console.error(`lake-retention: loading ${fmt(events)} events (partition-drop case)…`);
    await load(client, short, alone, events);
    const drop = await measure(client, () => retention.run(now));
    await ensureLakePartitions(db.pool, alone, alone);
    await load(client, short, alone, events);
    let deleted = 0;
    const dropBase = await measure(client, async () => (deleted = await plainDelete(client, short, cutoff)));
    if (deleted !== events) throw new Error(`baseline deleted ${deleted} rows, expected ${events}`);
    await client.query('VACUUM lake_events');
    rows.push({
      benchmark: `lake retention, ${fmt(events)} expired events alone in their month (partition drop)`,
      measured: `${fmt(drop.seconds, 2)} s, ${mb(drop.walBytes)}`,
      baseline: `${fmt(dropBase.seconds, 2)} s, ${mb(dropBase.walBytes)} plain DELETE`,
      ratio: `${fmt(drop.seconds / dropBase.seconds, 3)}x`,
      target: 'reported',
    });

    // 2. A month another store still needs: batched deletes vs plain DELETE.
    console.error(`lake-retention: loading ${fmt(events)} events (batched-delete case)…`);
    await ensureLakePartitions(db.pool, shared, shared); // the first run dropped it while it was empty
    await load(client, short, shared, events);
    await load(client, long, shared, Math.max(1000, Math.floor(events / 100)));
    const batched = await measure(client, () => retention.run(now));
    const left = Number(
      (await client.query(`SELECT count(*)::int AS n FROM lake_events WHERE event_data_store_id = $1`, [short])).rows[0].n,
    );
    if (left !== 0) throw new Error(`retention left ${left} expired rows`);
    await client.query('VACUUM lake_events');
    await load(client, short, shared, events);
    const batchedBase = await measure(client, async () => (deleted = await plainDelete(client, short, cutoff)));
    if (deleted !== events) throw new Error(`baseline deleted ${deleted} rows, expected ${events}`);
    rows.push({
      benchmark: `lake retention, ${fmt(events)} expired events sharing their month (batches of ${fmt(RETENTION_BATCH)})`,
      measured: `${fmt(batched.seconds, 2)} s, ${mb(batched.walBytes)}`,
      baseline: `${fmt(batchedBase.seconds, 2)} s, ${mb(batchedBase.walBytes)} plain DELETE`,
      ratio: `${fmt(batched.seconds / batchedBase.seconds, 2)}x`,
      target: 'reported',
    });
    return rows;
  } finally {
    await client.end().catch(() => undefined);
    await db.close();
    const admin = new Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "opentrail_bench_lake_${suffix}" WITH (FORCE)`);
    await admin.end();
  }
}
