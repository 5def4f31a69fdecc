import { Pool, type PoolClient } from 'pg';
import { guardPool } from '../../db/pool-guard';
import { errorSummary } from '../../observability/repeated-log';
import type { Logger } from 'pino';
import type { MasterKey } from '../../crypto/master-key';
import { TEXT_TYPES } from './lake-query.values';
import { scramSha256Verifier } from './scram';

/** The role Lake statements run as, as their session user: SELECT on lake_events only. */
export const LAKE_READER_ROLE = 'opentrail_lake_reader';

/**
 * The walls that hold for the whole session of a reader connection, given as start-up options
 * (no per-statement round trip): read only, the statement timeout, UTC, search_path pg_catalog.
 * The session user is the reader, so a statement that changed them (the compiler lets none
 * through) would still have the reader's privileges only; the runner re-applies them with
 * RESET ALL at the head of each statement anyway, so nothing carries over between queries.
 */
function sessionOptions(timeoutMs: number): string {
  return [
    'default_transaction_read_only=on',
    `statement_timeout=${Math.max(1, Math.floor(timeoutMs))}`,
    'TimeZone=UTC',
    'search_path=pg_catalog',
    'standard_conforming_strings=on',
  ]
    .map((o) => `-c ${o}`)
    .join(' ');
}

/**
 * Registers `pid` as the reader backend of the RUNNING query `queryId` (what the row-level security
 * policy reads, lake_wall.query_stores()), from the owner connection, in one statement: the pid is
 * first taken from any other row that still carries it (a finished query whose runner has not yet
 * cleared it, or a dead runner's), so a pooled connection never sees a previous query's stores.
 * False when the query is no longer RUNNING (cancelled before it started).
 */
export async function registerReaderBackend(owner: Pick<Pool, 'query'>, queryId: string, pid: number): Promise<boolean> {
  const { rows } = await owner.query(
    // A data-modifying CTE always runs, referenced or not.
    `WITH released AS (UPDATE lake_queries SET backend_pid = NULL WHERE backend_pid = $2 AND id <> $1)
     UPDATE lake_queries SET backend_pid = $2 WHERE id = $1 AND status = 'RUNNING' RETURNING id`,
    [queryId, pid],
  );
  return rows.length > 0;
}

/** Throws unless the connection's session user is the reader role. */
export async function assertReaderSession(client: Pick<PoolClient, 'query'>): Promise<void> {
  const { rows } = await client.query(`SELECT session_user::text AS u`);
  if (rows[0]?.u !== LAKE_READER_ROLE) throw new Error(`lake reader connection is ${rows[0]?.u}, not ${LAKE_READER_ROLE}`);
}

/** The reader's password: derived from the master key, so every process of an installation agrees. */
export function readerPassword(masterKey: MasterKey): string {
  return masterKey.deriveKey('lake-reader-password').toString('base64url');
}

/**
 * DATABASE_URL with the reader's user and password, as query parameters: a URL without a host
 * (`postgres:///db?host=/socket`) cannot carry a user name, and pg lets the connection string's
 * values win over separate options.
 */
export function readerUrl(databaseUrl: string, password: string): string {
  const u = new URL(databaseUrl);
  u.username = '';
  u.password = '';
  u.searchParams.set('user', LAKE_READER_ROLE);
  u.searchParams.set('password', password);
  return u.toString();
}

/**
 * A small pool of connections whose session user is `opentrail_lake_reader` (src/db/migrations/
 * *-LakeReaderLogin.ts). Before the first connection, the reader's password is set from the
 * owner connection (ALTER ROLE … PASSWORD; idempotent), for servers with password authentication.
 */
export class LakeReaderPool {
  private pool: Promise<Pool> | null = null;
  /** What start-up did with the reader's password (tests, diagnostics). */
  passwordStatus: 'pending' | 'set' | 'left alone' | 'failed' = 'pending';

  constructor(
    /** The owner connection that sets the reader's password; null: leave it (trust auth, bench). */
    private readonly owner: Pool | null,
    private readonly databaseUrl: string,
    private readonly masterKey: MasterKey,
    /** The session statement timeout; a query with another timeout sets its own. */
    readonly defaultTimeoutMs: number,
    private readonly logger?: Logger,
    /** The lake-query queue runs 4 at a time (workers/main.ts); one more for startQuery's plans. */
    private readonly max = 5,
  ) {}

  private readonly checked = new WeakSet<PoolClient>();

  /**
   * A reader connection. Each new physical connection is checked once to have the reader as its
   * session user: a configuration that connected as anyone else fails rather than running Lake
   * statements with the owner's rights.
   */
  async connect(): Promise<PoolClient> {
    const client = await (await this.get()).connect();
    if (this.checked.has(client)) return client;
    try {
      await assertReaderSession(client);
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
    this.checked.add(client);
    return client;
  }

  /**
   * The plan of a compiled statement (EXPLAIN, FORMAT JSON: nothing runs), made as the reader so
   * constant folding meets the same walls as the run; its root node. Errors are PostgreSQL's.
   */
  async explain(sql: string): Promise<Record<string, any>> {
    const client = await this.connect();
    let broken: Error | undefined;
    try {
      const res = (await client.query(`RESET ALL; SET statement_timeout = 10000; EXPLAIN (FORMAT JSON) ${sql}`)) as unknown as Array<{
        rows: Array<Record<string, string>>;
      }>;
      return JSON.parse(res[res.length - 1].rows[0]['QUERY PLAN'])[0].Plan;
    } catch (err) {
      broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  get(): Promise<Pool> {
    if (!this.pool) {
      this.pool = this.open();
      this.pool.catch(() => {
        this.pool = null;
      });
    }
    return this.pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    if (pool) await (await pool.catch(() => null))?.end();
  }

  private async open(): Promise<Pool> {
    const password = readerPassword(this.masterKey);
    await this.setPassword(password);
    const pool = new Pool({
      connectionString: readerUrl(this.databaseUrl, password),
      max: this.max,
      idleTimeoutMillis: 30_000,
      options: sessionOptions(this.defaultTimeoutMs),
      types: TEXT_TYPES,
    });
    // At most `max` connections, each lost once per outage: a line per loss is few enough.
    return guardPool(pool, (err, where) =>
      this.logger?.warn({ error: errorSummary(err), connection: where }, 'Lake reader lost its PostgreSQL connection'),
    );
  }

  /**
   * Roles are cluster-wide: installations sharing a PostgreSQL cluster share this role and would
   * overwrite each other's password if their master keys differ (README). Processes starting
   * together may race on the role's row ("tuple concurrently updated"): retried. The server gets
   * the SCRAM-SHA-256 verifier, never the password (statement logs); its salt is derived from the
   * master key too, so every process sets the same verifier.
   */
  private async setPassword(password: string): Promise<void> {
    if (!this.owner) {
      this.passwordStatus = 'left alone';
      return;
    }
    const verifier = scramSha256Verifier(password, this.masterKey.deriveKey('lake-reader-scram-salt').subarray(0, 16));
    if (!/^SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/.test(verifier))
      throw new Error('lake reader: bad verifier');
    for (let attempt = 0; ; attempt++) {
      try {
        await this.owner.query(`ALTER ROLE ${LAKE_READER_ROLE} PASSWORD '${verifier}'`);
        this.passwordStatus = 'set';
        return;
      } catch (err) {
        if (attempt < 3 && /concurrently/.test((err as Error).message)) {
          await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
          continue;
        }
        // Without the privilege (no CREATEROLE) the password must be set by the administrator.
        this.passwordStatus = 'failed';
        this.logger?.warn(
          { err: (err as Error).message },
          'lake reader password not set; the reader connects only if the server trusts it or its password was set otherwise',
        );
        return;
      }
    }
  }
}
