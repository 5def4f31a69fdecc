import { loadModule, parseSync } from 'libpg-query';
import { InvalidQueryStatement } from './lake-sql.errors';
import { LAKE_FUNCTIONS } from './lake-functions';
import { keyFor, LAKE_COLUMNS, LAKE_SOURCE_COLUMNS, STAR_COLUMNS, type LakeType, type StructField } from './lake-schema';
import { DepthGuard, MAX_RESULT_COLUMNS, RelationBudget } from './lake-sql.limits';
import {
  hasColumn,
  locationOf,
  nodeName,
  refName,
  type Cte,
  type FromItem,
  type Node,
  type OutputColumn,
  type Printed,
  type Scope,
  type Typed,
} from './lake-sql.scope';
import { prepareSource, type SourceText } from './source-text';

/**
 * CloudTrail Lake SQL → one PostgreSQL SELECT over `lake_events`.
 *
 * The statement is parsed by PostgreSQL's own parser (libpg-query), and the AST is walked by a
 * printer that knows only the allowed node types: anything it does not know is refused, so the
 * printer *is* the allow-list. Identifiers it prints are its own (schema columns, quoted
 * aliases); literals are printed quoted by it; functions are printed schema-qualified from
 * lake-functions.ts. Nothing of the caller's text is copied into the output.
 *
 * Each event data store reference becomes `(SELECT <schema columns> FROM lake_events WHERE
 * event_data_store_id = '<id>') AS alias`, which PostgreSQL flattens into the outer query, so
 * that a single-store query plans exactly like the hand-written one.
 *
 * Every column reference is printed qualified (`"alias".column`) and only after it resolved to a
 * column the compiler knows: a Lake schema column, a named output of a derived table or WITH
 * query, or an UNNEST column. A bare or unknown name is never printed for PostgreSQL to resolve,
 * so no statement can reach lake_events' internal columns or a whole-row value of an alias.
 */

export const MAX_STATEMENT_LENGTH = 10_000;
export { MAX_NESTING_DEPTH, MAX_RELATIONS, MAX_RESULT_COLUMNS } from './lake-sql.limits';

export interface CompiledLakeQuery {
  sql: string;
  /** the data store ids named in FROM clauses (lower-case, deduplicated, in order) */
  storeIds: string[];
  /** result column names of the outermost select, as CloudTrail returns them */
  columns: string[];
  /**
   * One row (scanned, matched, bytes) measuring what the statement reads, run after it by the
   * same reader connection: each store reference scans every event of its store (bytes are
   * their stored size); it matches the events that pass its SELECT's WHERE when it is that
   * SELECT's only FROM item (not correlated, no WITH query in scope), otherwise all it scans.
   */
  statisticsSql: string;
}

let loaded: Promise<void> | undefined;
/** The parser is WebAssembly: load it once before the first compile. */
export function loadLakeSqlParser(): Promise<void> {
  loaded ??= loadModule();
  return loaded;
}

export function compileLakeQuery(statement: string): CompiledLakeQuery {
  if (statement.length === 0 || statement.length > MAX_STATEMENT_LENGTH) {
    throw new InvalidQueryStatement(`The query statement must be 1 to ${MAX_STATEMENT_LENGTH} characters long.`);
  }
  if (statement.includes('\u0000')) throw new InvalidQueryStatement('The query statement contains a NUL character.');
  return new Compiler(prepareSource(statement)).compile();
}

/** PostgreSQL's MAXDIM: a constant array of more dimensions failed at planning (InternalFailure). */
const MAX_ARRAY_DIMENSIONS = 6;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const OPERATORS = new Set(['=', '<>', '<', '>', '<=', '>=', '+', '-', '*', '/', '%', '||']);
const CAST_TYPES: Record<string, string> = {
  varchar: 'text',
  text: 'text',
  bpchar: 'text',
  char: 'text',
  string: 'text',
  int8: 'bigint',
  bigint: 'bigint',
  int4: 'integer',
  integer: 'integer',
  int: 'integer',
  int2: 'smallint',
  smallint: 'smallint',
  tinyint: 'smallint',
  float8: 'double precision',
  double: 'double precision',
  float4: 'real',
  real: 'real',
  numeric: 'numeric',
  decimal: 'numeric',
  bool: 'boolean',
  boolean: 'boolean',
  date: 'date',
  timestamp: 'timestamptz',
  timestamptz: 'timestamptz',
  json: 'jsonb',
  jsonb: 'jsonb',
};
/** Trino's array functions that take a lambda (`x -> …`); `reduce` is not among them yet. */
const LAMBDA_FUNCTIONS = new Set(['transform', 'filter', 'any_match', 'all_match', 'none_match']);

/** PostgreSQL's window frame option bits (parsenodes.h), as libpg-query reports them. */
const FRAME = {
  NONDEFAULT: 0x1,
  RANGE: 0x2,
  ROWS: 0x4,
  GROUPS: 0x8,
  BETWEEN: 0x10,
  START_UNBOUNDED_PRECEDING: 0x20,
  END_UNBOUNDED_PRECEDING: 0x40,
  START_UNBOUNDED_FOLLOWING: 0x80,
  END_UNBOUNDED_FOLLOWING: 0x100,
  START_CURRENT_ROW: 0x200,
  END_CURRENT_ROW: 0x400,
  START_OFFSET_PRECEDING: 0x800,
  END_OFFSET_PRECEDING: 0x1000,
  START_OFFSET_FOLLOWING: 0x2000,
  END_OFFSET_FOLLOWING: 0x4000,
  EXCLUDE_CURRENT_ROW: 0x8000,
  EXCLUDE_GROUP: 0x10000,
  EXCLUDE_TIES: 0x20000,
  DEFAULTS: 0x2 | 0x20 | 0x400,
};

/**
 * ASC/DESC and null order of a sort key. Trino sorts NULLs last whatever the direction
 * (PostgreSQL puts them first under DESC), so an unstated null order is printed NULLS LAST.
 */
function sortSuffix(sb: Node): string {
  const dir = sb.sortby_dir === 'SORTBY_DESC' ? ' DESC' : sb.sortby_dir === 'SORTBY_ASC' ? ' ASC' : '';
  const nulls = sb.sortby_nulls === 'SORTBY_NULLS_FIRST' ? ' NULLS FIRST' : ' NULLS LAST';
  return dir + nulls;
}

const DATE_FIELDS = new Set([
  'year',
  'quarter',
  'month',
  'week',
  'day',
  'dow',
  'isodow',
  'doy',
  'hour',
  'minute',
  'second',
  'milliseconds',
  'epoch',
]);

export const quoteIdent = (id: string): string => '"' + id.replace(/"/g, '""') + '"';
export const quoteLiteral = (s: string): string => "'" + s.replace(/'/g, "''") + "'";

class Compiler {
  private readonly storeIds: string[] = [];
  /** each store reference, in order, with the count of the events it matches when known */
  private readonly scans: Array<{ storeId: string; matchedSql?: string }> = [];
  private readonly relations: RelationBudget;
  private readonly depth: DepthGuard;
  private unnamedSubqueries = 0;
  private lambdas = 0;

  constructor(private readonly src: SourceText) {
    this.relations = new RelationBudget((node, message) => this.err(node, message));
    this.depth = new DepthGuard((node, message) => this.err(node, message));
  }

  compile(): CompiledLakeQuery {
    let tree: Node;
    try {
      tree = parseSync(this.src.rewritten) as Node;
    } catch (err) {
      const details = (err as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
      const message = details?.message ?? (err as Error).message;
      throw this.src.errorAt(details ? details.cursorPosition - 1 : undefined, message.replace(/^syntax error/, 'mismatched input'));
    }
    const stmts: Node[] = tree.stmts ?? [];
    if (stmts.length !== 1) {
      throw this.src.errorAt(
        stmts[1]?.stmt_location,
        stmts.length === 0 ? 'The query statement is empty.' : 'Only one statement is allowed.',
      );
    }
    const stmt = stmts[0].stmt as Node;
    if (!stmt.SelectStmt) throw this.src.errorAt(0, `Only SELECT statements are allowed (found ${nodeName(stmt)}).`);
    const printed = this.select(stmt.SelectStmt, undefined, new Map(), true);
    if (this.storeIds.length === 0) {
      throw this.src.errorAt(0, 'The query must read at least one event data store: FROM <event data store id>.');
    }
    return { sql: printed.sql, storeIds: [...this.storeIds], columns: printed.labels, statisticsSql: this.statisticsSql() };
  }

  private statisticsSql(): string {
    const refs = new Map<string, number>();
    for (const scan of this.scans) refs.set(scan.storeId, (refs.get(scan.storeId) ?? 0) + 1);
    const values = [...refs].map(([id, n]) => `(${quoteLiteral(id)}::uuid, ${n})`).join(', ');
    const matched = this.scans
      .map(
        (scan) =>
          `(${scan.matchedSql ?? `SELECT pg_catalog.count(*) FROM public.lake_events WHERE event_data_store_id = ${quoteLiteral(scan.storeId)}::uuid`})`,
      )
      .join(' + ');
    return (
      `SELECT CAST(COALESCE(pg_catalog.sum(c.n * k.refs), 0) AS bigint) AS scanned, CAST(${matched} AS bigint) AS matched, ` +
      `CAST(COALESCE(pg_catalog.sum(c.bytes * k.refs), 0) AS bigint) AS bytes FROM (VALUES ${values}) AS k(id, refs) ` +
      `CROSS JOIN LATERAL (SELECT pg_catalog.count(*) AS n, pg_catalog.sum(pg_catalog.pg_column_size(e.record)) AS bytes ` +
      `FROM public.lake_events e WHERE e.event_data_store_id = k.id) AS c`
    );
  }

  private err(node: Node | undefined, message: string): InvalidQueryStatement {
    return this.src.errorAt(locationOf(node), message);
  }

  // ---- SELECT ---------------------------------------------------------------------------

  private select(s: Node, parent: Scope | undefined, ctes: Map<string, Cte>, top: boolean): Printed {
    return this.depth.within(s, () => this.selectStmt(s, parent, ctes, top));
  }

  private selectStmt(s: Node, parent: Scope | undefined, ctes: Map<string, Cte>, top: boolean): Printed {
    if (s.intoClause) throw this.err(s.intoClause, 'SELECT INTO is not allowed.');
    if (s.lockingClause) throw this.err(s.lockingClause[0], 'Row locking (FOR UPDATE/SHARE) is not allowed.');
    if (s.valuesLists) throw this.err(s.valuesLists[0], 'VALUES lists are not supported.');
    if (s.windowClause) throw this.err(s.windowClause[0], 'Named windows (WINDOW w AS …) are not supported; write the window in OVER (…).');
    if (s.limitOption === 'LIMIT_OPTION_WITH_TIES') throw this.err(s.limitCount, 'FETCH … WITH TIES is not supported.');
    if (s.groupDistinct) throw this.err(s.groupClause?.[0], 'GROUP BY DISTINCT is not supported.');

    let withSql = '';
    let scopeCtes = ctes;
    if (s.withClause) {
      const w = s.withClause;
      if (w.recursive) throw this.err(w, 'Recursive WITH queries are not supported.');
      const parts: string[] = [];
      scopeCtes = new Map(ctes);
      for (const c of w.ctes as Node[]) {
        const cte = c.CommonTableExpr;
        if (!cte?.ctequery?.SelectStmt) throw this.err(c, 'A WITH query must be a SELECT.');
        if (cte.aliascolnames) throw this.err(cte, 'Column lists on WITH queries are not supported.');
        if (cte.search_clause || cte.cycle_clause) throw this.err(cte, 'SEARCH/CYCLE is not supported.');
        const name = this.ident(cte.ctename, cte);
        // Inlined by PostgreSQL: each reference is a sub-query in FROM (1) reading what the body
        // reads, so it is charged there, not here.
        const { result: body, relations } = this.relations.apart(() => this.select(cte.ctequery.SelectStmt, parent, scopeCtes, false));
        scopeCtes.set(name, { outputs: body.outputs, relations: 1 + relations });
        parts.push(`${quoteIdent(name)} AS NOT MATERIALIZED (${body.sql})`);
      }
      withSql = `WITH ${parts.join(', ')} `;
    }

    if (s.op && s.op !== 'SETOP_NONE') {
      const op = ({ SETOP_UNION: 'UNION', SETOP_INTERSECT: 'INTERSECT', SETOP_EXCEPT: 'EXCEPT' } as Record<string, string>)[s.op];
      if (!op) throw this.err(s, `Unsupported set operation ${s.op}.`);
      const left = this.select(s.larg, parent, scopeCtes, top);
      const right = this.select(s.rarg, parent, scopeCtes, top);
      if (left.labels.length !== right.labels.length) {
        throw this.err(
          s.rarg?.targetList?.[0],
          `${op} query has different number of fields: ${left.labels.length}, ${right.labels.length}`,
        );
      }
      let sql = `${withSql}(${left.sql}) ${op}${s.all ? ' ALL' : ''} (${right.sql})`;
      const names = new Map<string, string>();
      for (const o of left.outputs) if (!names.has(o.label.toLowerCase())) names.set(o.label.toLowerCase(), o.name);
      sql += this.orderLimit(s, undefined, names, top);
      return { sql, labels: left.labels, outputs: left.outputs };
    }

    const scope: Scope = { items: [], parent, ctes: scopeCtes };
    const from = (s.fromClause as Node[] | undefined)?.map((f) => this.fromItem(f, scope)) ?? [];

    if (s.distinctClause && s.distinctClause.some((d: Node) => d && Object.keys(d).length > 0)) {
      throw this.err(s.distinctClause[0], 'DISTINCT ON is not supported.');
    }
    const targets: string[] = [];
    const labels: string[] = [];
    const outputs: OutputColumn[] = [];
    const names = new Map<string, string>(); // lower-case label → printed name, for ORDER BY
    const add = (value: Typed, label: string, node: Node) => {
      if (outputs.length >= MAX_RESULT_COLUMNS)
        throw this.err(node, `A select list may have at most ${MAX_RESULT_COLUMNS} columns (after * is expanded).`);
      let name = top ? label : label.toLowerCase();
      // Inside a derived table every printed name is distinct, so that each column can be
      // referenced qualified; a name two columns share is refused as ambiguous when referenced.
      if (!top) for (let n = 2; outputs.some((o) => o.name === name); n++) name = `${label.toLowerCase()}#${n}`;
      targets.push(`${value.sql} AS ${quoteIdent(name)}`);
      labels.push(label);
      outputs.push({ name, label, value });
      if (!names.has(label.toLowerCase())) names.set(label.toLowerCase(), name);
    };
    for (const t of (s.targetList as Node[] | undefined) ?? []) {
      const rt = t.ResTarget;
      if (!rt) throw this.err(t, 'Unsupported select item.');
      const star = rt.val?.ColumnRef?.fields?.some((f: Node) => f.A_Star);
      if (star) {
        for (const e of this.expandStar(rt.val.ColumnRef, scope)) add(e, e.label!, t);
        continue;
      }
      const value = this.expr(rt.val, scope);
      add(value, rt.name !== undefined ? this.aliasSpelled(rt.name) : (value.label ?? `_col${labels.length}`), t);
    }
    if (targets.length === 0) throw this.err(s, 'The select list is empty.');

    let sql = `${withSql}SELECT ${s.distinctClause ? 'DISTINCT ' : ''}${targets.join(', ')}`;
    if (from.length) sql += ` FROM ${from.join(', ')}`;
    const where = s.whereClause ? this.expr(s.whereClause, scope).sql : undefined;
    if (where) sql += ` WHERE ${where}`;
    const only = scope.items.length === 1 && from.length === 1 ? scope.items[0] : undefined;
    if (only?.kind === 'lake' && only.scan !== undefined && !scope.correlated && scope.ctes.size === 0) {
      this.scans[only.scan].matchedSql = `SELECT pg_catalog.count(*) FROM ${from[0]}${where ? ` WHERE ${where}` : ''}`;
    }
    if (s.groupClause) {
      const groups = (s.groupClause as Node[]).map((g) => {
        if (g.GroupingSet) throw this.err(g, 'GROUPING SETS, ROLLUP and CUBE are not supported.');
        return this.expr(g, scope).sql;
      });
      sql += ` GROUP BY ${groups.join(', ')}`;
    }
    if (s.havingClause) sql += ` HAVING ${this.expr(s.havingClause, scope).sql}`;
    sql += this.orderLimit(s, scope, names, top);
    return { sql, labels, outputs };
  }

  private orderLimit(s: Node, scope: Scope | undefined, outputs: Map<string, string>, _top: boolean): string {
    let sql = '';
    if (s.sortClause) {
      const keys = (s.sortClause as Node[]).map((k) => {
        const sb = k.SortBy;
        if (!sb || sb.sortby_dir === 'SORTBY_USING') throw this.err(k, 'Unsupported ORDER BY item.');
        const fields = sb.node?.ColumnRef?.fields as Node[] | undefined;
        let key: string;
        const alias = fields?.length === 1 && fields[0].String ? outputs.get(String(fields[0].String.sval).toLowerCase()) : undefined;
        if (
          alias !== undefined &&
          !(
            scope &&
            this.isColumn(String(fields![0].String.sval).toLowerCase(), scope) &&
            !outputs.has(String(fields![0].String.sval).toLowerCase())
          )
        ) {
          key = quoteIdent(alias);
        } else if (sb.node?.A_Const) {
          key = this.constant(sb.node.A_Const, sb.node);
        } else if (!scope) {
          throw this.err(sb.node, 'ORDER BY of a UNION, EXCEPT or INTERSECT must name a result column or its position.');
        } else {
          key = this.expr(sb.node, scope).sql;
        }
        return key + sortSuffix(sb);
      });
      sql += ` ORDER BY ${keys.join(', ')}`;
    }
    if (s.limitCount) sql += ` LIMIT ${this.count(s.limitCount, 'LIMIT')}`;
    if (s.limitOffset) sql += ` OFFSET ${this.count(s.limitOffset, 'OFFSET')}`;
    return sql;
  }

  private count(node: Node, what: string): string {
    const c = node.A_Const;
    if (c?.isnull) return 'ALL';
    if (!c || !('ival' in c)) throw this.err(node, `${what} must be a non-negative integer.`);
    const n = Number(c.ival.ival ?? 0);
    if (!Number.isSafeInteger(n) || n < 0) throw this.err(node, `${what} must be a non-negative integer.`);
    return String(n);
  }

  private isColumn(name: string, scope: Scope): boolean {
    return scope.items.some((i) => hasColumn(i, name));
  }

  private expandStar(ref: Node, scope: Scope): Typed[] {
    const names = (ref.fields as Node[]).filter((f) => f.String).map((f) => String(f.String.sval).toLowerCase());
    const items = names.length ? scope.items.filter((i) => i.name === names[0]) : scope.items;
    if (names.length && items.length === 0) throw this.err(ref, `Table '${names[0]}' is not in the FROM clause.`);
    if (items.length === 0) throw this.err(ref, 'SELECT * needs a FROM clause.');
    const out: Typed[] = [];
    for (const item of items) {
      if (item.kind === 'lake') for (const c of STAR_COLUMNS) out.push({ ...this.lakeMember(item, [c], ref), label: c });
      else out.push(...item.star!);
    }
    return out;
  }

  // ---- FROM -----------------------------------------------------------------------------

  private fromItem(f: Node, scope: Scope): string {
    return this.depth.within(f, () => this.fromClauseItem(f, scope));
  }

  private fromClauseItem(f: Node, scope: Scope): string {
    // A join is not a relation, its sides are; a WITH query reference counts what it reads (rangeVar).
    if (!f.JoinExpr && !f.RangeVar) this.relations.charge(f, 1);
    if (f.RangeVar) return this.rangeVar(f.RangeVar, scope);
    if (f.JoinExpr) {
      const j = f.JoinExpr;
      if (j.isNatural) throw this.err(j.larg, 'NATURAL JOIN is not supported; use JOIN … ON.');
      if (j.usingClause) throw this.err(j.larg, 'JOIN … USING is not supported; use JOIN … ON.');
      if (j.alias || j.join_using_alias) throw this.err(j.larg, 'Aliases on joins are not supported.');
      const kind = (
        { JOIN_INNER: 'JOIN', JOIN_LEFT: 'LEFT JOIN', JOIN_RIGHT: 'RIGHT JOIN', JOIN_FULL: 'FULL JOIN' } as Record<string, string>
      )[j.jointype];
      if (!kind) throw this.err(j.larg, `Unsupported join ${j.jointype}.`);
      const left = this.fromItem(j.larg, scope);
      const right = this.fromItem(j.rarg, scope);
      if (!j.quals) {
        if (j.jointype !== 'JOIN_INNER') throw this.err(j.rarg, `${kind} needs an ON condition.`);
        return `(${left} CROSS JOIN ${right})`;
      }
      return `(${left} ${kind} ${right} ON ${this.expr(j.quals, scope).sql})`;
    }
    if (f.RangeSubselect) {
      const r = f.RangeSubselect;
      if (!r.subquery?.SelectStmt) throw this.err(f, 'A sub-query in FROM must be a SELECT.');
      const name = r.alias?.aliasname ? this.ident(r.alias.aliasname, f) : `_subquery${++this.unnamedSubqueries}`;
      if (r.alias?.colnames) throw this.err(f, 'Column lists on sub-query aliases are not supported.');
      const body = this.select(r.subquery.SelectStmt, r.lateral ? scope : scope.parent, scope.ctes, false);
      const item = this.derivedItem(name, body.outputs, f, scope);
      return `${r.lateral ? 'LATERAL ' : ''}(${body.sql}) AS ${item.sqlAlias}`;
    }
    if (f.RangeFunction) return this.unnest(f.RangeFunction, f, scope);
    throw this.err(f, `Unsupported FROM item ${nodeName(f)}.`);
  }

  private rangeVar(r: Node, scope: Scope): string {
    if (r.catalogname || r.schemaname) {
      throw this.err(
        { location: r.location },
        `Table '${[r.catalogname, r.schemaname, r.relname].filter(Boolean).join('.')}' does not exist: FROM takes an event data store id.`,
      );
    }
    if (r.alias?.colnames) throw this.err({ location: r.location }, 'Column lists on table aliases are not supported.');
    const rel = String(r.relname);
    if (!scope.ctes.has(rel)) this.relations.charge({ location: r.location }, 1);
    const alias = r.alias?.aliasname ? this.ident(r.alias.aliasname, { location: r.location }) : rel;
    if (!UUID.test(rel)) {
      const cte = scope.ctes.get(rel);
      if (cte) {
        this.relations.charge({ location: r.location }, cte.relations, rel);
        const item = this.derivedItem(alias, cte.outputs, { location: r.location }, scope);
        return `${quoteIdent(rel)} AS ${item.sqlAlias}`;
      }
      throw this.err({ location: r.location }, `Table '${rel}' does not exist: FROM takes an event data store id.`);
    }
    if (!this.storeIds.includes(rel)) this.storeIds.push(rel);
    const item = this.addItem(
      scope,
      { name: alias.toLowerCase(), sqlAlias: quoteIdent(alias.toLowerCase()), kind: 'lake', scan: this.scans.push({ storeId: rel }) - 1 },
      { location: r.location },
    );
    // Only the columns the schema maps are visible, never store_account_id and the like.
    return `(SELECT ${LAKE_SOURCE_COLUMNS.join(', ')} FROM public.lake_events WHERE event_data_store_id = ${quoteLiteral(rel)}::uuid) AS ${item.sqlAlias}`;
  }

  /** A derived table or WITH query reference: its columns are the body's outputs, qualified by the alias. */
  private derivedItem(alias: string, outputs: OutputColumn[], node: Node, scope: Scope): FromItem {
    const sqlAlias = quoteIdent(alias.toLowerCase());
    const columns = new Map<string, Typed | null>();
    const star: Typed[] = [];
    for (const o of outputs) {
      const { type, fields, elements } = o.value;
      const col: Typed = { sql: `${sqlAlias}.${quoteIdent(o.name)}`, type, fields, elements, label: o.label };
      const key = o.label.toLowerCase();
      columns.set(key, columns.has(key) ? null : col);
      star.push(col);
    }
    return this.addItem(scope, { name: alias.toLowerCase(), sqlAlias, kind: 'derived', columns, star }, node);
  }

  private addItem(scope: Scope, item: FromItem, node: Node): FromItem {
    if (scope.items.some((i) => i.name === item.name))
      throw this.err(node, `Table name '${item.name.slice(0, 63)}' is used twice in one FROM clause; give each an alias.`);
    scope.items.push(item);
    return item;
  }

  private unnest(r: Node, f: Node, scope: Scope): string {
    const fn = r.functions?.[0]?.List?.items?.[0]?.FuncCall;
    const fname = fn?.funcname?.map((n: Node) => n.String?.sval).join('.');
    if (!fn || r.functions.length !== 1 || fname !== 'unnest') throw this.err(f, 'Only UNNEST(…) may be used as a table function.');
    if (r.is_rowsfrom || r.coldeflist) throw this.err(f, 'Unsupported UNNEST form.');
    if (!fn.args || fn.args.length !== 1) throw this.err(f, 'UNNEST takes one array.');
    const alias = r.alias?.aliasname ? this.ident(r.alias.aliasname, f) : undefined;
    const colnames: string[] = (r.alias?.colnames ?? []).map((c: Node) => this.ident(c.String?.sval, f).toLowerCase());
    if (!alias || colnames.length === 0) throw this.err(f, 'UNNEST needs an alias with column names: UNNEST(x) AS t(column).');
    if (new Set(colnames).size !== colnames.length) throw this.err(f, 'UNNEST column names must be distinct.');
    const arg = this.expr(fn.args[0], scope);
    const elementNames = colnames.slice(0, r.ordinality ? -1 : undefined);
    const sqlAlias = quoteIdent(alias.toLowerCase());
    const unnest = new Map<string, Typed | null>();
    const element = `${sqlAlias}."e"`;
    if (elementNames.length === 1) {
      unnest.set(elementNames[0], {
        sql: element,
        type: arg.elements ? 'json' : undefined,
        fields: arg.elements,
        label: this.spelled(elementNames[0]),
      });
    } else {
      // Trino expands an array of rows into one column per field, in field order.
      const order = Object.keys(arg.elements ?? {});
      if (elementNames.length === 0 || elementNames.length > order.length)
        throw this.err(f, `UNNEST of this value takes one column name${order.length ? ` or ${order.length}` : ''}.`);
      elementNames.forEach((n, i) => {
        const field = arg.elements![order[i]];
        unnest.set(n, {
          sql: `(${element} ->> ${quoteLiteral(field.key)})`,
          type: field.type,
          fields: field.fields,
          label: this.spelled(n),
        });
      });
    }
    if (r.ordinality)
      unnest.set(colnames[colnames.length - 1], { sql: `${sqlAlias}."o"`, label: this.spelled(colnames[colnames.length - 1]) });
    const star = [...unnest].map(([name, col]) => ({ ...col!, label: name }));
    this.addItem(scope, { name: alias.toLowerCase(), sqlAlias, kind: 'unnest', columns: unnest, star }, f);
    return `LATERAL lake_fn.unnest(${arg.sql})${r.ordinality ? ' WITH ORDINALITY' : ''} AS ${sqlAlias}("e"${r.ordinality ? ', "o"' : ''})`;
  }

  // ---- expressions ----------------------------------------------------------------------

  private expr(n: Node, scope: Scope): Typed {
    return this.depth.within(n, () => this.expression(n, scope));
  }

  private expression(n: Node, scope: Scope): Typed {
    if (!n || typeof n !== 'object') throw this.src.errorAt(undefined, 'Unsupported expression.');
    const kind = nodeName(n);
    const v = n[kind];
    switch (kind) {
      case 'ColumnRef':
        return this.columnRef(v, scope);
      case 'A_Const':
        return { sql: this.constant(v, n) };
      case 'A_Expr':
        return { sql: this.aExpr(v, scope) };
      case 'BoolExpr': {
        const args = (v.args as Node[]).map((a) => this.expr(a, scope).sql);
        if (v.boolop === 'NOT_EXPR') return { sql: `(NOT ${args[0]})`, type: 'boolean' };
        if (v.boolop === 'AND_EXPR') return { sql: `(${args.join(' AND ')})`, type: 'boolean' };
        if (v.boolop === 'OR_EXPR') return { sql: `(${args.join(' OR ')})`, type: 'boolean' };
        break;
      }
      case 'NullTest': {
        const op = v.nulltesttype === 'IS_NOT_NULL' ? 'IS NOT NULL' : 'IS NULL';
        return { sql: `(${this.expr(v.arg, scope).sql} ${op})`, type: 'boolean' };
      }
      case 'BooleanTest': {
        const ops: Record<string, string> = {
          IS_TRUE: 'IS TRUE',
          IS_NOT_TRUE: 'IS NOT TRUE',
          IS_FALSE: 'IS FALSE',
          IS_NOT_FALSE: 'IS NOT FALSE',
          IS_UNKNOWN: 'IS UNKNOWN',
          IS_NOT_UNKNOWN: 'IS NOT UNKNOWN',
        };
        if (ops[v.booltesttype]) return { sql: `(${this.expr(v.arg, scope).sql} ${ops[v.booltesttype]})`, type: 'boolean' };
        break;
      }
      case 'CaseExpr': {
        let sql = 'CASE';
        if (v.arg) sql += ` ${this.expr(v.arg, scope).sql}`;
        for (const w of v.args as Node[])
          sql += ` WHEN ${this.expr(w.CaseWhen.expr, scope).sql} THEN ${this.expr(w.CaseWhen.result, scope).sql}`;
        if (v.defresult) sql += ` ELSE ${this.expr(v.defresult, scope).sql}`;
        return { sql: `${sql} END` };
      }
      case 'CoalesceExpr':
        return { sql: `COALESCE(${(v.args as Node[]).map((a) => this.expr(a, scope).sql).join(', ')})` };
      case 'MinMaxExpr':
        return {
          sql: `${v.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST'}(${(v.args as Node[]).map((a) => this.expr(a, scope).sql).join(', ')})`,
        };
      case 'FuncCall':
        return this.funcCall(v, n, scope);
      case 'SQLValueFunction': {
        const ops: Record<string, string> = {
          SVFOP_CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP',
          SVFOP_CURRENT_DATE: 'CURRENT_DATE',
          SVFOP_LOCALTIMESTAMP: 'LOCALTIMESTAMP',
        };
        if (ops[v.op]) return { sql: ops[v.op], type: 'timestamp' };
        throw this.err(n, 'This function is not allowed.');
      }
      case 'TypeCast':
        return this.typeCast(v, n, scope);
      case 'A_Indirection':
        return this.indirection(v, n, scope);
      case 'A_ArrayExpr': {
        const elements = ((v.elements as Node[]) ?? []).map((a) => this.expr(a, scope));
        const dims = 1 + Math.max(0, ...elements.map((e) => e.dims ?? 0));
        if (dims > MAX_ARRAY_DIMENSIONS) throw this.err(n, `An array may have at most ${MAX_ARRAY_DIMENSIONS} dimensions.`);
        return { sql: `ARRAY[${elements.map((e) => e.sql).join(', ')}]`, dims };
      }
      case 'SubLink':
        return this.subLink(v, n, scope);
      default:
        break;
    }
    throw this.err(n, `Unsupported expression: ${kind}.`);
  }

  private constant(c: Node, n: Node): string {
    if (c.isnull) return 'NULL';
    if ('ival' in c) {
      const i = Number(c.ival.ival ?? 0);
      return i < 0 ? `(${i})` : String(i); // bare, so GROUP BY 1 / ORDER BY 1 stay positional
    }
    if ('fval' in c) {
      const text = String(c.fval.fval);
      if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw this.err(n, `Unsupported numeric literal ${text.slice(0, 40)}.`);
      return `(${text})`;
    }
    if ('sval' in c) return quoteLiteral(String(c.sval.sval ?? ''));
    if ('boolval' in c) return c.boolval.boolval ? 'TRUE' : 'FALSE';
    throw this.err(n, 'Unsupported literal.');
  }

  private aExpr(e: Node, scope: Scope): string {
    const opName = (e.name as Node[] | undefined)?.map((x) => x.String?.sval);
    if (opName && opName.length !== 1) throw this.err(e.lexpr ?? e.rexpr, 'Schema-qualified operators are not allowed.');
    const op = opName?.[0];
    const l = () => this.expr(e.lexpr, scope).sql;
    const r = () => this.expr(e.rexpr, scope).sql;
    const list = (x: Node) => {
      const items = x?.List?.items as Node[] | undefined;
      if (!items) throw this.err(x, 'Expected a list.');
      return items.map((i) => this.expr(i, scope).sql);
    };
    switch (e.kind) {
      case 'AEXPR_OP':
        if (!OPERATORS.has(op)) throw this.err(e.lexpr ?? e.rexpr, `Operator ${String(op).slice(0, 10)} is not allowed.`);
        return e.lexpr ? `(${l()} ${op} ${r()})` : `(${op} ${r()})`;
      case 'AEXPR_OP_ANY':
      case 'AEXPR_OP_ALL':
        if (!OPERATORS.has(op)) throw this.err(e.lexpr, `Operator ${String(op).slice(0, 10)} is not allowed.`);
        return `(${l()} ${op} ${e.kind === 'AEXPR_OP_ANY' ? 'ANY' : 'ALL'} (${r()}))`;
      case 'AEXPR_IN':
        return `(${l()} ${op === '<>' ? 'NOT IN' : 'IN'} (${list(e.rexpr).join(', ')}))`;
      case 'AEXPR_LIKE':
      case 'AEXPR_ILIKE': {
        const word = e.kind === 'AEXPR_LIKE' ? 'LIKE' : 'ILIKE';
        const not = op === '!~~' || op === '!~~*' ? 'NOT ' : '';
        const esc = e.rexpr?.FuncCall;
        if (esc && esc.funcname?.map((x: Node) => x.String?.sval).join('.') === 'pg_catalog.like_escape' && esc.args?.length === 2) {
          return `(${l()} ${not}${word} ${this.expr(esc.args[0], scope).sql} ESCAPE ${this.expr(esc.args[1], scope).sql})`;
        }
        return `(${l()} ${not}${word} ${r()})`;
      }
      case 'AEXPR_BETWEEN':
      case 'AEXPR_NOT_BETWEEN': {
        const [a, b] = list(e.rexpr);
        return `(${l()} ${e.kind === 'AEXPR_NOT_BETWEEN' ? 'NOT ' : ''}BETWEEN ${a} AND ${b})`;
      }
      case 'AEXPR_DISTINCT':
        return `(${l()} IS DISTINCT FROM ${r()})`;
      case 'AEXPR_NOT_DISTINCT':
        return `(${l()} IS NOT DISTINCT FROM ${r()})`;
      case 'AEXPR_NULLIF':
        return `NULLIF(${l()}, ${r()})`;
      default:
        break;
    }
    throw this.err(e.lexpr ?? e.rexpr, `Unsupported operator ${String(e.kind).replace('AEXPR_', '')}.`);
  }

  private funcCall(f: Node, n: Node, scope: Scope): Typed {
    const parts: string[] = (f.funcname as Node[]).map((x) => String(x.String?.sval));
    let name = parts[parts.length - 1].toLowerCase();
    if (parts.length === 2 && parts[0] === 'pg_catalog' && f.funcformat === 'COERCE_SQL_SYNTAX') {
      // SQL-syntax forms the parser spells as pg_catalog calls.
      const syntax: Record<string, string> = {
        position: 'strpos',
        substring: 'substr',
        btrim: 'btrim',
        ltrim: 'ltrim',
        rtrim: 'rtrim',
        extract: 'extract',
      };
      if (!syntax[name]) throw this.err(n, `Function '${name}' not registered.`);
      name = syntax[name] === 'extract' ? 'extract' : name;
    } else if (parts.length !== 1) {
      throw this.err(n, `Function '${parts.join('.').slice(0, 80)}' not registered.`);
    }
    if (f.agg_order) throw this.err(n, 'ORDER BY inside an aggregate is not supported.');
    if (f.agg_within_group || f.func_variadic) throw this.err(n, `Unsupported call form of '${name}'.`);
    const args = (f.args as Node[]) ?? [];

    if (name === 'extract') {
      const field = args[0]?.A_Const?.sval?.sval;
      if (!DATE_FIELDS.has(String(field).toLowerCase()))
        throw this.err(n, `EXTRACT field '${String(field).slice(0, 20)}' is not supported.`);
      return { sql: `EXTRACT(${String(field).toUpperCase()} FROM ${this.expr(args[1], scope).sql})` };
    }
    if (LAMBDA_FUNCTIONS.has(name) && !f.over && !f.agg_star && !f.agg_distinct && !f.agg_filter)
      return this.lambdaCall(name, args, n, scope);
    const fn = LAKE_FUNCTIONS[name];
    if (!fn) throw this.err(n, `Function '${name.slice(0, 80)}' not registered.`);
    if (f.agg_star ? name !== 'count' : args.length < fn.min || args.length > fn.max) {
      throw this.err(n, `Function '${name}' does not take ${f.agg_star ? '*' : args.length} argument${args.length === 1 ? '' : 's'}.`);
    }
    if (fn.window && !f.over) throw this.err(n, `Window function '${name}' requires an OVER clause.`);
    if (f.over && !fn.window && !fn.aggregate)
      throw this.err(n, `'${name}' is not a window function or an aggregate: it takes no OVER clause.`);
    if (f.agg_distinct && !fn.aggregate) throw this.err(n, `DISTINCT is only allowed in aggregates.`);
    if (f.agg_filter && !fn.aggregate) throw this.err(n, `FILTER is only allowed in aggregates.`);
    if (f.over) {
      const call = this.plainCall({ ...f, over: undefined }, n, scope);
      return { ...call, sql: `${call.sql} OVER (${this.windowSpec(f.over, scope)})`, type: undefined, label: undefined };
    }
    return this.plainCall(f, n, scope);
  }

  /**
   * Trino's array functions of a lambda (`x -> body`): transform, filter, any_match, all_match,
   * none_match. The body is compiled in a scope of its own whose one column is the element (a
   * struct for arrays of structs such as resources, text for JSON arrays of strings such as
   * map_keys or split, the element itself for SQL arrays), and printed as a sub-query over the
   * array's elements in order. Outer columns stay visible in the body.
   */
  private lambdaCall(name: string, args: Node[], n: Node, scope: Scope): Typed {
    const lambda = splitLambda(args[1]);
    const params = lambda?.lexpr?.ColumnRef?.fields as Node[] | undefined;
    if (
      args.length !== 2 ||
      lambda?.kind !== 'AEXPR_OP' ||
      lambda.name?.[0]?.String?.sval !== '->' ||
      params?.length !== 1 ||
      !params[0].String
    )
      throw this.err(n, `Function '${name}' takes an array and a lambda of one parameter: ${name}(array, x -> …).`);
    const array = this.expr(args[0], scope);
    const variable = this.ident(params[0].String.sval, n).toLowerCase();
    const alias = quoteIdent(`lambda${++this.lambdas}`);
    const json = array.type === 'json' || !!array.elements;
    const element: Typed = array.elements
      ? { sql: `${alias}."e"`, type: 'json', fields: array.elements }
      : json
        ? { sql: `lake_fn.scalar(${alias}."e")`, type: 'text' }
        : { sql: `${alias}."e"` };
    const inner: Scope = {
      items: [{ name: `\u0000${alias}`, sqlAlias: alias, kind: 'unnest', columns: new Map([[variable, element]]), star: [] }],
      parent: scope,
      ctes: scope.ctes,
    };
    const body = this.expr(lambda.rexpr, inner).sql;
    const typed = this.lambdaBody(name, array, json, alias, body);
    // A NULL array gives NULL, as in Trino (not an empty array or false).
    return { ...typed, sql: `(CASE WHEN (${array.sql}) IS NULL THEN NULL ELSE ${typed.sql} END)` };
  }

  private lambdaBody(name: string, array: Typed, json: boolean, alias: string, body: string): Typed {
    const from = `FROM lake_fn.unnest(${array.sql}) WITH ORDINALITY AS ${alias}("e", "o")`;
    switch (name) {
      case 'transform':
        return {
          sql: `(SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(${body}) ORDER BY ${alias}."o"), '[]'::jsonb) ${from})`,
          type: 'json',
        };
      case 'filter': {
        const kept = json ? `${alias}."e"` : `pg_catalog.to_jsonb(${alias}."e")`;
        return {
          sql: `(SELECT COALESCE(pg_catalog.jsonb_agg(${kept} ORDER BY ${alias}."o") FILTER (WHERE ${body}), '[]'::jsonb) ${from})`,
          type: 'json',
          elements: array.elements,
        };
      }
      default: {
        // Trino: any_match is true if one element matches, else NULL if one is NULL, else false; all_match and none_match likewise.
        const test = name === 'any_match' ? `(${body})` : name === 'all_match' ? `(NOT (${body}))` : `(${body})`;
        const found = `pg_catalog.bool_or(${test})`;
        const unknown = `pg_catalog.count(*) FILTER (WHERE ${test} IS NULL) > 0`;
        const verdict =
          name === 'any_match'
            ? `CASE WHEN ${found} THEN TRUE WHEN ${unknown} THEN NULL ELSE FALSE END`
            : `CASE WHEN ${found} THEN FALSE WHEN ${unknown} THEN NULL ELSE TRUE END`;
        return { sql: `(SELECT ${verdict} ${from})`, type: 'boolean' };
      }
    }
  }

  /** A window: PARTITION BY, ORDER BY (Trino's NULLS LAST by default) and a frame of constant bounds. */
  private windowSpec(w: Node, scope: Scope): string {
    if (w.name || w.refname) throw this.err(w, 'Named windows (WINDOW w AS …) are not supported; write the window in OVER (…).');
    const parts: string[] = [];
    if (w.partitionClause) parts.push(`PARTITION BY ${(w.partitionClause as Node[]).map((p) => this.expr(p, scope).sql).join(', ')}`);
    if (w.orderClause) {
      const keys = (w.orderClause as Node[]).map((k) => {
        const sb = k.SortBy;
        if (!sb || sb.sortby_dir === 'SORTBY_USING') throw this.err(k, 'Unsupported ORDER BY item.');
        return this.expr(sb.node, scope).sql + sortSuffix(sb);
      });
      parts.push(`ORDER BY ${keys.join(', ')}`);
    }
    const o = Number(w.frameOptions ?? FRAME.DEFAULTS);
    if (o & FRAME.NONDEFAULT) {
      if (o & (FRAME.EXCLUDE_CURRENT_ROW | FRAME.EXCLUDE_GROUP | FRAME.EXCLUDE_TIES))
        throw this.err(w, 'Frame exclusions are not supported.');
      const mode = o & FRAME.ROWS ? 'ROWS' : o & FRAME.GROUPS ? 'GROUPS' : 'RANGE';
      const bound = (
        unboundedPreceding: number,
        unboundedFollowing: number,
        current: number,
        preceding: number,
        following: number,
        offset: Node,
      ) => {
        if (o & unboundedPreceding) return 'UNBOUNDED PRECEDING';
        if (o & unboundedFollowing) return 'UNBOUNDED FOLLOWING';
        if (o & current) return 'CURRENT ROW';
        if (o & (preceding | following)) {
          if (mode === 'RANGE') throw this.err(w, 'RANGE frames with an offset are not supported; use ROWS.');
          return `${this.count(offset, 'A frame offset')} ${o & preceding ? 'PRECEDING' : 'FOLLOWING'}`;
        }
        throw this.err(w, 'Unsupported window frame.');
      };
      const start = bound(
        FRAME.START_UNBOUNDED_PRECEDING,
        FRAME.START_UNBOUNDED_FOLLOWING,
        FRAME.START_CURRENT_ROW,
        FRAME.START_OFFSET_PRECEDING,
        FRAME.START_OFFSET_FOLLOWING,
        w.startOffset,
      );
      if (o & FRAME.BETWEEN) {
        const end = bound(
          FRAME.END_UNBOUNDED_PRECEDING,
          FRAME.END_UNBOUNDED_FOLLOWING,
          FRAME.END_CURRENT_ROW,
          FRAME.END_OFFSET_PRECEDING,
          FRAME.END_OFFSET_FOLLOWING,
          w.endOffset,
        );
        parts.push(`${mode} BETWEEN ${start} AND ${end}`);
      } else parts.push(`${mode} ${start}`);
    }
    return parts.join(' ');
  }

  private plainCall(f: Node, n: Node, scope: Scope): Typed {
    const parts: string[] = (f.funcname as Node[]).map((x) => String(x.String?.sval));
    const name = parts[parts.length - 1].toLowerCase();
    const fn = LAKE_FUNCTIONS[name];
    const args = (f.args as Node[]) ?? [];
    const a = args.map((x) => this.expr(x, scope));
    // Compiled once and printed where needed: compiling a part twice doubles the work at every level of nesting.
    const filterSql = f.agg_filter ? this.expr(f.agg_filter, scope).sql : undefined;
    const filter = filterSql ? ` FILTER (WHERE ${filterSql})` : '';
    switch (name) {
      case 'if':
        return { sql: `(CASE WHEN ${a[0].sql} THEN ${a[1].sql}${a[2] ? ` ELSE ${a[2].sql}` : ''} END)` };
      case 'coalesce':
        return { sql: `COALESCE(${a.map((x) => x.sql).join(', ')})` };
      case 'greatest':
      case 'least':
        return { sql: `${name.toUpperCase()}(${a.map((x) => x.sql).join(', ')})` };
      case 'nullif':
        return { sql: `NULLIF(${a[0].sql}, ${a[1].sql})` };
      case 'approx_distinct':
        return { sql: `pg_catalog.count(DISTINCT ${a[0].sql})${filter}` };
      case 'count_if':
        return { sql: `pg_catalog.count(*) FILTER (WHERE ${a[0].sql}${filterSql ? ` AND ${filterSql}` : ''})` };
      default:
        break;
    }
    if (f.agg_star) return { sql: `pg_catalog.count(*)${filter}` };
    // An element of an array of structs (resources) stays a struct, so `element_at(resources, 1).arn` reads its ARN.
    if (name === 'element_at' && a[0].type === 'json' && a[0].elements)
      return { sql: `lake_fn.element_json(${a[0].sql}, ${a[1].sql})`, type: 'json', fields: a[0].elements };
    const sql = `${fn.target}(${f.agg_distinct ? 'DISTINCT ' : ''}${a.map((x) => x.sql).join(', ')})${filter}`;
    // map_keys/map_values/split yield json arrays that UNNEST and subscripts accept
    return { sql, type: ['map_keys', 'map_values', 'json_parse', 'json_extract', 'split'].includes(name) ? 'json' : undefined };
  }

  private typeCast(c: Node, n: Node, scope: Scope): Typed {
    const tn = c.typeName;
    const last = String(tn.names[tn.names.length - 1].String?.sval).toLowerCase();
    if (tn.names.length > 2 || (tn.names.length === 2 && tn.names[0].String?.sval !== 'pg_catalog'))
      throw this.err(n, `Unknown type '${last}'.`);
    if (last === 'interval') throw this.err(n, 'The INTERVAL keyword is not supported; use date_add.');
    if ((last === 'map' || last === 'lake_array') && tn.names.length === 1) return this.containerCast(last, tn, c, n, scope);
    const target = CAST_TYPES[last];
    if (!target || tn.arrayBounds || tn.setof || tn.pct_type) throw this.err(n, `Unknown type '${last.slice(0, 40)}'.`);
    let mods = '';
    if (tn.typmods && target === 'numeric') {
      const ints = (tn.typmods as Node[]).map((m) => Number(m.A_Const?.ival?.ival ?? NaN));
      if (ints.some((i) => !Number.isInteger(i) || i < 0 || i > 1000)) throw this.err(n, 'Bad type modifier.');
      mods = `(${ints.join(', ')})`;
    }
    const arg = this.expr(c.arg, scope);
    const type: LakeType | undefined =
      target === 'jsonb'
        ? 'json'
        : target === 'timestamptz'
          ? 'timestamp'
          : target === 'boolean'
            ? 'boolean'
            : target === 'text'
              ? 'text'
              : undefined;
    // A JSON value cast to varchar is its text; a JSON string is unquoted like Trino's.
    if (arg.type === 'json' && target === 'text') return { sql: `lake_fn.scalar(${arg.sql})`, type };
    return { sql: `CAST(${arg.sql} AS ${target}${mods})`, type };
  }

  /**
   * `CAST(x AS map(varchar, V))` and `CAST(x AS array(V))` (V varchar, json or a scalar type): Lake
   * maps and arrays are JSON here, so the value stays JSON, checked to be an object or an array
   * (anything else is NULL); with V json, `m['k']` and `element_at` give the JSON value itself,
   * not its text.
   */
  private containerCast(kind: string, tn: Node, c: Node, n: Node, scope: Scope): Typed {
    const mods = (tn.typmods as Node[] | undefined) ?? [];
    const typeName = (m: Node) =>
      m?.ColumnRef?.fields?.length === 1 ? String(m.ColumnRef.fields[0].String?.sval).toLowerCase() : undefined;
    const types = mods.map(typeName);
    const wanted = kind === 'map' ? 2 : 1;
    const value = types[wanted - 1];
    if (mods.length !== wanted || (kind === 'map' && types[0] !== 'varchar') || !value || !(value in CAST_TYPES) || tn.arrayBounds)
      throw this.err(
        n,
        kind === 'map'
          ? 'Only map(varchar, <type>) casts are supported.'
          : 'Only array(<type>) casts of a scalar or json type are supported.',
      );
    const arg = this.expr(c.arg, scope);
    const json = arg.type === 'json' ? arg.sql : `CAST(${arg.sql} AS jsonb)`;
    const shape = kind === 'map' ? 'object' : 'array';
    return {
      sql: `(CASE WHEN pg_catalog.jsonb_typeof(${json}) = '${shape}' THEN ${json} END)`,
      type: 'json',
      jsonValues: CAST_TYPES[value] === 'jsonb',
    };
  }

  private subLink(v: Node, n: Node, scope: Scope): Typed {
    const body = v.subselect?.SelectStmt;
    if (!body) throw this.err(n, 'A sub-query must be a SELECT.');
    const sub = () => this.select(body, scope, scope.ctes, false).sql;
    switch (v.subLinkType) {
      case 'EXISTS_SUBLINK':
        return { sql: `(EXISTS (${sub()}))`, type: 'boolean' };
      case 'EXPR_SUBLINK':
        return { sql: `(${sub()})` };
      case 'ANY_SUBLINK':
      case 'ALL_SUBLINK': {
        const op = (v.operName as Node[] | undefined)?.map((x) => x.String?.sval) ?? ['='];
        if (op.length !== 1 || !OPERATORS.has(op[0])) throw this.err(n, 'Operator not allowed.');
        const test = this.expr(v.testexpr, scope).sql;
        return { sql: `(${test} ${op[0]} ${v.subLinkType === 'ANY_SUBLINK' ? 'ANY' : 'ALL'} (${sub()}))`, type: 'boolean' };
      }
      default:
        throw this.err(n, `Unsupported sub-query form ${v.subLinkType}.`);
    }
  }

  private indirection(v: Node, n: Node, scope: Scope): Typed {
    this.depth.check(n, (v.indirection as Node[]).length);
    let cur = this.expr(v.arg, scope);
    const jsonValues = !!cur.jsonValues && (v.indirection as Node[]).length === 1;
    for (const step of v.indirection as Node[]) {
      if (step.A_Star) throw this.err(n, 'Unsupported .* here.');
      if (step.String) {
        cur = this.jsonStep(cur, String(step.String.sval).toLowerCase(), false);
        continue;
      }
      const idx = step.A_Indices;
      if (!idx || idx.is_slice || !idx.uidx) throw this.err(n, 'Array slices are not supported; use slice().');
      const k = idx.uidx.A_Const;
      if (cur.type === 'json') {
        if (k && 'sval' in k) cur = { sql: `(${cur.sql} -> ${quoteLiteral(String(k.sval.sval ?? ''))})`, type: 'json' };
        else if (k && 'ival' in k) cur = { sql: `(${cur.sql} -> ${Number(k.ival.ival ?? 0) - 1})`, type: 'json', fields: cur.elements };
        else cur = { sql: `lake_fn.element_json(${cur.sql}, ${this.expr(idx.uidx, scope).sql})`, type: 'json', fields: cur.elements };
      } else {
        cur = { sql: `(${cur.sql})[${this.expr(idx.uidx, scope).sql}]` };
      }
    }
    // A map value or struct leaf is a string in Lake's schema: `->>` reads it as text directly.
    if (cur.type === 'json' && !cur.fields && !jsonValues) {
      const m = /^\((.*) -> ('(?:[^']|'')*')\)$/s.exec(cur.sql);
      return { sql: m ? `(${m[1]} ->> ${m[2]})` : `lake_fn.scalar(${cur.sql})`, type: 'text' };
    }
    return cur;
  }

  /** One `.field` step into a JSON value (struct). */
  private jsonStep(cur: Typed, name: string, _last: boolean): Typed {
    const field = cur.fields?.[name];
    const key = field?.key ?? keyFor(name, this.src.spelling);
    const base = cur.type === 'json' ? cur.sql : `CAST(${cur.sql} AS jsonb)`;
    return { sql: jsonValue(`(${base} -> ${quoteLiteral(key)})`), type: 'json', fields: field?.fields, label: this.spelled(name) };
  }

  /**
   * A column reference, resolved innermost scope first (as SQL does) to one column the compiler
   * knows, and printed qualified by its alias. `t.x` names table t's column x; a bare `x` is the
   * one column x of the scope's tables (two are ambiguous). A table alias is never a value: a
   * whole-row reference would print every column of the row, internal ones included.
   */
  private columnRef(ref: Node, scope: Scope): Typed {
    const fields = ref.fields as Node[];
    if (fields.some((f) => !f.String)) throw this.err(ref, 'Unsupported use of *.');
    const names = fields.map((f) => String(f.String.sval).toLowerCase());
    this.depth.check(ref, names.length - 1);
    const outer = (found: Scope) => {
      for (let c: Scope | undefined = scope; c && c !== found; c = c.parent) c.correlated = true;
    };
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (names.length >= 2) {
        const item = s.items.find((i) => i.name === names[0]);
        if (item) {
          outer(s);
          return this.member(item, names.slice(1), ref);
        }
      }
      const owners = s.items.filter((i) => hasColumn(i, names[0]));
      if (owners.length > 1) throw this.err(ref, `Column '${names[0]}' is ambiguous.`);
      if (owners.length === 1) {
        outer(s);
        return this.member(owners[0], names, ref);
      }
      if (s.items.some((i) => i.name === names[0])) {
        throw this.err(ref, `'${names[0]}' is a table, not a column: name one of its columns (${names[0]}.<column>).`);
      }
    }
    throw this.err(ref, `Column '${names.join('.')}' cannot be resolved.`);
  }

  private member(item: FromItem, names: string[], ref: Node): Typed {
    if (item.kind === 'lake') return this.lakeMember(item, names, ref);
    const col = item.columns!.get(names[0]);
    if (col === undefined) throw this.err(ref, `Column '${refName(ref)}' cannot be resolved.`);
    if (col === null) throw this.err(ref, `Column '${names[0]}' is ambiguous: '${item.name}' has two columns of that name.`);
    return this.path(col, names.slice(1));
  }

  /** Struct steps after a column; a leaf that is not a struct reads as text. */
  private path(start: Typed, rest: string[]): Typed {
    let cur = start;
    for (const name of rest) cur = this.jsonStep(cur, name, false);
    if (rest.length && !cur.fields) return { sql: lake_text(cur.sql), type: 'text', label: cur.label };
    return cur;
  }

  private lakeMember(item: FromItem, names: string[], ref: Node): Typed {
    const [first, ...rest] = names;
    const col = LAKE_COLUMNS[first];
    const label = this.spelled(names[names.length - 1]);
    if (!col) throw this.err(ref, `Column '${names.join('.')}' cannot be resolved.`);
    const a = item.sqlAlias;
    if (col.computed === 'json') return { sql: `CAST(${a}.record AS text)`, type: 'text', label };
    if (col.computed === 'checksum') return { sql: `pg_catalog.md5(CAST(${a}.record AS text))`, type: 'text', label };
    if (rest.length === 0) {
      if (col.column) return { sql: `${a}.${col.column}`, type: col.type, label };
      if (col.type === 'json')
        return {
          sql: jsonValue(`(${a}.record -> ${quoteLiteral(col.key!)})`),
          type: 'json',
          fields: col.fields,
          elements: col.elements,
          label,
        };
      return { sql: `(${a}.record ->> ${quoteLiteral(col.key!)})`, type: col.type, label };
    }
    if (col.type !== 'json' || !col.key) throw this.err(ref, `Column '${first}' has no field '${rest[0]}'.`);
    const promoted = rest.length === 1 ? col.fields?.[rest[0]]?.column : undefined;
    if (promoted) return { sql: `${a}.${promoted}`, type: 'text', label };
    // Leaves are read with ->> so the result is text, like Trino's varchar fields.
    let sql = `${a}.record -> ${quoteLiteral(col.key)}`;
    let fields = col.fields;
    let leaf: StructField | undefined;
    rest.forEach((name, i) => {
      leaf = fields?.[name];
      const key = leaf?.key ?? keyFor(name, this.src.spelling);
      const lastStep = i === rest.length - 1;
      const textLeaf = lastStep && !(leaf && leaf.type === 'json');
      sql = `${sql} ${textLeaf ? '->>' : '->'} ${quoteLiteral(key)}`;
      fields = leaf?.fields;
    });
    const isJson = leaf?.type === 'json';
    return {
      sql: isJson ? jsonValue(`(${sql})`) : `(${sql})`,
      type: isJson ? 'json' : 'text',
      fields: isJson ? leaf?.fields : undefined,
      label,
    };
  }

  private ident(name: unknown, node: Node): string {
    const s = String(name ?? '');
    if (s.length === 0 || s.length > 63) throw this.err(node, 'Identifiers must be 1 to 63 characters long.');
    return s;
  }

  /** An alias as the caller wrote it: its own spelling, not that of a column of the same name. */
  private aliasSpelled(parsedName: string): string {
    const name = String(parsedName);
    return this.src.alias(name) ?? (name === name.toLowerCase() ? this.spelled(name) : name);
  }

  /** The caller's spelling of a name, for result column names. */
  private spelled(lower: string): string {
    return this.src.spelling(String(lower).toLowerCase()) ?? String(lower);
  }
}

/** A JSON value read as text: strings unquoted, everything else as its JSON. */
function lake_text(jsonSql: string): string {
  return `lake_fn.scalar(${jsonSql})`;
}

/**
 * A JSON value read from a record: JSON `null` (`"responseElements": null`, normal for read calls)
 * is SQL NULL, as an absent key is, so IS NULL, count(x), coalesce and projections agree with
 * CloudTrail Lake (Trino reads the record's null as a NULL column or field).
 */
function jsonValue(jsonSql: string): string {
  return `NULLIF(${jsonSql}, 'null'::jsonb)`;
}

/**
 * A lambda argument as `{ lexpr: parameter, rexpr: body }`. PostgreSQL's grammar binds `->`
 * tighter than comparisons and AND/OR, so `x -> x <> ''` arrives as `(x -> x) <> ''`: the `->`
 * is then the leftmost operand of the tree, and the body is the tree with it replaced by its
 * right side.
 */
function splitLambda(arg: Node | undefined): Node | undefined {
  const isArrow = (e: Node | undefined) => e?.A_Expr?.kind === 'AEXPR_OP' && e.A_Expr.name?.[0]?.String?.sval === '->';
  if (!arg) return undefined;
  if (isArrow(arg)) return arg.A_Expr;
  // Walk the leftmost spine (bounded: the depth guard already measured this tree).
  const spine: Array<{ node: Node; key: string; index?: number }> = [];
  let cur: Node | undefined = arg;
  for (let i = 0; i < 200 && cur && !isArrow(cur); i++) {
    if (cur.A_Expr?.lexpr) {
      spine.push({ node: cur, key: 'lexpr' });
      cur = cur.A_Expr.lexpr;
    } else if (cur.BoolExpr?.args?.length) {
      spine.push({ node: cur, key: 'args', index: 0 });
      cur = cur.BoolExpr.args[0];
    } else if (cur.NullTest?.arg || cur.BooleanTest?.arg) {
      spine.push({ node: cur, key: 'arg' });
      cur = (cur.NullTest ?? cur.BooleanTest).arg;
    } else return undefined;
  }
  if (!isArrow(cur)) return undefined;
  const arrow = cur!.A_Expr;
  let body: Node = arrow.rexpr;
  for (let i = spine.length - 1; i >= 0; i--) {
    const { node, key, index } = spine[i];
    const kind = nodeName(node);
    const inner = node[kind];
    body = { [kind]: index === undefined ? { ...inner, [key]: body } : { ...inner, [key]: [body, ...inner[key].slice(1)] } };
  }
  return { ...arrow, rexpr: body };
}
