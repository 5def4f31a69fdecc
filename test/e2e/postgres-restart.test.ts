import http from 'node:http';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../src/app/boot';
import type { Config } from '../../src/config';
import type { Database } from '../../src/db/database';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import { createLogger } from '../../src/observability/logger';
import { bootstrapIfEmpty, type TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { MasterKey } from '../../src/crypto/master-key';
import { AccessKeySecrets } from '../../src/principals/access-key-secrets';
import { startApp, startWorkerProcess, type AppProcess, type WorkerProcess } from '../../bench/lib/app-process';
import { startPrivatePostgres, type PrivatePostgres } from '../../bench/lib/servers';
import { childEnv } from '../helpers/app-processes';
import { countById, deliveredFiles, insertBucket, insertTrail, waitFor } from '../helpers/delivery';
import { sampleEvent } from '../helpers/events';
import { flushRedisPrefix, testConfig } from '../helpers/test-app';

// Issue 12 §1: a PostgreSQL restart (pg_ctl stop -m immediate, then start) in the middle of a
// large /ingest and in the middle of delivery. Before the fix both processes died of an
// unhandled 'error' event on a checked-out pg client (read ECONNRESET).
jest.setTimeout(240_000);

const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];

let pg: PrivatePostgres;
let config: Config;
let db: Database;
let store: ObjectStore;
let admin: TenantCredentials;
let api: AppProcess;
let workers: WorkerProcess;
let trailId: string;

beforeAll(async () => {
  pg = await startPrivatePostgres({ full_page_writes: 'off', max_connections: '100' });
  config = testConfig({
    DATABASE_URL: pg.url('opentrail'),
    DELIVERY_INTERVAL_SECONDS: '1',
    OUTBOX_SWEEP_INTERVAL_SECONDS: '1',
    DATABASE_CONNECT_TIMEOUT_MS: '2000',
    INGEST_BATCH_SIZE: '250',
  });
  db = await openDatabase(config, createLogger('silent'));
  admin = (await bootstrapIfEmpty(db.dataSource, config.bootstrapCredentialsFile, new AccessKeySecrets(MasterKey.fromConfig(config))))!;
  store = createObjectStore(config);
  await insertBucket(db, store, admin.accountId, 'restart-bucket');
  trailId = (
    await insertTrail(db, {
      accountId: admin.accountId,
      name: 'restart-trail',
      s3BucketName: 'restart-bucket',
      homeRegion: 'us-east-1',
      isMultiRegionTrail: true,
    })
  ).id;
  const env = childEnv(config, { INGEST_PARSER_THREADS: '1' });
  [api, workers] = await Promise.all([startApp(env, { keepOutput: Infinity }), startWorkerProcess(env, { keepOutput: Infinity })]);
});

afterAll(async () => {
  await api?.stop();
  await workers?.stop();
  await store?.close();
  await db?.close();
  pg?.destroy();
  await flushRedisPrefix(config.redisUrl, config.redisPrefix);
  fs.rmSync(config.dataDir, { recursive: true, force: true });
});

function events(n: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) =>
    sampleEvent({ eventID: randomUUID(), awsRegion: REGIONS[i % REGIONS.length], eventName: `Restart${i % 7}` }, 120 + (i % 600)),
  );
}

const ndjson = (list: Array<Record<string, unknown>>) => list.map((e) => JSON.stringify(e)).join('\n') + '\n';

async function login(): Promise<string> {
  const res = await fetch(`${api.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($input: CreateSessionInput!) { createSession(input: $input) { token } }',
      variables: { input: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey } },
    }),
  });
  return ((await res.json()) as any).data.createSession.token;
}

interface Answer {
  status: number;
  body: any;
}

/**
 * POSTs /ingest, writing the body in paced slices so that the server is still reading and
 * inserting while `during` runs (started with the request, not awaited by the writer). A
 * connection the server cuts counts as status 0.
 */
function ingest(token: string, body: string, during?: () => Promise<void>): Promise<Answer> {
  const answered = new Promise<Answer>((resolve) => {
    const url = new URL(`${api.base}/ingest`);
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
        res.on('error', () => resolve({ status: 0, body: null }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: null }));
    const slices = body.match(/(?:.*\n){1,100}/g) ?? [];
    void (async () => {
      for (const slice of slices) {
        if (req.destroyed) return;
        if (!req.write(slice)) {
          await new Promise<void>((r) => {
            const done = () => {
              req.off('drain', done).off('close', done);
              r();
            };
            req.once('drain', done).once('close', done);
          });
        }
        if (during) await new Promise((r) => setTimeout(r, 40));
      }
      req.end();
    })();
  });
  return during ? Promise.all([answered, during()]).then(([a]) => a) : answered;
}

async function gql(token: string, query: string): Promise<Answer> {
  const res = await fetch(`${api.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: await res.json() };
}

async function get(path: string, token?: string): Promise<Answer> {
  const res = await fetch(`${api.base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (an export body)
  }
  return { status: res.status, body };
}

const storedCount = async (ids: string[]) =>
  (await db.pool.query(`SELECT count(*)::int AS n FROM events WHERE event_id = ANY($1::uuid[])`, [ids])).rows[0].n as number;
const deliveredCount = async () =>
  (await db.pool.query(`SELECT count(*)::int AS n FROM trail_log_files WHERE trail_id = $1 AND state = 'delivered'`, [trailId])).rows[0]
    .n as number;

/** Sends until acknowledged, as a client does after a retryable error. */
async function ingestUntilAccepted(token: string, list: Array<Record<string, unknown>>): Promise<void> {
  await waitFor(
    'an acknowledged /ingest',
    async () => {
      const answer = await ingest(token, ndjson(list));
      return answer.status === 200 && answer.body.failed === 0;
    },
    60_000,
  );
}

/** What the processes see while PostgreSQL is down: 503 ServiceUnavailableException everywhere, not ready, still live. */
async function expectOutageAnswers(token: string): Promise<void> {
  const lookup = await gql(token, '{ lookupEvents(first: 5) { edges { node { eventId } } } }');
  expect(lookup.status).toBe(503);
  expect(lookup.body.errors[0].extensions.code).toBe('ServiceUnavailableException');
  const trails = await gql(token, '{ listTrails { trails { name } } }');
  expect(trails.status).toBe(503);
  expect(trails.body.errors.map((e: any) => e.extensions.code)).toEqual(['ServiceUnavailableException']);
  const small = await ingest(token, ndjson(events(3)));
  expect(small).toEqual({ status: 503, body: { errorCode: 'ServiceUnavailableException', message: expect.stringMatching(/Retry/) } });
  const exported = await get('/event-history/export?format=json', token);
  expect(exported.status).toBe(503);
  expect((exported.body as any).errorCode).toBe('ServiceUnavailableException');
  expect((await get('/readyz')).status).toBe(503);
  expect((await get('/healthz')).status).toBe(200);
}

/** Both processes still run; a dead one fails the test with what it wrote last. */
async function expectBothAlive(): Promise<void> {
  // A process that crashes on a lost connection does so within moments of the server's death.
  await new Promise((r) => setTimeout(r, 500));
  for (const [name, p] of [
    ['api', api],
    ['workers', workers],
  ] as const) {
    if (!p.alive()) throw new Error(`the ${name} process died (${p.child.signalCode ?? p.child.exitCode}):\n${p.output().slice(-3000)}`);
  }
}

async function restart(): Promise<void> {
  await pg.start();
  await waitFor('/readyz to say ready again', async () => (await get('/readyz')).status === 200, 60_000);
}

test('the api and the workers survive PostgreSQL restarts mid-ingest and mid-delivery; everything acknowledged is delivered once', async () => {
  const token = await login();
  const first = events(3000);
  const firstIds = first.map((e) => e.eventID as string);

  // 1. Mid-ingest: the server is writing batches (some committed) when every backend dies.
  const big = await ingest(token, ndjson(first), async () => {
    await waitFor('the first batches of the big ingest', async () => (await storedCount(firstIds)) > 0, 30_000);
    await pg.stopImmediately();
  });
  await expectBothAlive();
  if (big.status !== 200)
    expect(big).toEqual({ status: 503, body: { errorCode: 'ServiceUnavailableException', message: expect.any(String) } });
  await expectOutageAnswers(token);
  await expectBothAlive();
  await restart();
  // The client retries what was not acknowledged; what was committed before is not stored twice.
  await ingestUntilAccepted(token, first);
  expect(await storedCount(firstIds)).toBe(first.length);

  // 2. Mid-delivery: log files are being written when PostgreSQL dies again.
  const second = events(1500);
  await ingestUntilAccepted(token, second);
  const before = await deliveredCount();
  await waitFor('delivery to be under way', async () => (await deliveredCount()) > before, 60_000);
  await pg.stopImmediately();
  await expectBothAlive();
  await expectOutageAnswers(token);
  await expectBothAlive();
  await restart();

  // Every acknowledged event: once in the history, once in the trail's log files.
  const all = [...first, ...second].map((e) => e.eventID as string);
  expect(await storedCount(all)).toBe(all.length);
  const duplicates = (
    await db.pool.query(
      `SELECT count(*)::int AS n FROM (SELECT event_id FROM events WHERE event_id = ANY($1::uuid[]) GROUP BY event_id HAVING count(*) > 1) d`,
      [all],
    )
  ).rows[0].n;
  expect(duplicates).toBe(0);
  const counts = await waitFor(
    'every event delivered',
    async () => {
      const c = countById(await deliveredFiles(db, store, trailId));
      return all.every((id) => c.has(id)) ? c : null;
    },
    90_000,
  );
  expect(all.filter((id) => counts.get(id) !== 1)).toEqual([]);
  expect(api.alive()).toBe(true);
  expect(workers.alive()).toBe(true);
  // What the processes wrote about it is JSON, line by line (issue 12 §4).
  const raw = (api.output() + workers.output()).split('\n').filter((line) => {
    if (line === '') return false;
    try {
      return typeof JSON.parse(line) !== 'object';
    } catch {
      return true;
    }
  });
  expect(raw).toEqual([]);
});
