import { compileLakeQuery, loadLakeSqlParser, MAX_NESTING_DEPTH, MAX_RESULT_COLUMNS } from '../../src/lake/sql/lake-sql.compiler';
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
    expect(tokenize(`a 'b''c' "d""e" -- f\n/* /* g */ */ $$h$$`).map((t) => t.kind)).toEqual([
      'code',
      'space',
      'string',
      'space',
      'quoted',
      'space',
      'comment',
      'space',
      'comment',
      'space',
      'string',
    ]);
  });

  it('maps error positions back to the text the caller wrote', () => {
    expect(fails(`SELECT eventId FROM ${A} WHERE\n  pg_sleep(1) > 0`)).toMatch(/^line 2:3: Function 'pg_sleep' not registered/);
    expect(fails(`SELECT eventId FROM ${A} WHERE nosuch = 1`)).toMatch(/^line 1:64: Column 'nosuch' cannot be resolved/);
  });
});

describe('compile', () => {
  it('maps promoted columns to lake_events columns and the rest to record paths', () => {
    const c =
      compile(`SELECT eventName, userIdentity.arn, userIdentity.sessionContext.sessionIssuer.arn, requestParameters['bucketName'], apiVersion
      FROM ${A} WHERE eventTime > '2024-01-01 00:00:00' GROUP BY 1, 2, 3, 4, 5`);
    expect(c.storeIds).toEqual([A]);
    expect(c.columns).toEqual(['eventName', 'arn', 'arn', '_col3', 'apiVersion']);
    expect(c.sql).toContain(`"${A}".event_name AS "eventName"`);
    expect(c.sql).toContain(`"${A}".user_identity_arn AS "arn"`);
    expect(c.sql).toContain(`("${A}".record -> 'userIdentity' -> 'sessionContext' -> 'sessionIssuer' ->> 'arn')`);
    expect(c.sql).toContain(`->> 'bucketName'`);
    expect(c.sql).toContain(`->> 'apiVersion'`);
    expect(c.sql).toContain(`WHERE ("${A}".event_time > '2024-01-01 00:00:00')`);
    expect(c.sql).toContain(`, record FROM public.lake_events WHERE event_data_store_id = '${A}'::uuid) AS "${A}"`);
    expect(c.sql).toMatch(/FROM \(SELECT event_version, .*event_name, .*record FROM public\.lake_events/);
    expect(c.sql).not.toMatch(/store_account_id|event_data_store_id,|ingested_at|SELECT \*/);
    expect(c.sql).toContain('GROUP BY 1, 2, 3, 4, 5');
  });

  it('prints literals quoted by the printer and functions schema-qualified', () => {
    const c = compile(
      `SELECT count(*), element_at(requestParameters, 'it''s'), lower(eventName) FROM ${A} WHERE eventName = 'a''; DROP TABLE x; --'`,
    );
    expect(c.sql).toContain(`pg_catalog.count(*)`);
    expect(c.sql).toContain(`lake_fn.element_at(NULLIF(("${A}".record -> 'requestParameters'), 'null'::jsonb), 'it''s')`);
    expect(c.sql).toContain(`pg_catalog.lower(`);
    expect(c.sql).toContain(`= 'a''; DROP TABLE x; --'`);
  });

  it('rewrites Trino forms: approx_distinct, count_if, if, UNNEST of resources, set operations', () => {
    expect(compile(`SELECT approx_distinct(eventName), count_if(readOnly) FROM ${A}`).sql).toContain('pg_catalog.count(DISTINCT ');
    expect(compile(`SELECT if(readOnly, 'r', 'w') FROM ${A}`).sql).toContain('CASE WHEN');
    const u = compile(`SELECT r.arn FROM ${A} CROSS JOIN UNNEST(resources) AS r(accountid, type, arn, arnprefix)`);
    expect(u.sql).toContain(`LATERAL lake_fn.unnest(NULLIF(("${A}".record -> 'resources'), 'null'::jsonb)) AS "r"("e")`);
    expect(u.sql).toContain(`("r"."e" ->> 'ARN')`);
    const set = compile(`SELECT eventId FROM ${A} INTERSECT SELECT eventId FROM ${B} ORDER BY eventId`);
    expect(set.storeIds).toEqual([A, B]);
    expect(set.sql).toMatch(/\) INTERSECT \(.*ORDER BY "eventId" NULLS LAST$/);
  });

  it('expands SELECT * to the schema columns', () => {
    const c = compile(`SELECT * FROM ${A}`);
    expect(c.columns.slice(0, 3)).toEqual(['eventversion', 'useridentity', 'eventtime']);
    expect(c.columns).toContain('eventjson');
  });

  it('wraps a call followed by a field so the grammar takes it, keeping error positions', () => {
    expect(compile(`SELECT element_at(resources, 1).arn FROM ${A}`).sql).toContain(`'ARN'`);
    expect(fails(`SELECT element_at(resources, 1).arn, lower(eventName).x, nosuch FROM ${A}`)).toMatch(/^line 1:58: Column 'nosuch'/);
    expect(compile(`SELECT 'f(x).y' AS s FROM ${A} -- g(x).y`).sql).toContain(`'f(x).y'`);
  });

  it('refuses what the dialect does not allow', () => {
    expect(fails(`SELECT eventName FROM ${A} a JOIN ${B} b ON a.eventId = b.eventId WHERE eventName = 'x'`)).toMatch(/ambiguous/);
    expect(fails(`SELECT eventName FROM ${A} a JOIN ${B} b USING (eventId)`)).toMatch(/USING/);
    expect(fails(`SELECT eventName FROM ${A} WHERE eventName SIMILAR TO 'x'`)).toMatch(/not allowed|Unsupported/);
    expect(fails(`SELECT eventName, row_number() FROM ${A}`)).toMatch(/requires an OVER clause/);
    expect(fails(`SELECT CAST(requestParameters AS map(bigint, json)) FROM ${A}`)).toMatch(/map\(varchar, <type>\)/);
    expect(fails(`SELECT CAST(resources AS array(pg_class)) FROM ${A}`)).toMatch(/array\(<type>\)/);
    expect(fails(`SELECT CAST(resources AS array(varchar)), nosuch FROM ${A}`)).toMatch(/^line 1:43: Column 'nosuch'/);
    expect(fails(`SELECT transform(split(eventName, ','), (a, b) -> a) FROM ${A}`)).toMatch(/lambda of one parameter/);
    expect(fails(`SELECT filter(split(eventName, ','), 'x') FROM ${A}`)).toMatch(/lambda of one parameter/);
    expect(fails(`SELECT eventName -> 'x' FROM ${A}`)).toMatch(/Operator -> is not allowed/);
    expect(fails(`SELECT lower(eventName) OVER () FROM ${A}`)).toMatch(/takes no OVER clause/);
    expect(fails(`SELECT rank() OVER w FROM ${A} WINDOW w AS (ORDER BY eventTime)`)).toMatch(/Named windows/);
    expect(fails(`SELECT sum(1) OVER (ORDER BY eventTime ROWS BETWEEN eventName PRECEDING AND CURRENT ROW) FROM ${A}`)).toMatch(
      /frame offset/,
    );
    expect(fails(`SELECT 1`)).toMatch(/at least one event data store/);
    expect(fails(`SELECT eventName FROM ${A} LIMIT eventName`)).toMatch(/LIMIT/);
    expect(fails(`SELECT ${'ARRAY['.repeat(7)}1${']'.repeat(7)} FROM ${A}`)).toMatch(/^line 1:8: An array may have at most 6 dimensions/);
    expect(compile(`SELECT ${'ARRAY['.repeat(6)}1${']'.repeat(6)}, ARRAY[ARRAY[1], ARRAY[2]] FROM ${A}`).sql).toContain(
      'ARRAY[ARRAY[1], ARRAY[2]]',
    );
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

describe('relations are counted as PostgreSQL reads them (WITH queries inlined)', () => {
  it('refuses a product that WITH queries multiply past the limit', () => {
    const issue = `WITH c1 AS (SELECT a.eventId FROM ${A} a, ${A} b), c2 AS (SELECT x.eventId FROM c1 x, c1 y),
      c3 AS (SELECT x.eventId FROM c2 x, c2 y) SELECT count(*) FROM c3 x, c3 y`;
    // c1 is read as 3 relations (itself and two stores), c2 as 7: c3 would read 14, the statement 30
    expect(fails(issue)).toMatch(
      /^line 2:42: A query may join at most 8 relations\. Each reference to a WITH query counts the relations it reads \('c2' reads 7\)/,
    );
    // a sub-query reading a WITH query counts the same
    expect(
      fails(
        `WITH c AS (SELECT a.eventId FROM ${A} a, ${A} b, ${A} c, ${A} d, ${A} e) SELECT count(*) FROM c x WHERE EXISTS (SELECT 1 FROM c y)`,
      ),
    ).toMatch(/at most 8 relations.*'c' reads 6/);
    expect(
      fails(
        `WITH c AS (SELECT a.eventId FROM ${A} a, ${A} b, ${A} c) SELECT eventId FROM c UNION ALL SELECT eventId FROM c UNION ALL SELECT eventId FROM c`,
      ),
    ).toMatch(/at most 8 relations/);
  });

  it('counts a long doubling chain without expanding it', () => {
    const ctes = [`c0 AS (SELECT eventId FROM ${A})`];
    for (let i = 1; i <= 60; i++) ctes.push(`c${i} AS (SELECT x.eventId FROM c${i - 1} x, c${i - 1} y)`);
    // 2^60 relations: counting by expansion would not end within the test's timeout
    expect(fails(`WITH ${ctes.join(', ')} SELECT count(*) FROM c60`)).toMatch(/at most 8 relations.*'c1' reads 5/);
  });

  it('still compiles WITH queries within the limit, and does not count one nothing reads', () => {
    expect(compile(`WITH c AS (SELECT a.eventId FROM ${A} a, ${A} b) SELECT count(*) FROM c x, c y, ${A} e, ${A} f`).storeIds).toEqual([A]);
    expect(fails(`WITH c AS (SELECT a.eventId FROM ${A} a, ${A} b) SELECT count(*) FROM c x, c y, ${A} e, ${A} f, ${A} g`)).toMatch(
      /at most 8/,
    );
    compile(`WITH unused AS (SELECT a.eventId FROM ${A} a, ${A} b, ${A} c, ${A} d, ${A} e), c AS (SELECT eventId FROM ${A})
      SELECT count(*) FROM c x, c y, c z, c w`);
    // a WITH query inside a WITH query is charged where its outer query is read
    const nested = `WITH o AS (WITH i AS (SELECT a.eventId FROM ${A} a, ${A} b) SELECT x.eventId FROM i x, i y) SELECT count(*) FROM o x`;
    compile(nested);
    expect(fails(`${nested}, o y`)).toMatch(/at most 8 relations.*'o' reads 7/);
    // WITH queries reading WITH queries: each level is a sub-query, so the chain cannot nest deeply once inlined
    const chain = Array.from({ length: 250 }, (_, i) => (i === 0 ? `c0 AS (SELECT 1 AS k)` : `c${i} AS (SELECT x.k FROM c${i - 1} x)`));
    expect(fails(`WITH ${chain.join(', ')} SELECT c.k FROM c249 c, ${A}`)).toMatch(/at most 8 relations.*'c8' reads 9/);
  });
});

describe('every compiled column is qualified and known', () => {
  it('refuses whole-row references of a table alias, with any number of derived tables in scope', () => {
    const issue = `SELECT (SELECT CAST(a AS varchar) FROM (SELECT eventId FROM ${A}) x, (SELECT eventId FROM ${A}) y LIMIT 1) AS leaked FROM ${A} a LIMIT 1`;
    expect(fails(issue)).toMatch(/^line 1:21: 'a' is a table, not a column/);
    expect(fails(`SELECT CAST(a AS varchar) FROM ${A} a`)).toMatch(/'a' is a table/);
    expect(fails(`SELECT CAST(x AS varchar) FROM (SELECT eventId FROM ${A}) x`)).toMatch(/'x' is a table/);
    expect(fails(`SELECT CAST(x AS varchar) FROM (SELECT eventId FROM ${A}) x, (SELECT eventId FROM ${A}) y`)).toMatch(/'x' is a table/);
    expect(fails(`SELECT lower(CAST(c AS varchar)) FROM (WITH c AS (SELECT eventId FROM ${A}) SELECT eventId FROM c) c`)).toMatch(
      /'c' is a table/,
    );
    expect(fails(`SELECT array_agg(a) FROM ${A} a`)).toMatch(/'a' is a table/);
    expect(fails(`SELECT count(a.*) FROM ${A} a`)).toMatch(/Unsupported use of \*/);
    expect(fails(`SELECT ROW(a.eventId) FROM ${A} a`)).toMatch(/Unsupported expression: RowExpr/);
    expect(fails(`SELECT to_json(a) FROM ${A} a`)).toMatch(/to_json/);
  });

  it('refuses internal columns in every position, correlated or not', () => {
    const two = `(SELECT eventId FROM ${A}) x, (SELECT eventId FROM ${A}) y`;
    for (const sql of [
      `SELECT (SELECT store_account_id FROM ${two} LIMIT 1) FROM ${A} a`,
      `SELECT x.eventid FROM ${A} a, ${two} WHERE store_account_id = '111122223333'`,
      `SELECT x.eventid FROM ${A} a, ${two} ORDER BY event_data_store_id`,
      `SELECT x.eventid FROM ${A} a, ${two} GROUP BY ingested_at`,
      `SELECT eventId FROM ${A} a WHERE EXISTS (SELECT 1 FROM ${two} WHERE a.store_account_id = '1')`,
      `SELECT x.store_account_id FROM (SELECT * FROM ${A}) x`,
      `SELECT record FROM (SELECT eventId FROM ${A}) x, (SELECT eventName FROM ${A}) y`,
      `SELECT eventId FROM ${A} UNION ALL SELECT store_account_id FROM ${two}`,
      `SELECT t.v FROM ${A} a, LATERAL (SELECT event_data_store_id AS v FROM ${two}) t`,
    ])
      expect(fails(sql)).toMatch(/cannot be resolved/);
  });

  it('refuses a whole row through UNNEST, LATERAL and set operations', () => {
    expect(
      fails(`SELECT u.v FROM ${A} a, (SELECT 1 AS p) x, (SELECT 2 AS q) y CROSS JOIN UNNEST(ARRAY[CAST(a AS varchar)]) AS u(v)`),
    ).toMatch(/'a' is a table/);
    expect(fails(`SELECT t.v FROM ${A} a, LATERAL (SELECT CAST(a AS varchar) AS v FROM (SELECT 1 AS k) x, (SELECT 2 AS j) y) t`)).toMatch(
      /'a' is a table/,
    );
    expect(
      fails(`SELECT eventId FROM ${A} UNION SELECT (SELECT CAST(a AS varchar) FROM (SELECT 1 AS k) x, (SELECT 2 AS j) y) FROM ${A} a`),
    ).toMatch(/'a' is a table/);
  });

  it('resolves the columns of derived tables and WITH queries, qualified', () => {
    const c = compile(`SELECT x.eventName, n, y.* FROM (SELECT eventName, count(*) AS n FROM ${A} GROUP BY eventName) x,
      (SELECT userIdentity, eventId AS id FROM ${A}) y WHERE y.userIdentity.arn LIKE 'arn:%'`);
    expect(c.columns).toEqual(['eventName', 'n', 'userIdentity', 'id']);
    expect(c.sql).toMatch(
      /^SELECT "x"\."eventname" AS "eventName", "x"\."n" AS "n", "y"\."useridentity" AS "userIdentity", "y"\."id" AS "id" FROM/,
    );
    expect(c.sql).toContain(`WHERE (lake_fn.scalar(NULLIF(("y"."useridentity" -> 'arn'), 'null'::jsonb)) LIKE 'arn:%')`);
    const w = compile(`WITH c AS (SELECT eventId, eventName FROM ${A}) SELECT * FROM c WHERE eventName = 'x'`);
    expect(w.columns).toEqual(['eventId', 'eventName']);
    expect(w.sql).toContain(
      `SELECT "c"."eventid" AS "eventId", "c"."eventname" AS "eventName" FROM "c" AS "c" WHERE ("c"."eventname" = 'x')`,
    );
    expect(fails(`SELECT x.nosuch FROM (SELECT eventId FROM ${A}) x`)).toMatch(/Column 'x\.nosuch' cannot be resolved/);
  });

  it('gives duplicate names of a derived table distinct printed names and refuses them as ambiguous', () => {
    const c = compile(`SELECT * FROM (SELECT a.eventId, b.eventId FROM ${A} a, ${A} b) x`);
    expect(c.sql).toContain(`"x"."eventid" AS "eventId", "x"."eventid#2" AS "eventId"`);
    expect(fails(`SELECT x.eventId FROM (SELECT a.eventId, b.eventId FROM ${A} a, ${A} b) x`)).toMatch(/ambiguous/);
    expect(fails(`SELECT eventId FROM (SELECT eventId FROM ${A}) x, (SELECT eventId FROM ${A}) y`)).toMatch(/ambiguous/);
    expect(fails(`SELECT count(*) FROM ${A} a, ${B} a`)).toMatch(/used twice/);
  });
});

describe('what a statement costs to compile and print is bounded by its length', () => {
  it('prints each part once: nested count_if … FILTER is linear, not exponential', () => {
    const nest = (n: number): string => (n === 0 ? 'TRUE' : `(SELECT count_if(TRUE) FILTER (WHERE ${nest(n - 1)}) > 0)`);
    const c = compile(`SELECT count_if(TRUE) FILTER (WHERE ${nest(16)}) FROM ${A}`);
    expect(c.sql.length).toBeLessThan(20_000); // 2^16 copies before
  });

  it('refuses select lists past MAX_RESULT_COLUMNS once * is expanded', () => {
    expect(fails(`SELECT ${'*,'.repeat(100)}* FROM ${A}`)).toMatch(
      new RegExp(`^line 1:\\d+: A select list may have at most ${MAX_RESULT_COLUMNS} columns`),
    );
    expect(compile(`SELECT * FROM ${A} a, ${A} b, ${A} c, ${A} d, ${A} e, ${A} f, ${A} g, ${A} h`).columns).toHaveLength(8 * 33);
  });
});

describe('deep statements get a clear error, never a stack overflow', () => {
  const deep = (sql: string) => {
    const message = fails(sql);
    expect(message).toMatch(
      new RegExp(`^line 1:\\d+: The query nests sub-queries or expressions more than ${MAX_NESTING_DEPTH} levels deep\\.$`),
    );
    return message;
  };
  it('refuses NOT chains, operator chains, nested calls, CASE, sub-queries, set operations and joins past the depth', () => {
    expect(deep(`SELECT eventId FROM ${A} WHERE ${'NOT '.repeat(2400)}TRUE`)).toMatch(/^line 1:\d{3}:/);
    deep(`SELECT eventId FROM ${A} WHERE ${'NOT '.repeat(MAX_NESTING_DEPTH)}TRUE`);
    deep(`SELECT eventId FROM ${A} WHERE 1 = ${Array.from({ length: 3000 }, () => '1').join('+')}`);
    deep(`SELECT ${'lower('.repeat(1300)}eventName${')'.repeat(1300)} FROM ${A}`);
    deep(`SELECT ${'CASE WHEN TRUE THEN '.repeat(400)}1${' END'.repeat(400)} FROM ${A}`);
    deep(`SELECT eventId FROM ${A} WHERE eventId = ${'(SELECT '.repeat(1000)}'x'${')'.repeat(1000)}`);
    deep(`SELECT eventId FROM ${A}${' UNION SELECT 1'.repeat(500)}`);
    deep(`SELECT 1 FROM ${A}${' JOIN x ON TRUE'.repeat(500)}`);
    deep(`SELECT ${"'a' || ".repeat(1200)}'b' FROM ${A}`);
    deep(`SELECT eventId FROM ${A} WHERE TRUE${' IS NULL'.repeat(1100)}`);
    // printed as chains of -> that PostgreSQL's analysis recurses through
    deep(`SELECT userIdentity${'.a'.repeat(4500)} FROM ${A}`);
    deep(`SELECT requestParameters${"['a']".repeat(1800)} FROM ${A}`);
  });

  it('the parser itself copes with the deepest statements the length limit lets through', () => {
    // Past 10 000 characters libpg-query's grammar runs out ("memory exhausted") or the WebAssembly
    // overflows the stack (2 400 nested sub-queries); within it, every form parses and the compiler refuses it.
    const fill = (open: string, mid: string, close: string) => {
      const prefix = `SELECT eventId FROM ${A} WHERE eventId = `;
      const n = Math.floor((9_990 - prefix.length - mid.length) / (open.length + close.length));
      return prefix + open.repeat(n) + mid + close.repeat(n);
    };
    for (const sql of [
      fill('(SELECT ', "'x'", ')'),
      fill('lower(', "'x'", ')'),
      fill('ARRAY[', "'x'", ']'),
      fill('- ', 'length(eventId)', ''),
      fill('1+', '1', ''),
    ]) {
      expect(sql.length).toBeLessThanOrEqual(10_000);
      deep(sql);
    }
  });

  it('accepts what is merely long: parentheses, OR and IN lists, moderate nesting', () => {
    compile(`SELECT eventId FROM ${A} WHERE ${'('.repeat(3000)}eventId = 'x'${')'.repeat(3000)}`);
    compile(`SELECT eventId FROM ${A} WHERE ${Array.from({ length: 500 }, (_, i) => `eventId='a-${i}'`).join(' OR ')}`);
    compile(`SELECT eventId FROM ${A} WHERE eventName IN (${Array.from({ length: 1200 }, (_, i) => `'n${i}'`).join(',')})`);
    compile(`SELECT eventId FROM ${A} WHERE ${'NOT '.repeat(MAX_NESTING_DEPTH - 10)}TRUE`);
    compile(`SELECT ${'lower('.repeat(100)}eventName${')'.repeat(100)} FROM ${A}`);
    compile(`SELECT useridentity.sessioncontext.sessionissuer.arn, requestParameters['a']['b'] FROM ${A}`);
  });
});
