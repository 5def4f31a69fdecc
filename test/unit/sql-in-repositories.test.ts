import fs from 'node:fs';
import path from 'node:path';

/**
 * Hot queries are reviewable in one file per table (STYLE.md habit 8): hand-written SQL and query
 * builders live in `*.repository.ts`. src/db is the infrastructure that runs them (tenant setup,
 * migrations, partitions); src/lake/sql compiles Lake SQL into statements, which the Lake reader
 * and runner plan and run: what they send is the user's query, not a table's. The managed
 * dashboards' widgets are Lake SQL too, compiled like any caller's statement at each refresh.
 */
const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'src');
const EXEMPT_DIRS = ['db', 'lake/sql'].map((d) => path.join(SRC, d) + path.sep);
// Lake SQL handed to users, never sent to PostgreSQL: the sample query catalog (searchSampleQueries) and the
// managed dashboards' widget queries (they run through startQuery, like a user's).
const EXEMPT_FILES = [
  'lake/query/lake-reader.ts',
  'lake/query/lake-query.runner.ts',
  'lake/samples/sample-query.catalog.ts',
  'lake/dashboards/managed-dashboards.ts',
].map((f) => path.join(SRC, f));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

function mustHoldNoSql(file: string): boolean {
  if (file.endsWith('.repository.ts')) return false;
  if (file.split(path.sep).includes('migrations')) return false;
  return !EXEMPT_DIRS.some((d) => file.startsWith(d)) && !EXEMPT_FILES.includes(file);
}

/** A statement that reads or writes rows, keywords in capitals as this codebase writes them. */
const SQL_STATEMENT = /^\s*(?:SELECT\s|INSERT\s+INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|WITH\s+\w+\s+AS\s*\()/;
/**
 * Transaction control is not a table's query: which statements commit together is the caller's
 * rule (delivery commits a log file with its status), so BEGIN / COMMIT / ROLLBACK may stay there.
 */
const TRANSACTION_CONTROL = /^\s*(?:BEGIN|COMMIT|ROLLBACK)\s*$/i;
const LITERAL = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;

function withoutComments(text: string): string {
  // Line breaks are kept so findings name the right line.
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, '')).replace(/^[ \t]*\/\/.*$/gm, '');
}

/** The raw SQL of a source text, one line of evidence per finding. */
export function rawSqlIn(source: string): string[] {
  const text = withoutComments(source);
  const found: string[] = [];
  const lineOf = (index: number) => text.slice(0, index).split('\n').length;
  for (const m of text.matchAll(/\bcreateQueryBuilder\b/g)) found.push(`line ${lineOf(m.index ?? 0)}: createQueryBuilder`);
  for (const m of text.matchAll(LITERAL)) {
    const body = m[0].slice(1, -1);
    if (SQL_STATEMENT.test(body)) found.push(`line ${lineOf(m.index ?? 0)}: ${body.trim().split('\n')[0].slice(0, 80)}`);
  }
  // Any other statement handed to a client or manager as a literal (SET, CREATE, …).
  for (const m of text.matchAll(/\.query\s*(?:<[^()]*?>)?\(\s*('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`)/g)) {
    const body = m[1].slice(1, -1);
    if (!SQL_STATEMENT.test(body) && !TRANSACTION_CONTROL.test(body))
      found.push(`line ${lineOf(m.index ?? 0)}: .query(${m[1].slice(0, 40)}`);
  }
  return found;
}

describe('raw SQL lives in repositories', () => {
  it('no file outside *.repository.ts (src/db, the Lake SQL compiler, reader and runner, and migrations aside) holds raw SQL', () => {
    const offenders = sourceFiles(SRC)
      .filter(mustHoldNoSql)
      .flatMap((f) => rawSqlIn(fs.readFileSync(f, 'utf8')).map((finding) => `${path.relative(ROOT, f)} ${finding}`));
    expect(offenders).toEqual([]);
  });

  it('the scan sees the forms raw SQL takes', () => {
    // Guards the check above against patterns that silently match nothing.
    expect(rawSqlIn("await m.query('SELECT id FROM iam_users WHERE id = $1 FOR UPDATE', [id]);")).toHaveLength(1);
    expect(
      rawSqlIn('const { rows } = await client.query<{ value: string }>(`SELECT value FROM service_settings WHERE name = $1`, [n]);'),
    ).toHaveLength(1);
    expect(
      rawSqlIn('const SQL = `\n  INSERT INTO signing_keys (id) VALUES ($1)`;\nawait pool.query({ name: "x", text: SQL, values: [id] });'),
    ).toHaveLength(1);
    expect(rawSqlIn('await manager.query(`DELETE FROM webhook_dead_letters WHERE rule_id = $1`, [id]);')).toHaveLength(1);
    expect(rawSqlIn("await m.createQueryBuilder(UserEntity, 'u').where('u.id = :id', { id }).getOne();")).toHaveLength(1);
    expect(rawSqlIn('await client.query(`SET LOCAL synchronous_commit = off`);')).toHaveLength(1);
    expect(rawSqlIn("await client.query('BEGIN');\nawait client.query('COMMIT');\nawait client.query('ROLLBACK');")).toEqual([]);
    expect(rawSqlIn("// SELECT id FROM trails: a comment is not SQL\nthrow new Error('Select a trail first');")).toEqual([]);
    expect(rawSqlIn(fs.readFileSync(path.join(SRC, 'trails', 'trail.repository.ts'), 'utf8')).length).toBeGreaterThan(0);
  });
});
