import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { createStore, lakeEvent, qCall, qError, seed } from '../helpers/lake-query';
import type { LakeSession } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

const INVALID = 'InvalidQueryStatementException';
const NOT_FOUND = 'EventDataStoreNotFoundException';

/**
 * Hostile Lake statements (issue 5 §3): each is refused with a CloudTrail error code that points
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
    await seed(app, A, app.admin.accountId, Array.from({ length: 200 }, (_, i) => lakeEvent({ eventID: `a-${i}` })));
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
    ["another tenant's data store in a sub-query", () => `SELECT eventName FROM ${A} WHERE eventId IN (SELECT eventId FROM ${C})`, NOT_FOUND],
    ["another tenant's data store in a CTE", () => `WITH x AS (SELECT * FROM ${C}) SELECT eventName FROM x, ${A}`, NOT_FOUND],
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
    ['a recursive CTE', () => `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r, ${A}`, INVALID, /Recursive/],
    ['too many joined relations', () => `SELECT count(*) FROM ${Array.from({ length: 9 }, (_, i) => `${A} t${i}`).join(', ')}`, INVALID, /at most 8/],
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

  it('a huge cartesian product within the join limit is stopped by the statement timeout and reads only its own store', async () => {
    const { queryId } = await qCall(app, 'startQuery', { queryStatement: `SELECT count(*) FROM ${A} a, ${A} b, ${A} c, ${A} d, ${A} e` }, admin);
    expect(await app.services.lakeQueries.run(queryId)).toBe('TIMED_OUT');
    const { rows } = await app.db.pool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1`, [`lake-query:${queryId}`]);
    expect(rows).toHaveLength(0);
  });
  // The reader role behind the compiler (statements sent straight to the reader connection):
  // test/e2e/lake-reader-role.test.ts.
});
