import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase } from '../../src/app/boot';
import { closeServices, createServices, type Services } from '../../src/app/services';
import type { OpenTrailError } from '../../src/common/errors';
import { deleteRedisPrefix } from '../../src/common/redis-prefix';
import type { RequestContext } from '../../src/common/request-context';
import { loadConfig, type Config } from '../../src/config';
import type { Database } from '../../src/db/database';
import { createLogger } from '../../src/observability/logger';
import { createMetrics } from '../../src/observability/metrics';
import { bootstrapIfEmpty, createOrganizationWithAdmin, type TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { MasterKey } from '../../src/crypto/master-key';
import { AccessKeySecrets } from '../../src/principals/access-key-secrets';

export const TEST_DATABASE_SERVER = process.env.TEST_DATABASE_SERVER ?? 'postgres://postgres@127.0.0.1:5432';

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
    // Whether the shared test machine is busy is not what a test asserts: contention shedding is
    // off, and a test of it turns it on (test/e2e/graphql-contention.test.ts).
    ACCOUNT_CONTENTION_CPU_PERCENT: 'off',
    ...env,
  });
}

/** The services of one test file on its own database, and their cleanup. */
export interface TestServices {
  config: Config;
  db: Database;
  services: Services;
  /** The bootstrapped organization's admin credentials. */
  admin: TenantCredentials;
  /** Closes the services and drops the database, the Redis keys and the data directory. */
  close(): Promise<void>;
}

/**
 * The service tier (Immich's "medium" tests): the real Services over a fresh test database with
 * the real migrations and the real Redis, but no HTTP server and no workers. Tests call service
 * methods with a RequestContext, as a resolver would after the operation catalog authorized it.
 */
export interface ServiceHarness extends TestServices {
  /** The admin's request context in `region` (default us-east-1). */
  ctx(region?: string): RequestContext;
  /** A request context for any access key pair, authenticated as a bearer token would be. */
  contextFor(credentials: { accessKeyId: string; secretAccessKey: string }, region?: string): Promise<RequestContext>;
  /** A second organization with its own management account and admin: another tenant. */
  createTenant(name: string): Promise<{ credentials: TenantCredentials; ctx(region?: string): RequestContext }>;
}

/** The services of one test file on a fresh database, with the bootstrapped organization. */
export async function openTestServices(env: Record<string, string> = {}): Promise<TestServices> {
  const config = testConfig(env);
  const logger = createLogger(config.logLevel);
  let db: Database;
  try {
    db = await openDatabase(config, logger);
  } catch (err) {
    // A failed start leaves nothing behind either: its database and data directory go.
    await dropDatabase(config.databaseUrl).catch(() => undefined);
    fs.rmSync(config.dataDir, { recursive: true, force: true });
    throw err;
  }
  const admin = await bootstrapIfEmpty(db.dataSource, config.bootstrapCredentialsFile, new AccessKeySecrets(MasterKey.fromConfig(config)));
  if (!admin) throw new Error('test database was not empty');
  const services = createServices(config, db, logger, createMetrics());
  await services.prepareEventStore();
  return {
    config,
    db,
    services,
    admin,
    async close() {
      await closeServices(services);
      await db.close();
      await dropDatabase(config.databaseUrl);
      await flushRedisPrefix(config.redisUrl, config.redisPrefix, config.redisClusterNodes);
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** The service tier's setup: the services, the admin's request context, and other tenants on demand. */
export async function startServiceHarness(env: Record<string, string> = {}): Promise<ServiceHarness> {
  const opened = await openTestServices(env);
  const { services } = opened;
  const meta = (region: string) => ({
    requestId: randomUUID(),
    region,
    sourceIp: '127.0.0.1',
    userAgent: 'opentrail-service-tests',
    host: '127.0.0.1',
  });

  // The caller comes from a real session token, so policies and organization membership are
  // loaded exactly as for an HTTP request.
  const contextFor: ServiceHarness['contextFor'] = async (credentials, region = 'us-east-1') => {
    const session = await services.sessions.createSession(
      meta(region),
      { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey },
      () => undefined,
    );
    const result = await services.authenticator.authenticate(session.token);
    if (!('caller' in result)) throw new Error(`authentication failed: ${result.error.message}`);
    return { ...meta(region), caller: result.caller };
  };
  const bound = async (credentials: TenantCredentials) => {
    const base = await contextFor(credentials);
    return (region = 'us-east-1'): RequestContext => ({ ...base, ...meta(region) });
  };
  const adminCtx = await bound(opened.admin);

  return {
    ...opened,
    ctx: adminCtx,
    contextFor,
    async createTenant(name) {
      const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      const credentials = await opened.db.dataSource.transaction((m) =>
        createOrganizationWithAdmin(m, name, `${slug}@example.com`, services.accessKeySecrets),
      );
      return { credentials, ctx: await bound(credentials) };
    },
  };
}

/** Awaits a call that must fail with the domain error `code`; returns the message. */
export async function failsWith(call: Promise<unknown>, code: string): Promise<string> {
  const error = await call.then(
    (value) => {
      throw new Error(`expected ${code} but the call returned ${JSON.stringify(value)}`);
    },
    (err: OpenTrailError) => err,
  );
  expect({ code: error.code, message: error.message }).toEqual({ code, message: error.message });
  return error.message;
}
