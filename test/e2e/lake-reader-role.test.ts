import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { backendPid, lakeStatementSql, streamLakeStatement } from '../../src/lake/query/lake-query.runner';
import { assertReaderSession, registerReaderBackend } from '../../src/lake/query/lake-reader';
import { createStore, lakeEvent, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/**
 * The role wall on its own: SQL sent straight to a reader connection (bypassing the compiler on
 * purpose) runs as session user opentrail_lake_reader, which has no role to return to, reads
 * lake_events rows of the stores of its own RUNNING query only, and can write nothing.
 */
describe('lake reader connection without the compiler', () => {
  let app: TestApp;
  let A: string;
  let C: string; // another tenant's store
  let accountB: string;

  beforeAll(async () => {
    app = await startTestApp({ LAKE_QUERY_TIMEOUT_SECONDS: '2' });
    const admin: LakeSession = { token: await app.login(app.admin) };
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'lr-b@example.com'));
    accountB = credsB.accountId;
    A = (await createStore(app, admin, 'reader-a')).id;
    C = (await createStore(app, { token: await app.login(credsB) }, 'reader-c')).id;
    await seed(app, A, app.admin.accountId, [lakeEvent({ eventID: 'a-1' }), lakeEvent({ eventID: 'a-2' })]);
    await seed(app, C, credsB.accountId, [lakeEvent({ eventID: 'c-secret', eventName: 'SecretThing' })]);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A reader connection registered (as the runner does) as running a query over `stores`; discarded after. */
  async function asReader<T>(stores: string[] | null, fn: (c: PoolClient) => Promise<T>, account = app.admin.accountId): Promise<T> {
    const client = await app.services.lakeQueries.reader.connect();
    const id = randomUUID();
    if (stores) {
      await app.db.pool.query(
        `INSERT INTO lake_queries (id, account_id, region, statement, compiled_sql, columns, event_data_store_ids, status, timeout_seconds, started_at)
         VALUES ($1, $2, 'us-east-1', 'test', 'test', '[]', $3::uuid[], 'RUNNING', 2, now())`,
        [id, account, stores],
      );
      expect(await registerReaderBackend(app.db.pool, id, backendPid(client))).toBe(true);
    }
    try {
      return await fn(client);
    } finally {
      client.release(true);
      await app.db.pool.query(`DELETE FROM lake_queries WHERE id = $1`, [id]);
    }
  }
  const storesSeen = async (c: PoolClient, prefix = '') => {
    const res = await c.query(`${prefix}SELECT DISTINCT event_data_store_id::text AS id FROM public.lake_events ORDER BY 1`);
    const last = Array.isArray(res) ? res[res.length - 1] : res;
    return last.rows.map((r: { id: string }) => r.id);
  };

  it('runs as session user opentrail_lake_reader and sees only the stores of its own running query', async () => {
    await asReader([A], async (c) => {
      expect((await c.query(`SELECT session_user::text AS s, current_user::text AS u`)).rows).toEqual([
        { s: 'opentrail_lake_reader', u: 'opentrail_lake_reader' },
      ]);
      expect(await storesSeen(c)).toEqual([A]);
      expect((await c.query(`SELECT lake_wall.query_stores()::text AS s`)).rows).toEqual([{ s: `{${A}}` }]);
    });
    // No registered query: nothing at all.
    await asReader(null, async (c) => expect(await storesSeen(c)).toEqual([]));
  });

  it('set the reader password (as a SCRAM verifier) from the owner connection at start-up', () => {
    expect(app.services.lakeQueries.reader.passwordStatus).toBe('set');
  });

  it('another query running on another reader connection does not widen this one', async () => {
    await asReader(
      [C],
      () =>
        asReader([A], async (c) => {
          expect(await storesSeen(c)).toEqual([A]);
          const { rows } = await c.query(`SELECT count(*)::int AS n FROM public.lake_events WHERE event_data_store_id = '${C}'`);
          expect(rows).toEqual([{ n: '0' }]); // the reader pool keeps values as text
        }),
      accountB,
    );
  });

  it('a pooled connection does not see the stores of a previous query whose row still carries its pid', async () => {
    await asReader([A], async (c) => {
      // Another tenant's query, claimed later, finished on this connection but not yet cleared.
      const stale = randomUUID();
      await app.db.pool.query(
        `INSERT INTO lake_queries (id, account_id, region, statement, compiled_sql, columns, event_data_store_ids, status, timeout_seconds, started_at, backend_pid)
         VALUES ($1, $2, 'us-east-1', 'test', 'test', '[]', ARRAY[$3::uuid], 'RUNNING', 2, now() + interval '1 minute', $4)`,
        [stale, accountB, C, backendPid(c)],
      );
      try {
        expect(await storesSeen(c)).toEqual([C]); // what registration must prevent
        const mine = (await app.db.pool.query(`SELECT id FROM lake_queries WHERE backend_pid = $1 AND id <> $2`, [backendPid(c), stale]))
          .rows[0].id;
        expect(await registerReaderBackend(app.db.pool, mine, backendPid(c))).toBe(true);
        expect(await storesSeen(c)).toEqual([A]);
      } finally {
        await app.db.pool.query(`DELETE FROM lake_queries WHERE id = $1`, [stale]);
      }
    });
  });

  it('registration fails for a query that is no longer running', async () => {
    const id = randomUUID();
    await app.db.pool.query(
      `INSERT INTO lake_queries (id, account_id, region, statement, compiled_sql, columns, event_data_store_ids, status, timeout_seconds)
       VALUES ($1, $2, 'us-east-1', 'test', 'test', '[]', ARRAY[$3::uuid], 'CANCELLED', 2)`,
      [id, app.admin.accountId, A],
    );
    expect(await registerReaderBackend(app.db.pool, id, 12345)).toBe(false);
  });

  it('the old store setting is no wall any more and changes nothing', async () => {
    await asReader([A], async (c) => {
      expect(await storesSeen(c, `SELECT set_config('opentrail.lake_query_stores', '${C}', false); `)).toEqual([A]);
      expect(await storesSeen(c, `SET opentrail.lake_query_stores = '${A},${C}'; `)).toEqual([A]);
    });
  });

  it('RESET ROLE, RESET SESSION AUTHORIZATION and DISCARD ALL leave it the reader', async () => {
    await asReader([A], async (c) => {
      expect(await storesSeen(c, 'RESET ROLE; ')).toEqual([A]);
      await expect(c.query(`RESET ROLE; SELECT * FROM public.lake_queries`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`RESET ROLE; SELECT * FROM public.events`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`RESET SESSION AUTHORIZATION; SELECT * FROM public.event_data_stores`)).rejects.toThrow(/permission denied/);
      await c.query(`DISCARD ALL`);
      expect(((await c.query(`RESET ROLE; SELECT current_user::text AS u`)) as unknown as Array<{ rows: unknown[] }>)[1].rows).toEqual([
        { u: 'opentrail_lake_reader' },
      ]);
      expect(await storesSeen(c)).toEqual([A]);
    });
  });

  it('cannot become another role', async () => {
    await asReader([A], async (c) => {
      await expect(c.query(`SELECT set_config('role', 'postgres', false)`)).rejects.toThrow(/permission denied to set role/);
      await expect(c.query(`SET ROLE postgres`)).rejects.toThrow(/permission denied to set role/);
      await expect(c.query(`SET ROLE opentrail_app`)).rejects.toThrow(/permission denied to set role/);
      await expect(c.query(`SET SESSION AUTHORIZATION postgres`)).rejects.toThrow(/permission denied/);
      expect((await c.query(`SELECT current_user::text AS u`)).rows).toEqual([{ u: 'opentrail_lake_reader' }]);
    });
  });

  it('cannot write, even after turning read-only off, nor register itself for other stores', async () => {
    const before = (await app.db.pool.query(`SELECT count(*)::int AS n FROM lake_events`)).rows[0].n;
    await asReader([A], async (c) => {
      await expect(
        c.query(
          `INSERT INTO public.lake_events (event_data_store_id, store_account_id, event_id, event_time, record) VALUES ('${A}', '1', 'x', now(), '{}')`,
        ),
      ).rejects.toThrow(/read-only transaction|permission denied/);
      await c.query(`SET default_transaction_read_only = off`);
      await expect(
        c.query(
          `INSERT INTO public.lake_events (event_data_store_id, store_account_id, event_id, event_time, record) VALUES ('${A}', '1', 'x', now(), '{}')`,
        ),
      ).rejects.toThrow(/permission denied/);
      await expect(c.query(`DELETE FROM public.lake_events`)).rejects.toThrow(/permission denied/);
      await expect(
        c.query(`UPDATE public.lake_queries SET backend_pid = pg_backend_pid(), event_data_store_ids = ARRAY['${C}'::uuid]`),
      ).rejects.toThrow(/permission denied/);
      await expect(c.query(`CREATE TABLE public.lake_stolen (x int)`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`CREATE FUNCTION lake_wall.query_stores2() RETURNS int LANGUAGE sql AS 'SELECT 1'`)).rejects.toThrow(
        /permission denied/,
      );
      expect(await storesSeen(c)).toEqual([A]);
    });
    expect((await app.db.pool.query(`SELECT count(*)::int AS n FROM lake_events`)).rows[0].n).toBe(before);
  });

  it('what a statement set on a pooled connection does not carry over to the next statement', async () => {
    await asReader([A], async (c) => {
      await c.query(`SET statement_timeout = 0; SET default_transaction_read_only = off; SET search_path = public`);
      const rows: Array<Array<string | null>> = [];
      const text = lakeStatementSql(
        `SELECT current_setting('statement_timeout'), current_setting('default_transaction_read_only'), current_setting('search_path'), current_setting('application_name')`,
        { timeoutMs: 2000, defaultTimeoutMs: 2000, applicationName: 'lake-query:test' },
      );
      await streamLakeStatement(c, text, async (_b, batch) => {
        rows.push(...batch);
      });
      expect(rows).toEqual([['2s', 'on', 'pg_catalog', 'lake-query:test']]);
      // and the run's application name is gone once it ends
      expect((await c.query(`SELECT current_setting('application_name') AS a`)).rows).toEqual([{ a: '' }]);
    });
  });

  it('a connection that is not the reader is refused before any statement', async () => {
    const owner = await app.db.pool.connect();
    try {
      await expect(assertReaderSession(owner)).rejects.toThrow(/not opentrail_lake_reader/);
    } finally {
      owner.release();
    }
    await asReader(null, (c) => assertReaderSession(c));
  });

  it('runs under the session statement timeout', async () => {
    await asReader([A], async (c) => {
      await expect(c.query(`SELECT pg_sleep(10)`)).rejects.toThrow(/statement timeout/);
    });
  });
});
