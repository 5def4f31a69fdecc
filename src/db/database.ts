import { Client, Pool, type PoolClient } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { TenantScope } from '../common/request-context';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { type ConnectionErrorListener, guardPool } from './pool-guard';

export interface DatabaseOptions {
  /** Connections per process, shared by TypeORM and the raw pools (DATABASE_POOL_SIZE). */
  poolSize?: number;
  /** How long a checkout waits for a new connection before failing (DATABASE_CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
  /** Told of every lost connection (the process logs them, rate-limited); they never crash it. */
  onConnectionError?: ConnectionErrorListener;
}

/** The database role tenant-scoped work runs as, so that row-level security applies to it. */
export const TENANT_ROLE = 'opentrail_app';

/**
 * The database: a TypeORM DataSource for the small configuration tables and a plain pg Pool for
 * the hot, hand-written queries of the big tables (events), which TypeORM cannot express
 * (partitioning, COPY, keyset scans).
 */
export class Database {
  readonly dataSource: DataSource;
  readonly pool: Pool;
  /**
   * Connections whose commits do not wait for their WAL flush (synchronous_commit = off): for
   * writes whose loss in a PostgreSQL crash is bounded and accepted (see asService).
   */
  private readonly relaxedPool: Pool;

  private readonly onConnectionError: ConnectionErrorListener;

  /** `options` may be just the pool size (scripts and tests that need nothing else). */
  constructor(
    readonly url: string,
    options: number | DatabaseOptions = {},
  ) {
    const opts = typeof options === 'number' ? { poolSize: options } : options;
    const poolSize = opts.poolSize ?? 20;
    // Without a timeout a checkout waits for a server that does not answer (a lost host, not a
    // refused port) as long as the kernel does. pg-pool applies it to waiting for a free client
    // in a full pool too, hence a generous default.
    const connectionTimeoutMillis = opts.connectTimeoutMs ?? 30_000;
    this.onConnectionError = opts.onConnectionError ?? (() => undefined);
    this.dataSource = new DataSource({
      type: 'postgres',
      url,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      migrationsTableName: 'migrations',
      synchronize: false,
      uuidExtension: 'pgcrypto',
      logging: false,
      poolSize: Math.max(2, Math.floor(poolSize / 2)),
      extra: { connectionTimeoutMillis },
      poolErrorHandler: () => undefined, // guardPool (in connect) reports them
    });
    // A client that loses its connection, idle or checked out, must not crash the process.
    this.pool = guardPool(
      new Pool({ connectionString: url, max: Math.max(2, Math.ceil(poolSize / 2)), connectionTimeoutMillis }),
      this.onConnectionError,
    );
    this.relaxedPool = guardPool(
      new Pool({
        connectionString: url,
        max: Math.max(2, Math.ceil(poolSize / 8)),
        connectionTimeoutMillis,
        options: '-c synchronous_commit=off',
      }),
      this.onConnectionError,
    );
  }

  async connect(): Promise<void> {
    if (this.dataSource.isInitialized) return;
    await this.dataSource.initialize();
    // TypeORM's query runners listen on their own checkouts; the guard covers the rest (its own
    // checkouts at start-up excepted) and reports its pool's idle errors like ours.
    const master = (this.dataSource.driver as unknown as { master?: Pool }).master;
    if (master) guardPool(master, this.onConnectionError);
  }

  /** Applies pending migrations; returns the names of those applied. */
  async migrate(): Promise<string[]> {
    await this.connect();
    // api and workers may start together: one applies the migrations, the other waits and finds none.
    const lock = await this.pool.connect();
    try {
      await lock.query(`SELECT pg_advisory_lock(hashtext('opentrail:migrations'))`);
      // The advisory lock is per database, but roles are cluster-wide: a migration altering a role
      // can meet another database's migration (or start-up) altering it at the same moment
      // ("tuple concurrently updated"). Each migration is its own transaction, so the failed one
      // was rolled back and running the pending ones again is safe.
      // Names are read from the migrations table: an attempt that failed midway committed some.
      const executed = async () => {
        // No table yet on an empty database: nothing executed.
        const { rows } = await lock.query(`SELECT name FROM migrations ORDER BY id`).catch(() => ({ rows: [] as Array<{ name: string }> }));
        return new Set(rows.map((r: { name: string }) => r.name));
      };
      const before = await executed();
      for (let attempt = 1; ; attempt++) {
        try {
          await this.dataSource.runMigrations({ transaction: 'each' });
          return [...(await executed())].filter((name) => !before.has(name));
        } catch (err) {
          if (attempt >= 5 || !/tuple concurrently (updated|deleted)/.test((err as Error).message)) throw err;
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    } finally {
      await lock.query(`SELECT pg_advisory_unlock(hashtext('opentrail:migrations'))`).catch(() => undefined);
      lock.release();
    }
  }

  /**
   * Whether PostgreSQL answers a trivial query within `timeoutMs` (readiness): false while it is
   * down, restarting or in recovery, true again once it is back.
   */
  async ping(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    // The timer also covers waiting for a free client and for a connection to a silent host.
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
    const answered = this.pool.query({ text: 'SELECT 1', query_timeout: timeoutMs } as { text: string }).then(
      () => true,
      () => false,
    );
    try {
      return await Promise.race([answered, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.pool.end();
    await this.relaxedPool.end();
  }

  /**
   * Runs `fn` in a transaction scoped to one tenant: the role is switched to TENANT_ROLE and the
   * account and organization are set for the row-level security policies. A query that forgets
   * its account filter still cannot see another tenant's rows.
   */
  async inTenant<T>(scope: TenantScope, fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(TENANT_SETUP_SQL, [scope.accountId, scope.organizationId ?? '']);
      return fn(manager);
    });
  }

  /**
   * The same for hand-written SQL on the raw pool: `fn` gets a client inside the transaction.
   * With `readOnly`, the transaction is READ ONLY and its result is returned before the COMMIT
   * round trip, which completes before the connection goes back to the pool.
   */
  async inTenantRaw<T>(scope: TenantScope, fn: (client: PoolClient) => Promise<T>, opts: { readOnly?: boolean } = {}): Promise<T> {
    const client = await this.pool.connect();
    let result: T;
    try {
      // BEGIN and the tenant settings in one round trip (a simple query cannot take parameters,
      // so the ids are checked against their exact formats before they are written into it).
      await client.query(`BEGIN${opts.readOnly ? ' READ ONLY' : ''}; ${tenantSetupLiteral(scope)}`);
      result = await fn(client);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw err;
    }
    if (opts.readOnly) {
      // Nothing was written: the answer does not wait for COMMIT. A connection whose COMMIT
      // fails is discarded rather than returned to the pool.
      client.query('COMMIT').then(
        () => client.release(),
        (err: Error) => client.release(err),
      );
      return result;
    }
    try {
      await client.query('COMMIT');
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    client.release();
    return result;
  }

  /**
   * Runs `fn` as the service itself (the table owner), outside any tenant: for authentication,
   * workers and self-audit, whose tenant comes from a verified identity, not from the request.
   * `relaxedCommit`: the commit returns before its WAL is flushed to disk; a PostgreSQL crash
   * (not an OpenTrail one) can lose the last few hundred milliseconds of such commits
   * (3 × wal_writer_delay), never corrupt anything. Used only where that trade is documented.
   */
  async asService<T>(fn: (client: PoolClient) => Promise<T>, opts: { transaction: boolean; relaxedCommit?: boolean }): Promise<T> {
    const client = await (opts.relaxedCommit ? this.relaxedPool : this.pool).connect();
    try {
      if (!opts.transaction) return await fn(client);
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      if (opts.transaction) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}

/**
 * Inside a tenant transaction (Database.inTenant), acts for another tenant from here on: an
 * organization's management account or delegated administrator writing rows owned by a member or
 * by the management account. The row-level security policies then see that tenant.
 */
export async function actAsTenant(m: EntityManager, scope: TenantScope): Promise<void> {
  await m.query(TENANT_SETUP_SQL, [scope.accountId, scope.organizationId ?? '']);
}

const TENANT_SETUP_SQL =
  `SELECT set_config('role', '${TENANT_ROLE}', true),` +
  ` set_config('opentrail.account_id', $1, true),` +
  ` set_config('opentrail.organization_id', $2, true)`;

const ACCOUNT_ID = /^\d{12}$/;
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

function tenantSetupLiteral(scope: TenantScope): string {
  if (!ACCOUNT_ID.test(scope.accountId)) throw new Error('tenant scope: malformed account id');
  const org = scope.organizationId ?? '';
  if (org !== '' && !ORGANIZATION_ID.test(org)) throw new Error('tenant scope: malformed organization id');
  return TENANT_SETUP_SQL.replace('$1', `'${scope.accountId}'`).replace('$2', `'${org}'`);
}

/** Creates the database named in `url` when it does not exist yet (first start on a new server). */
export async function ensureDatabaseExists(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name) return;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  client.on('error', () => undefined); // a lost connection fails the query below, which is what start-up reports
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      const quoted = '"' + name.replace(/"/g, '""') + '"';
      await client.query(`CREATE DATABASE ${quoted}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created concurrently by another process
      });
    }
  } finally {
    await client.end();
  }
}
