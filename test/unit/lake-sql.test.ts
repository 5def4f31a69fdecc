import { compileLakeQuery, loadLakeSqlParser } from '../../src/lake/sql/lake-sql.compiler';
import { prepareSource, tokenize } from '../../src/lake/sql/source-text';

const A = '0d7c1a2b-1111-2222-3333-444455556666';
const B = '1d7c1a2b-1111-2222-3333-444455556666';

beforeAll(() => loadLakeSqlParser());

const compile = (sql: string) => compileLakeQuery(sql);
const fails = (sql: string): string => {
  try {
    compile(sql);
  } catch (err) {
    expect((err as { code: string }).code).toBe('InvalidQueryStatementException');
    return (err as Error).message;
  }
  throw new Error(`compiled: ${sql}`);
};

describe('source text (bare data store ids)', () => {
  it('quotes UUIDs in code, never inside strings, quoted identifiers or comments', () => {
    const s = prepareSource(`SELECT '${A}' FROM ${A} -- ${B}\n/* ${B} */ WHERE "${B}" = 1`);
    expect(s.rewritten).toBe(`SELECT '${A}' FROM "${A}" -- ${B}\n/* ${B} */ WHERE "${B}" = 1`);
    expect(tokenize(`a 'b''c' "d""e" -- f\n/* /* g */ */ $$h$$`).map((t) => t.kind))
      .toEqual(['code', 'space', 'string', 'space', 'quoted', 'space', 'comment', 'space', 'comment', 'space', 'string']);
  });

  it('maps error positions back to the text the caller wrote', () => {
    expect(fails(`SELECT eventId FROM ${A} WHERE\n  pg_sleep(1) > 0`)).toMatch(/^line 2:3: Function 'pg_sleep' not registered/);
    expect(fails(`SELECT eventId FROM ${A} WHERE nosuch = 1`)).toMatch(/^line 1:64: Column 'nosuch' cannot be resolved/);
  });
});

describe('compile', () => {
  it('maps promoted columns to lake_events columns and the rest to record paths', () => {
    const c = compile(`SELECT eventName, userIdentity.arn, userIdentity.sessionContext.sessionIssuer.arn, requestParameters['bucketName'], apiVersion
      FROM ${A} WHERE eventTime > '2024-01-01 00:00:00' GROUP BY 1, 2, 3, 4, 5`);
    expect(c.storeIds).toEqual([A]);
    expect(c.columns).toEqual(['eventName', 'arn', 'arn', '_col3', 'apiVersion']);
    expect(c.sql).toContain(`"${A}".event_name AS "eventName"`);
    expect(c.sql).toContain(`"${A}".user_identity_arn AS "arn"`);
    expect(c.sql).toContain(`("${A}".record -> 'userIdentity' -> 'sessionContext' -> 'sessionIssuer' ->> 'arn')`);
    expect(c.sql).toContain(`->> 'bucketName'`);
    expect(c.sql).toContain(`->> 'apiVersion'`);
    expect(c.sql).toContain(`WHERE ("${A}".event_time > '2024-01-01 00:00:00')`);
    expect(c.sql).toContain(`FROM (SELECT * FROM public.lake_events WHERE event_data_store_id = '${A}'::uuid) AS "${A}"`);
    expect(c.sql).toContain('GROUP BY 1, 2, 3, 4, 5');
  });

  it('prints literals quoted by the printer and functions schema-qualified', () => {
    const c = compile(`SELECT count(*), element_at(requestParameters, 'it''s'), lower(eventName) FROM ${A} WHERE eventName = 'a''; DROP TABLE x; --'`);
    expect(c.sql).toContain(`pg_catalog.count(*)`);
    expect(c.sql).toContain(`lake_fn.element_at(("${A}".record -> 'requestParameters'), 'it''s')`);
    expect(c.sql).toContain(`pg_catalog.lower(`);
    expect(c.sql).toContain(`= 'a''; DROP TABLE x; --'`);
  });

  it('rewrites Trino forms: approx_distinct, count_if, if, UNNEST of resources, set operations', () => {
    expect(compile(`SELECT approx_distinct(eventName), count_if(readOnly) FROM ${A}`).sql)
      .toContain('pg_catalog.count(DISTINCT ');
    expect(compile(`SELECT if(readOnly, 'r', 'w') FROM ${A}`).sql).toContain('CASE WHEN');
    const u = compile(`SELECT r.arn FROM ${A} CROSS JOIN UNNEST(resources) AS r(accountid, type, arn, arnprefix)`);
    expect(u.sql).toContain(`LATERAL lake_fn.unnest(("${A}".record -> 'resources')) AS "r"("e")`);
    expect(u.sql).toContain(`("r"."e" ->> 'ARN')`);
    const set = compile(`SELECT eventId FROM ${A} INTERSECT SELECT eventId FROM ${B} ORDER BY eventId`);
    expect(set.storeIds).toEqual([A, B]);
    expect(set.sql).toMatch(/\) INTERSECT \(.*ORDER BY "eventId"$/);
  });

  it('expands SELECT * to the schema columns', () => {
    const c = compile(`SELECT * FROM ${A}`);
    expect(c.columns.slice(0, 3)).toEqual(['eventversion', 'useridentity', 'eventtime']);
    expect(c.columns).toContain('eventjson');
  });

  it('refuses what the dialect does not allow', () => {
    expect(fails(`SELECT eventName FROM ${A} a JOIN ${B} b ON a.eventId = b.eventId WHERE eventName = 'x'`)).toMatch(/ambiguous/);
    expect(fails(`SELECT eventName FROM ${A} a JOIN ${B} b USING (eventId)`)).toMatch(/USING/);
    expect(fails(`SELECT eventName FROM ${A} WHERE eventName SIMILAR TO 'x'`)).toMatch(/not allowed|Unsupported/);
    expect(fails(`SELECT eventName, row_number() OVER () FROM ${A}`)).toMatch(/Window/);
    expect(fails(`SELECT 1`)).toMatch(/at least one event data store/);
    expect(fails(`SELECT eventName FROM ${A} LIMIT eventName`)).toMatch(/LIMIT/);
    expect(fails('')).toMatch(/1 to 10000/);
  });
});

describe('literals the caller escapes', () => {
  it('prints E-strings and dollar quotes as plain quoted literals', () => {
    const c = compile(`SELECT eventId FROM ${A} WHERE eventName = E'\\x27; DROP TABLE lake_events; --' OR eventName = $q$it's$q$`);
    expect(c.sql).toContain(`= '''; DROP TABLE lake_events; --'`);
    expect(c.sql).toContain(`= 'it''s'`);
  });
});
