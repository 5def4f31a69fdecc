import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase } from '../../src/app/boot';
import { startServer, type RunningServer } from '../../src/app/server';
import { deleteRedisPrefix } from '../../src/common/redis-prefix';
import { closeServices, createServices, type Services } from '../../src/app/services';
import { loadConfig, type Config } from '../../src/config';
import type { Database } from '../../src/db/database';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { bootstrapIfEmpty, type TenantCredentials } from '../../src/organizations/organization-bootstrap';

export const TEST_DATABASE_SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

export interface GqlResult<T = any> {
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string } }>;
  status: number;
}

export interface TestApp {
  config: Config;
  services: Services;
  db: Database;
  server: RunningServer;
  baseUrl: string;
  /** The bootstrapped organization's admin credentials. */
  admin: TenantCredentials;
  gql<T = any>(query: string, variables?: Record<string, unknown>, opts?: { token?: string; region?: string; headers?: Record<string, string> }): Promise<GqlResult<T>>;
  /** createSession for a key pair; throws when it fails. */
  login(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<string>;
  close(): Promise<void>;
}

/** A fresh database name and Redis prefix per test file: tests never see each other's data. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

export async function dropDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const client = new Client({ connectionString: `${TEST_DATABASE_SERVER}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Deletes every Redis key under a prefix (BullMQ queues of one test run). */
export const flushRedisPrefix = deleteRedisPrefix;

/** Test configuration: its own database, Redis prefix and data dir; overrides win. */
export function testConfig(env: Record<string, string> = {}): Config {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-test-'));
  return loadConfig({
    ...process.env,
    DATABASE_URL: `${TEST_DATABASE_SERVER}/${uniqueName('ot_test')}`,
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: uniqueName('ot-test'),
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // Test receivers listen on 127.0.0.1, which the default webhook policy refuses (SSRF): tests
    // open it as an operator would. A test of the default passes WEBHOOK_ALLOWED_HOSTS: ''.
    WEBHOOK_ALLOWED_HOSTS: '*,127.0.0.1,::1',
    ...env,
  });
}

/** Starts the whole api in-process on a fresh database (real migrations, real Redis). */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(env);
  const logger = createLogger(config.logLevel);
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase(config, logger);
  } catch (err) {
    // A failed start leaves nothing behind either: its database and data directory go.
    await dropDatabase(config.databaseUrl).catch(() => undefined);
    fs.rmSync(config.dataDir, { recursive: true, force: true });
    throw err;
  }
  const admin = await bootstrapIfEmpty(db.dataSource, config.bootstrapCredentialsFile);
  if (!admin) throw new Error('test database was not empty');
  const services = createServices(config, db, logger, createMetrics());
  await services.prepareEventStore();
  const server = await startServer(services);
  const baseUrl = `http://127.0.0.1:${server.port}`;

  const gql: TestApp['gql'] = async (query, variables, opts = {}) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.region) headers['x-region'] = opts.region;
    const res = await fetch(`${baseUrl}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const body = (await res.json()) as GqlResult;
    return { ...body, status: res.status };
  };
  const login: TestApp['login'] = async (credentials) => {
    const result = await gql<{ createSession: { token: string } }>(
      'mutation($input: CreateSessionInput!) { createSession(input: $input) { token } }',
      // Only the key pair: callers may pass a whole TenantCredentials object.
      { input: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } },
    );
    if (!result.data?.createSession) throw new Error(`createSession failed: ${JSON.stringify(result.errors)}`);
    return result.data.createSession.token;
  };

  return {
    config,
    services,
    db,
    server,
    baseUrl,
    admin,
    gql,
    login,
    async close() {
      await server.close();
      await closeServices(services);
      await db.close();
      await dropDatabase(config.databaseUrl);
      await flushRedisPrefix(config.redisUrl, config.redisPrefix);
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}
