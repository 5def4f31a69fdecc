import { LAKE_COLUMNS, type LakeType, type StructField } from './lake-schema';

/**
 * What the Lake SQL compiler knows while it walks a statement: printed values with their shape,
 * the result columns of each SELECT, and the tables in scope with their columns, against which
 * every column reference is resolved (lake-sql.compiler.ts).
 */

/** A node of libpg-query's JSON parse tree. */
export type Node = Record<string, any>;

export interface Typed {
  sql: string;
  type?: LakeType;
  fields?: Record<string, StructField>;
  elements?: Record<string, StructField>;
  /** a plain reference: the column name CloudTrail uses as the result key */
  label?: string;
  /** a map or array cast to json values: a subscript gives the JSON value, not its text */
  jsonValues?: boolean;
  /** an ARRAY[…] constructor: its dimensions (ARRAY[ARRAY[…]] nests them) */
  dims?: number;
}

/** A result column of a SELECT: its printed name, the caller's label and what it holds. */
export interface OutputColumn {
  /** the name printed after AS (lower-case and unique inside derived tables) */
  name: string;
  label: string;
  value: Typed;
}

export interface FromItem {
  name: string; // lower-case, for matching qualifiers
  sqlAlias: string; // printed (quoted)
  kind: 'lake' | 'derived' | 'unnest';
  /** derived tables, WITH queries and UNNEST: column by lower-case name; null when two share it */
  columns?: Map<string, Typed | null>;
  /** the same columns in order, for `*` */
  star?: Typed[];
  /** a store reference: its index among the compiled statement's scans (statistics) */
  scan?: number;
}

/** A WITH query in scope: its columns, and the relations each reference to it reads (itself included). */
export interface Cte {
  outputs: OutputColumn[];
  relations: number;
}

export interface Scope {
  items: FromItem[];
  parent?: Scope;
  ctes: Map<string, Cte>;
  /** a column of an enclosing scope was referenced from here (a correlated sub-query) */
  correlated?: boolean;
}

export interface Printed {
  sql: string;
  labels: string[];
  outputs: OutputColumn[];
}

/** A column reference as the caller wrote it (for messages). */
export function refName(ref: Node): string {
  return (ref.fields as Node[])
    .map((f) => String(f.String?.sval ?? '*'))
    .join('.')
    .slice(0, 200);
}

export function hasColumn(item: FromItem, name: string): boolean {
  return item.kind === 'lake' ? name in LAKE_COLUMNS : item.columns!.has(name);
}

export function nodeName(n: Node): string {
  return Object.keys(n ?? {})[0] ?? 'unknown';
}

/** The first location in a node (depth first), without recursion: the tree may be deep. */
export function locationOf(n: Node | undefined): number | undefined {
  const stack: unknown[] = [n];
  for (let steps = 0; stack.length > 0 && steps < 100_000; steps++) {
    const v = stack.pop();
    if (!v || typeof v !== 'object') continue;
    if (!Array.isArray(v) && typeof (v as Node).location === 'number' && (v as Node).location >= 0) return (v as Node).location;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (let i = children.length - 1; i >= 0; i--) if (children[i] && typeof children[i] === 'object') stack.push(children[i]);
  }
  return undefined;
}
