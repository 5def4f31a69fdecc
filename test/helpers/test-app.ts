import { startServer, type RunningServer } from '../../src/app/server';
import type { Services } from '../../src/app/services';
import type { Config } from '../../src/config';
import type { Database } from '../../src/db/database';
import type { TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { openTestServices } from './service-harness';

// The test database and configuration helpers live with the service harness, which the app builds on.
export { TEST_DATABASE_SERVER, dropDatabase, flushRedisPrefix, testConfig, uniqueName } from './service-harness';

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
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    opts?: { token?: string; region?: string; headers?: Record<string, string> },
  ): Promise<GqlResult<T>>;
  /** createSession for a key pair; throws when it fails. */
  login(credentials: { accessKeyId: string; secretAccessKey: string }): Promise<string>;
  close(): Promise<void>;
}

/** Starts the whole api in-process on a fresh database (real migrations, real Redis). */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const { config, db, services, admin, close: closeServicesAndDatabase } = await openTestServices(env);
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
      await closeServicesAndDatabase();
    },
  };
}
