import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/app/boot';
import type { Config } from '../../src/config';
import type { Database } from '../../src/db/database';
import { createLogger } from '../../src/observability/logger';
import { bootstrapIfEmpty, type TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { MasterKey } from '../../src/crypto/master-key';
import { AccessKeySecrets } from '../../src/principals/access-key-secrets';
import { startApp, startWorkerProcess, type AppProcess, type WorkerProcess } from '../../bench/lib/app-process';
import { freePort, PrivateRedis } from '../../bench/lib/servers';
import { childEnv } from '../helpers/app-processes';
import { sampleEvent } from '../helpers/events';
import { dropDatabase, testConfig } from '../helpers/test-app';

// Issue 12 §4: with Redis down the processes wrote raw multi-line stack traces ("[ioredis]
// Unhandled error event: Error: connect ECONNREFUSED ...") between pino's JSON lines, and every
// reconnect attempt of every connection wrote its own line. Every line must be JSON, and repeated
// errors are summarised once per LOG_REPEAT_WINDOW_SECONDS.
jest.setTimeout(120_000);

const WINDOW_SECONDS = 2;
const OUTAGE_MS = 8000;

let redisDir: string;
let redis: PrivateRedis;
let config: Config;
let db: Database;
let admin: TenantCredentials;
let api: AppProcess;
let workers: WorkerProcess;
let env: Record<string, string>;
/** A second workers process, started while Redis is down (an orchestrator's restart meanwhile). */
let lateWorkers: Promise<WorkerProcess> | null = null;

beforeAll(async () => {
  redisDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-redis-'));
  redis = new PrivateRedis(await freePort(), { appendOnlyDir: redisDir });
  await redis.start();
  config = testConfig({ REDIS_URL: redis.url, OUTBOX_SWEEP_INTERVAL_SECONDS: '1', DELIVERY_INTERVAL_SECONDS: '1', LOG_LEVEL: 'info' });
  db = await openDatabase(config, createLogger('silent'));
  // Bootstrapped here, so the api's first start prints no credentials block (a human's one-off).
  admin = (await bootstrapIfEmpty(db.dataSource, config.bootstrapCredentialsFile, new AccessKeySecrets(MasterKey.fromConfig(config))))!;
  env = childEnv(config, { LOG_REPEAT_WINDOW_SECONDS: String(WINDOW_SECONDS), INGEST_PARSER_THREADS: '1' });
  [api, workers] = await Promise.all([startApp(env, { keepOutput: Infinity }), startWorkerProcess(env, { keepOutput: Infinity })]);
});

afterAll(async () => {
  await api?.stop();
  await workers?.stop();
  await (await lateWorkers?.catch(() => null))?.stop();
  await redis?.kill();
  await db?.close();
  if (config) {
    await dropDatabase(config.databaseUrl);
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  }
  fs.rmSync(redisDir, { recursive: true, force: true });
});

async function ingestOne(token: string): Promise<number> {
  const res = await fetch(`${api.base}/ingest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    body: JSON.stringify(sampleEvent()) + '\n',
  });
  await res.text();
  return res.status;
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

function notJson(text: string): string[] {
  return lines(text).filter((line) => {
    try {
      return typeof JSON.parse(line) !== 'object';
    } catch {
      return true;
    }
  });
}

test('with Redis down for seconds, every line both processes write is JSON and repeated connection errors are summarised', async () => {
  const res = await fetch(`${api.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($input: CreateSessionInput!) { createSession(input: $input) { token } }',
      variables: { input: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey } },
    }),
  });
  const token = ((await res.json()) as any).data.createSession.token as string;
  expect(await ingestOne(token)).toBe(200);
  const before = { api: api.output().length, workers: workers.output().length };

  await redis.kill();
  const downUntil = Date.now() + OUTAGE_MS;
  lateWorkers = startWorkerProcess(env, { keepOutput: Infinity });
  lateWorkers.catch(() => undefined); // awaited below
  // Requests go on meanwhile: events are durable in PostgreSQL; the outbox sweeper enqueues later.
  while (Date.now() < downUntil) {
    expect(await ingestOne(token)).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
  }
  await redis.start();
  // Past the end of the last window, so its summary has been written.
  await new Promise((r) => setTimeout(r, (WINDOW_SECONDS + 1) * 1000));
  const late = await lateWorkers;

  const duringApi = api.output().slice(before.api);
  const duringWorkers = workers.output().slice(before.workers);
  expect(notJson(late.output())).toEqual([]);
  expect(notJson(workers.output())).toEqual([]);
  expect(notJson(api.output())).toEqual([]);

  // Repeated connection errors: a first line, then summaries, not one line per retry.
  const redisErrors = (text: string) =>
    lines(text)
      .map((l) => JSON.parse(l))
      .filter((l) => /redis|worker error/i.test(l.msg) && l.level !== 'info');
  const workerErrors = redisErrors(duringWorkers);
  const apiErrors = redisErrors(duringApi);
  expect(workerErrors.length).toBeGreaterThan(0);
  expect(workerErrors.some((l) => /more like this in the last/.test(l.msg))).toBe(true);
  // Windows in the outage (and the one after), a handful of kinds each: bounded, whatever the retries.
  const windows = Math.ceil(OUTAGE_MS / 1000 / WINDOW_SECONDS) + 2;
  expect(workerErrors.length).toBeLessThanOrEqual(windows * 6);
  expect(apiErrors.length).toBeLessThanOrEqual(windows * 6);
  expect(lines(duringWorkers).length).toBeLessThanOrEqual(windows * 10);
  expect(lines(late.output()).length).toBeLessThanOrEqual(windows * 10);
  expect(api.alive() && workers.alive() && late.alive()).toBe(true);
});
