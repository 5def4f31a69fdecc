import { STAR_COLUMNS } from '../../src/lake/sql/lake-schema';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { allRows, createStore, lakeEvent, qCall, qError, runStatement, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

const INVALID = 'InvalidQueryStatementException';
const NOT_FOUND = 'EventDataStoreNotFoundException';

/**
 * Hostile Lake statements (issue 5 §3; issue 11 §2 for WITH products, whole rows and deep input): each is refused with a CloudTrail error code that points
 * at the offending part, creates no query, reads nothing and changes nothing.
 */
describe('hostile lake statements', () => {
  let app: TestApp;
  let admin: LakeSession;
  let A: string;
  let C: string; // another tenant's store
  const MISSING = '00000000-1111-4222-8333-444455556666';

  beforeAll(async () => {
    app = await startTestApp({ LAKE_QUERY_TIMEOUT_SECONDS: '2' });
    admin = { token: await app.login(app.admin) };
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'lh-b@example.com'));
    const other = { token: await app.login(credsB) };
    A = (await createStore(app, admin, 'hostile-a')).id;
    C = (await createStore(app, other, 'hostile-c')).id;
    await seed(
      app,
      A,
      app.admin.accountId,
      Array.from({ length: 200 }, (_, i) => lakeEvent({ eventID: `a-${i}` })),
    );
    await seed(app, C, credsB.accountId, [lakeEvent({ eventID: 'c-secret', eventName: 'SecretThing' })]);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Everything a statement could change or leave behind. */
  async function fingerprint(): Promise<string> {
    const { rows } = await app.db.pool.query(`SELECT
      (SELECT count(*) FROM lake_events) AS events,
      (SELECT count(*) FROM lake_queries) AS queries,
      (SELECT count(*) FROM pg_class) AS relations,
      (SELECT count(*) FROM pg_roles) AS roles,
      (SELECT count(*) FROM pg_proc) AS functions,
      (SELECT string_agg(event_id || event_name, ',' ORDER BY event_id) FROM lake_events) AS content`);
    return JSON.stringify(rows[0]);
  }

  type Case = [name: string, statement: () => string, code: string, message?: RegExp];
  const cases: Case[] = [
    ["another tenant's data store", () => `SELECT eventName FROM ${C}`, NOT_FOUND],
    ["another tenant's data store, double-quoted", () => `SELECT eventName FROM "${C}"`, NOT_FOUND],
    ["another tenant's data store in a UNION", () => `SELECT eventName FROM ${A} UNION ALL SELECT eventName FROM ${C}`, NOT_FOUND],
    [
      "another tenant's data store in a sub-query",
      () => `SELECT eventName FROM ${A} WHERE eventId IN (SELECT eventId FROM ${C})`,
      NOT_FOUND,
    ],
    ["another tenant's data store in a CTE", () => `WITH x AS (SELECT * FROM ${C}) SELECT x.eventName FROM x, ${A}`, NOT_FOUND],
    ['a data store that does not exist', () => `SELECT * FROM ${MISSING}`, NOT_FOUND],
    ['pg_catalog.pg_shadow', () => `SELECT * FROM pg_catalog.pg_shadow`, INVALID, /pg_shadow/],
    ['pg_shadow unqualified', () => `SELECT usename, passwd FROM pg_shadow`, INVALID, /line 1:/],
    ['pg_authid in a sub-query', () => `SELECT * FROM (SELECT * FROM pg_authid) x`, INVALID],
    ['information_schema', () => `SELECT * FROM information_schema.tables`, INVALID],
    ['a catalog in EXISTS', () => `SELECT eventId FROM ${A} WHERE EXISTS (SELECT 1 FROM pg_class)`, INVALID],
    ['the lake table itself', () => `SELECT * FROM lake_events`, INVALID],
    ['the lake table schema-qualified', () => `SELECT * FROM public.lake_events`, INVALID],
    ['the query table', () => `SELECT * FROM lake_queries, ${A}`, INVALID],
    ['UNION with a catalog', () => `SELECT eventId FROM ${A} UNION SELECT usename FROM pg_user`, INVALID],
    ['TABLE shorthand', () => `TABLE lake_events`, INVALID],
    ['DELETE', () => `DELETE FROM ${A}`, INVALID, /Only SELECT/],
    ['UPDATE', () => `UPDATE "${A}" SET eventName = 'x'`, INVALID],
    ['INSERT', () => `INSERT INTO "${A}" (eventId) VALUES ('x')`, INVALID],
    ['DROP TABLE', () => `DROP TABLE lake_events`, INVALID],
    ['CREATE TABLE AS', () => `CREATE TABLE stolen AS SELECT * FROM ${A}`, INVALID],
    ['SELECT INTO', () => `SELECT * INTO stolen FROM ${A}`, INVALID],
    ['TRUNCATE', () => `TRUNCATE lake_events`, INVALID],
    ['two statements', () => `SELECT eventId FROM ${A}; SELECT eventId FROM ${A}`, INVALID, /one statement/],
    ['a statement then DROP', () => `SELECT eventId FROM ${A}; DROP TABLE lake_events`, INVALID],
    ['a comment hiding a second statement', () => `SELECT eventId FROM ${A} /* ; */ ; DELETE FROM lake_events -- the rest`, INVALID],
    ['an unterminated nested comment', () => `SELECT eventId FROM ${A} /* /* */ ; DELETE FROM lake_events`, INVALID],
    ['a string-closing injection', () => `SELECT eventId FROM ${A} WHERE eventName = ''; DELETE FROM lake_events; --'`, INVALID],
    ['pg_sleep', () => `SELECT pg_sleep(10) FROM ${A}`, INVALID, /line 1:8: Function 'pg_sleep' not registered/],
    ['pg_read_file', () => `SELECT pg_read_file('/etc/passwd') FROM ${A}`, INVALID, /pg_read_file/],
    ['pg_ls_dir', () => `SELECT eventId FROM ${A} WHERE pg_ls_dir('.') IS NOT NULL`, INVALID],
    ['lo_import', () => `SELECT lo_import('/etc/passwd') FROM ${A}`, INVALID],
    ['lo_export', () => `SELECT lo_export(1, '/tmp/x') FROM ${A}`, INVALID],
    ['set_config', () => `SELECT set_config('role', 'postgres', false) FROM ${A}`, INVALID],
    ['current_setting', () => `SELECT current_setting('opentrail.lake_query_stores') FROM ${A}`, INVALID],
    ['dblink', () => `SELECT * FROM ${A} WHERE dblink('dbname=postgres', 'select 1') IS NULL`, INVALID],
    ['COPY TO a file', () => `COPY lake_events TO '/tmp/lake.csv'`, INVALID],
    ['COPY TO PROGRAM', () => `COPY (SELECT 1) TO PROGRAM 'id'`, INVALID],
    ['pg_terminate_backend', () => `SELECT pg_terminate_backend(pid) FROM ${A}`, INVALID],
    ['a schema-qualified allowed function', () => `SELECT pg_catalog.lower(eventName) FROM ${A}`, INVALID],
    ['the lake_fn schema directly', () => `SELECT lake_fn.scalar(eventName) FROM ${A}`, INVALID],
    ['current_user', () => `SELECT current_user FROM ${A}`, INVALID],
    ['SET ROLE', () => `SET ROLE postgres`, INVALID],
    ['RESET ROLE then SELECT', () => `RESET ROLE; SELECT * FROM ${A}`, INVALID],
    ['DO block', () => `DO $$ BEGIN PERFORM pg_sleep(1); END $$`, INVALID],
    ['EXPLAIN ANALYZE', () => `EXPLAIN ANALYZE SELECT * FROM ${A}`, INVALID],
    ['FOR UPDATE', () => `SELECT eventId FROM ${A} FOR UPDATE`, INVALID],
    ['a regclass cast', () => `SELECT CAST('pg_authid' AS regclass) FROM ${A}`, INVALID, /regclass/],
    ['a :: cast to regproc', () => `SELECT 'pg_sleep'::regproc FROM ${A}`, INVALID],
    ['a regex operator', () => `SELECT eventId FROM ${A} WHERE eventName ~ '(a+)+$'`, INVALID],
    ['a bind parameter', () => `SELECT $1 FROM ${A}`, INVALID],
    ['row_to_json of the raw row', () => `SELECT row_to_json(t) FROM ${A} t`, INVALID],
    ['the internal record column', () => `SELECT record FROM ${A}`, INVALID, /cannot be resolved/],
    ['the internal account column', () => `SELECT a.store_account_id FROM ${A} a`, INVALID],
    ['the internal store column', () => `SELECT event_data_store_id FROM ${A}`, INVALID],
    ['TABLESAMPLE', () => `SELECT * FROM ${A} TABLESAMPLE SYSTEM (10)`, INVALID],
    ['generate_series as a table', () => `SELECT * FROM generate_series(1, 1000000000) g(x), ${A}`, INVALID],
    [
      'a recursive CTE',
      () => `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r, ${A}`,
      INVALID,
      /Recursive/,
    ],
    [
      'too many joined relations',
      () => `SELECT count(*) FROM ${Array.from({ length: 9 }, (_, i) => `${A} t${i}`).join(', ')}`,
      INVALID,
      /at most 8/,
    ],
    // Issue 11 §2: WITH queries are inlined, so each reference counts what its body reads.
    [
      'a 16-way product built from WITH queries',
      () => `WITH c1 AS (SELECT a.eventId FROM ${A} a, ${A} b), c2 AS (SELECT x.eventId FROM c1 x, c1 y),
      c3 AS (SELECT x.eventId FROM c2 x, c2 y) SELECT count(*) FROM c3 x, c3 y`,
      INVALID,
      /line 2:42: A query may join at most 8 relations\. .*'c2' reads 7/,
    ],
    [
      'a WITH query read again in a sub-query',
      () => `WITH c AS (SELECT a.eventId FROM ${A} a, ${A} b, ${A} c, ${A} d, ${A} e)
      SELECT count(*) FROM c WHERE EXISTS (SELECT 1 FROM c y)`,
      INVALID,
      /at most 8 relations/,
    ],
    // Issue 11 §2: no whole-row value and no internal column, whatever is in scope.
    [
      'the whole internal row through two derived tables',
      () => `SELECT (SELECT CAST(a AS varchar) FROM (SELECT eventId FROM ${A}) x, (SELECT eventId FROM ${A}) y
      LIMIT 1) AS leaked FROM ${A} a LIMIT 1`,
      INVALID,
      /line 1:21: 'a' is a table, not a column/,
    ],
    [
      'store_account_id as a correlated name',
      () => `SELECT (SELECT store_account_id FROM (SELECT eventId FROM ${A}) x, (SELECT eventId FROM ${A}) y LIMIT 1) FROM ${A} a`,
      INVALID,
      /Column 'store_account_id' cannot be resolved/,
    ],
    [
      'a filter on store_account_id',
      () =>
        `SELECT x.eventId FROM ${A} a, (SELECT eventId FROM ${A}) x, (SELECT eventId FROM ${A}) y WHERE store_account_id = '${'1'.repeat(12)}'`,
      INVALID,
      /cannot be resolved/,
    ],
    [
      'event_data_store_id in ORDER BY',
      () => `SELECT x.eventId FROM ${A} a, (SELECT eventId FROM ${A}) x, (SELECT eventId FROM ${A}) y ORDER BY event_data_store_id`,
      INVALID,
      /cannot be resolved/,
    ],
    [
      'a whole row of a derived table',
      () => `SELECT CAST(x AS varchar) FROM (SELECT eventId FROM ${A}) x, (SELECT eventName FROM ${A}) y`,
      INVALID,
      /'x' is a table/,
    ],
    [
      'a whole row in a LATERAL sub-query',
      () => `SELECT t.v FROM ${A} a, LATERAL (SELECT CAST(a AS varchar) AS v FROM (SELECT 1 AS k) x, (SELECT 2 AS j) y) t`,
      INVALID,
      /'a' is a table/,
    ],
    [
      'a whole row through UNNEST',
      () => `SELECT u.v FROM ${A} a, (SELECT 1 AS p) x, (SELECT 2 AS q) y CROSS JOIN UNNEST(ARRAY[CAST(a AS varchar)]) AS u(v)`,
      INVALID,
      /'a' is a table/,
    ],
    [
      'a whole row in a UNION arm',
      () => `SELECT eventId FROM ${A} UNION SELECT (SELECT CAST(a AS varchar) FROM (SELECT 1 AS k) x, (SELECT 2 AS j) y) FROM ${A} a`,
      INVALID,
      /'a' is a table/,
    ],
    ['to_json of a row', () => `SELECT to_json(a) FROM ${A} a`, INVALID, /to_json/],
    ['ROW(...)', () => `SELECT ROW(a.eventId, a.eventName) FROM ${A} a`, INVALID, /RowExpr/],
    [
      'an aggregate of a whole row',
      () => `SELECT array_agg(a) FROM ${A} a, (SELECT 1 AS k) x, (SELECT 2 AS j) y`,
      INVALID,
      /'a' is a table/,
    ],
    // Issue 11 §2: deep input is refused by the compiler, never a stack overflow (InternalFailure).
    [
      'NOT ×2400',
      () => `SELECT eventId FROM ${A} WHERE ${'NOT '.repeat(2400)}TRUE`,
      INVALID,
      /^line 1:\d+: The query nests sub-queries or expressions more than 200 levels deep/,
    ],
    [
      'a 3000-term sum',
      () => `SELECT eventId FROM ${A} WHERE 1 = ${Array.from({ length: 3000 }, () => '1').join('+')}`,
      INVALID,
      /more than 200 levels deep/,
    ],
    [
      '1300 nested function calls',
      () => `SELECT ${'lower('.repeat(1300)}eventName${')'.repeat(1300)} FROM ${A}`,
      INVALID,
      /more than 200 levels deep/,
    ],
    [
      '400 nested CASE',
      () => `SELECT ${'CASE WHEN TRUE THEN '.repeat(400)}1${' END'.repeat(400)} FROM ${A}`,
      INVALID,
      /more than 200 levels deep/,
    ],
    [
      '1000 nested scalar sub-queries',
      () => `SELECT eventId FROM ${A} WHERE eventId = ${'(SELECT '.repeat(1000)}'x'${')'.repeat(1000)}`,
      INVALID,
      /more than 200 levels deep/,
    ],
    ['a 4500-step struct path', () => `SELECT userIdentity${'.a'.repeat(4500)} FROM ${A}`, INVALID, /more than 200 levels deep/],
    ['600 chained UNIONs', () => `SELECT eventId FROM ${A}${' UNION SELECT 1'.repeat(600)}`, INVALID, /more than 200 levels deep/],
    ['101 stars (3 333 columns)', () => `SELECT ${'*,'.repeat(100)}* FROM ${A}`, INVALID, /at most 1000 columns/],
    // Errors PostgreSQL finds while planning (constants are folded then) are the statement's, never InternalFailure.
    ['a 7-dimensional constant array', () => `SELECT ${'ARRAY['.repeat(7)}1${']'.repeat(7)} FROM ${A}`, INVALID, /at most 6 dimensions/],
    ['chr(0), folded while planning', () => `SELECT chr(0) FROM ${A}`, INVALID, /null character not permitted/],
    ['INTERVAL', () => `SELECT eventId FROM ${A} WHERE eventTime > now() - INTERVAL '1' DAY`, INVALID],
    ['no data store at all', () => `SELECT version()`, INVALID],
    ['VALUES', () => `VALUES (1)`, INVALID],
    ['PREPARE', () => `PREPARE p AS SELECT * FROM ${A}`, INVALID],
    ['LISTEN', () => `LISTEN lake`, INVALID],
    ['a statement over 10 000 characters', () => `SELECT eventId FROM ${A} WHERE eventName = '${'x'.repeat(10_000)}'`, INVALID],
    ['a syntax error', () => `SELECT FROM WHERE ${A}`, INVALID, /line 1:/],
  ];

  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  // Rest parameters: a fourth declared parameter would make jest treat it as a done callback.
  it.each(cases)('%s', async (...row) => {
    const [, statement, code, message] = row as Case;
    const before = await fingerprint();
    const err = await qError(app, 'startQuery', { queryStatement: statement() }, admin);
    expect({ code: err.code }).toEqual({ code });
    if (message) expect(err.message).toMatch(message);
    expect(err.message).not.toMatch(/SecretThing|c-secret/);
    const after = await fingerprint();
    expect(after).toBe(before);
  });

  it('long but shallow statements still run: 500 ORs, 3000 parentheses, WITH queries and derived tables within the limits', async () => {
    const ors = await runStatement(
      app,
      admin,
      `SELECT count(*) AS n FROM ${A} WHERE ${Array.from({ length: 500 }, (_, i) => `eventId='a-${i}'`).join(' OR ')}`,
    );
    expect(ors.status).toBe('FINISHED');
    expect(await allRows(app, admin, ors.queryId)).toEqual([[{ n: '200' }]]);
    const parens = await runStatement(app, admin, `SELECT eventId FROM ${A} WHERE ${'('.repeat(3000)}eventId = 'a-7'${')'.repeat(3000)}`);
    expect(await allRows(app, admin, parens.queryId)).toEqual([[{ eventId: 'a-7' }]]);
    const derived = await runStatement(
      app,
      admin,
      `WITH c AS (SELECT a.eventId, b.eventName FROM ${A} a JOIN ${A} b ON a.eventId = b.eventId)
      SELECT x.*, y.n FROM c x, (SELECT eventId AS id, count(*) AS n FROM ${A} GROUP BY eventId) y WHERE x.eventId = 'a-3' AND y.id = x.eventId`,
    );
    expect(derived.status).toBe('FINISHED');
    expect(await allRows(app, admin, derived.queryId)).toEqual([[{ eventId: 'a-3' }, { eventName: 'CreateBucket' }, { n: '1' }]]);
  });

  it('t.* of a derived table or a WITH query, and a correlated sub-query, yield only schema columns', async () => {
    const star = await runStatement(
      app,
      admin,
      `WITH c AS (SELECT * FROM ${A} WHERE eventId = 'a-1')
      SELECT t.*, (SELECT count(*) FROM (SELECT eventId FROM ${A}) x, (SELECT eventId AS id FROM ${A}) y WHERE x.eventId = t.eventid AND y.id = x.eventId) AS n
      FROM (SELECT * FROM c) t`,
    );
    expect(star.status).toBe('FINISHED');
    const [row] = await allRows(app, admin, star.queryId);
    expect(row.map((cell) => Object.keys(cell)[0])).toEqual([...STAR_COLUMNS, 'n']);
    expect(row[row.length - 1]).toEqual({ n: '1' });
    expect(JSON.stringify(row)).not.toContain(A);
  });

  it('a huge cartesian product within the join limit is stopped by the statement timeout and reads only its own store', async () => {
    const { queryId } = await qCall(
      app,
      'startQuery',
      { queryStatement: `SELECT count(*) FROM ${A} a, ${A} b, ${A} c, ${A} d, ${A} e` },
      admin,
    );
    expect(await app.services.lakeQueries.run(queryId)).toBe('TIMED_OUT');
    const { rows } = await app.db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1`, [`lake-query:${queryId}`]);
    expect(rows).toHaveLength(0);
  });
  // The reader role behind the compiler (statements sent straight to the reader connection):
  // test/e2e/lake-reader-role.test.ts.
});
