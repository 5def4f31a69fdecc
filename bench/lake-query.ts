/**
 * `node dist/bench/run.js lake-query`: CloudTrail Lake SQL against BENCH_EVENTS events
 * (default 1,000,000) of one data store over 60 days: the spec's sample queries and a 30-day
 * GROUP BY, each compiled by the Lake compiler and run inside the query walls (a pooled
 * connection whose session user is opentrail_lake_reader, read only, statement timeout,
 * row-level security through lake_wall.query_stores(), rows streamed in batches and rendered as
 * CloudTrail returns them) — beside the same work written by hand in plain SQL against
 * lake_events on the owner's connection, in the same run. Median of BENCH_QUERY_RUNS (default 9)
 * alternating runs each (10 times as many for queries under 20 ms, whose noise is larger).
 * Runs on its own scratch database.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Client, type PoolClient } from 'pg';
import { Database, ensureDatabaseExists } from '../src/db/database';
import { ensureLakePartitions } from '../src/lake/lake-event.repository';
import { MasterKey } from '../src/crypto/master-key';
import { lakeStatementSql, streamLakeStatement, backendPid } from '../src/lake/query/lake-query.runner';
import { LakeReaderPool } from '../src/lake/query/lake-reader';
import { compileLakeQuery, loadLakeSqlParser } from '../src/lake/sql/lake-sql.compiler';
import { fmt, summarize, type Row } from './lib/stats';

const ACCOUNT = '000000000001';
const DAY = 86_400_000;
const RUNS = Number(process.env.BENCH_QUERY_RUNS ?? 9);

async function load(client: Client, storeId: string, from: Date, days: number, count: number): Promise<void> {
  for (let done = 0; done < count; done += 200_000) {
    const n = Math.min(200_000, count - done);
    await client.query(
      `INSERT INTO lake_events (event_data_store_id, store_account_id, event_id, event_time, event_name, event_source, aws_region,
                                event_category, read_only, management_event, user_identity_type, user_identity_principal_id,
                                user_identity_user_name, user_identity_arn, source_ip_address, record)
       SELECT $1, $2, gen_random_uuid()::text, t, e.name, e.source, r.region, 'Management', true, true, 'IAMUser',
              'AIDA' || u, 'user' || u, 'arn:aws:iam::000000000001:user/user' || u, '203.0.113.' || (i % 250),
              jsonb_build_object('eventVersion', '1.11', 'eventTime', t, 'eventSource', e.source, 'eventName', e.name,
                'awsRegion', r.region, 'sourceIPAddress', '203.0.113.' || (i % 250), 'userAgent', repeat('a', 120),
                'userIdentity', jsonb_build_object('type', 'IAMUser', 'principalId', 'AIDA' || u, 'userName', 'user' || u,
                  'arn', 'arn:aws:iam::000000000001:user/user' || u, 'accountId', '000000000001'),
                'requestParameters', jsonb_build_object('bucketName', 'bucket-' || (i % 97), 'filterSet', repeat('x', 200)),
                'readOnly', true, 'eventCategory', 'Management')
       FROM (SELECT i, $3::timestamptz + (random() * $4) * interval '1 millisecond' AS t, (i % 200) AS u
             FROM generate_series($5::bigint, $5::bigint + $6 - 1) i) g
       CROSS JOIN LATERAL (SELECT CASE WHEN g.i % 100 = 0 THEN 'ConsoleLogin' WHEN g.i % 50 = 1 THEN 'CreateBucket' ELSE (ARRAY['DescribeInstances','GetObject','PutObject','ListBuckets','AssumeRole'])[1 + g.i % 5] END AS name,
                                  CASE WHEN g.i % 100 = 0 THEN 'signin.amazonaws.com' WHEN g.i % 50 = 1 THEN 's3.amazonaws.com' ELSE (ARRAY['ec2.amazonaws.com','s3.amazonaws.com','s3.amazonaws.com','s3.amazonaws.com','sts.amazonaws.com'])[1 + g.i % 5] END AS source) e
       CROSS JOIN LATERAL (SELECT (ARRAY['us-east-1','us-west-2','eu-west-1'])[1 + g.i % 3] AS region) r
       ORDER BY t`,
      [storeId, ACCOUNT, from, days * DAY, done, n],
    );
  }
}

const TIMEOUT_MS = 600_000;

/** The compiled statement on a reader connection, as the runner sends it, streamed and rendered. */
async function runLake(reader: PoolClient, sql: string): Promise<number> {
  let rows = 0;
  const text = lakeStatementSql(sql, { timeoutMs: TIMEOUT_MS, defaultTimeoutMs: TIMEOUT_MS, applicationName: 'lake-bench:run' });
  await streamLakeStatement(reader, text, async (_batch, batch) => {
    rows += batch.length;
  });
  return rows;
}

async function runHand(client: Client, sql: string, params: unknown[]): Promise<number> {
  return (await client.query({ text: sql, values: params, rowMode: 'array' })).rowCount ?? 0;
}

export async function benchLakeQuery(events: number, server: string): Promise<Row[]> {
  const suffix = randomBytes(4).toString('hex');
  const url = `${server}/opentrail_bench_lakeq_${suffix}`;
  await ensureDatabaseExists(url);
  const db = new Database(url, 4);
  const client = new Client({ connectionString: url });
  // Trust auth (as on the development machine): the bench leaves the reader's password alone.
  const readers = new LakeReaderPool(null, url, new MasterKey(randomBytes(32)), TIMEOUT_MS, undefined, 1);
  const rows: Row[] = [];
  try {
    await db.migrate();
    await client.connect();
    await loadLakeSqlParser();
    const store = randomUUID();
    await client.query(
      `INSERT INTO event_data_stores (id, arn, account_id, region, name, status, retention_period, advanced_event_selectors)
       VALUES ($1, $2, $3, 'us-east-1', 'bench', 'ENABLED', 3653, '[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]')`,
      [store, `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:eventdatastore/${store}`, ACCOUNT],
    );
    const now = new Date();
    const from = new Date(now.getTime() - 60 * DAY);
    await ensureLakePartitions(db.pool, from, now);
    console.error(`lake-query: loading ${fmt(events)} events…`);
    await load(client, store, from, 60, events);
    await client.query('VACUUM (ANALYZE) lake_events');

    const ts = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
    const day = new Date(now.getTime() - 10 * DAY);
    const dayStart = ts(new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate())));
    const dayEnd = ts(new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate() + 1)));
    const since30 = ts(new Date(now.getTime() - 30 * DAY));
    const cases: Array<{ name: string; lake: string; hand: string; params: unknown[] }> = [
      {
        name: 'sample 1: CreateBucket principals of one day',
        lake: `SELECT userIdentity.principalid, eventName FROM ${store} WHERE userIdentity.principalid IS NOT NULL
               AND eventTime > '${dayStart}' AND eventTime < '${dayEnd}' AND eventName = 'CreateBucket'`,
        hand: `SELECT user_identity_principal_id, event_name FROM lake_events WHERE event_data_store_id = $1 AND user_identity_principal_id IS NOT NULL
               AND event_time > $2 AND event_time < $3 AND event_name = 'CreateBucket'`,
        params: [store, dayStart + 'Z', dayEnd + 'Z'],
      },
      {
        name: 'sample 2: call counts by source/name, 30 days',
        lake: `SELECT eventSource, eventName, COUNT(*) AS apiCount FROM ${store} WHERE eventTime > '${since30}'
               GROUP BY eventSource, eventName ORDER BY apiCount DESC`,
        hand: `SELECT event_source, event_name, count(*) AS n FROM lake_events WHERE event_data_store_id = $1 AND event_time > $2
               GROUP BY 1, 2 ORDER BY 3 DESC`,
        params: [store, since30 + 'Z'],
      },
      {
        name: 'sample 3: console logins in two Regions',
        lake: `SELECT eventTime, useridentity.username, sourceIPAddress FROM ${store}
               WHERE eventName = 'ConsoleLogin' AND awsRegion IN ('us-east-1','us-west-2')`,
        hand: `SELECT event_time, user_identity_user_name, source_ip_address FROM lake_events WHERE event_data_store_id = $1
               AND event_name = 'ConsoleLogin' AND aws_region IN ('us-east-1', 'us-west-2')`,
        params: [store],
      },
      {
        name: 'GROUP BY user over 30 days, top 20',
        lake: `SELECT userIdentity.userName, count(*) AS calls FROM ${store} WHERE eventTime > '${since30}'
               GROUP BY userIdentity.userName ORDER BY calls DESC LIMIT 20`,
        hand: `SELECT user_identity_user_name, count(*) FROM lake_events WHERE event_data_store_id = $1 AND event_time > $2
               GROUP BY 1 ORDER BY 2 DESC LIMIT 20`,
        params: [store, since30 + 'Z'],
      },
      {
        name: 'map value filter (requestParameters[...]), 30 days',
        lake: `SELECT count(*) AS n FROM ${store} WHERE eventTime > '${since30}' AND requestParameters['bucketName'] = 'bucket-7'`,
        hand: `SELECT count(*) FROM lake_events WHERE event_data_store_id = $1 AND event_time > $2 AND record -> 'requestParameters' ->> 'bucketName' = 'bucket-7'`,
        params: [store, since30 + 'Z'],
      },
    ];
    await client.query(`SET TimeZone = 'UTC'`);
    // The reader sees the stores of the RUNNING query that carries its backend pid, as in a run.
    const reader = await readers.connect();
    await client.query(
      `INSERT INTO lake_queries (id, account_id, region, statement, compiled_sql, columns, event_data_store_ids, status, timeout_seconds, started_at, backend_pid)
       VALUES (gen_random_uuid(), $1, 'us-east-1', 'bench', 'bench', '[]', ARRAY[$2::uuid], 'RUNNING', 600, now(), $3)`,
      [ACCOUNT, store, backendPid(reader)],
    );
    for (const c of cases) {
      const compiled = compileLakeQuery(c.lake);
      if (process.env.BENCH_EXPLAIN) {
        const e = await reader.query(`EXPLAIN (ANALYZE, BUFFERS) ${compiled.sql}`);
        const h = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${c.hand}`, c.params);
        console.error(
          `${c.name}\n${e.rows.map((r) => r['QUERY PLAN']).join('\n')}\n--- by hand\n${h.rows.map((r) => r['QUERY PLAN']).join('\n')}`,
        );
      }
      const lakeMs: number[] = [];
      const handMs: number[] = [];
      let lakeRows = 0;
      let handRows = 0;
      // Millisecond queries are at the mercy of the shared machine's noise: more runs for them.
      let runs = RUNS;
      for (let i = 0; i < runs + 1; i++) {
        let t = process.hrtime.bigint();
        lakeRows = await runLake(reader, compiled.sql);
        const l = Number(process.hrtime.bigint() - t) / 1e6;
        t = process.hrtime.bigint();
        handRows = await runHand(client, c.hand, c.params);
        const h = Number(process.hrtime.bigint() - t) / 1e6;
        if (i > 0) {
          lakeMs.push(l);
          handMs.push(h);
        } // the first run warms the cache
        if (i === 1 && h < 20) runs = RUNS * 10;
      }
      if (lakeRows !== handRows) throw new Error(`${c.name}: ${lakeRows} rows vs ${handRows} by hand`);
      const l = summarize(lakeMs).p50;
      const h = summarize(handMs).p50;
      rows.push({
        benchmark: `Lake SQL ${c.name} (${fmt(events)} events, ${fmt(lakeRows)} rows)`,
        measured: `p50 ${fmt(l, 1)} ms`,
        baseline: `p50 ${fmt(h, 1)} ms hand-written SQL`,
        ratio: `${fmt(l / h, 2)}x`,
        target: '<= 1.30x',
      });
    }
    reader.release();
  } finally {
    await readers.close();
    await client.end().catch(() => undefined);
    await db.close();
    const admin = new Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "opentrail_bench_lakeq_${suffix}" WITH (FORCE)`);
    await admin.end();
  }
  return rows;
}
