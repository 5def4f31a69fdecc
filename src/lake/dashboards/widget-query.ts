import { InvalidQueryStatement } from '../sql/lake-sql.errors';

/** The refresh parameters a widget's QueryParameters may name (spec §8.3.1). */
export const REFRESH_PARAMETERS = ['$StartTime$', '$EndTime$', '$Period$', '$EventDataStoreId$'] as const;
export type RefreshParameter = (typeof REFRESH_PARAMETERS)[number];
export type RefreshValues = Record<RefreshParameter, string>;

/**
 * Where the `?` placeholders of a statement are: outside string literals, quoted identifiers
 * and comments, or as the whole of a `'?'` literal (how a placeholder is compared with
 * eventTime). A `?` inside any other literal is text.
 */
export function placeholderSpans(statement: string): Array<{ start: number; end: number; quoted: boolean }> {
  const spans: Array<{ start: number; end: number; quoted: boolean }> = [];
  let i = 0;
  while (i < statement.length) {
    const c = statement[i];
    if (c === '?') {
      spans.push({ start: i, end: i + 1, quoted: false });
      i++;
    } else if (c === "'") {
      let j = i + 1;
      while (j < statement.length && !(statement[j] === "'" && statement[j + 1] !== "'")) j += statement[j] === "'" ? 2 : 1;
      if (statement.slice(i, j + 1) === "'?'") spans.push({ start: i, end: j + 1, quoted: true });
      i = j + 1;
    } else if (c === '"') {
      const j = statement.indexOf('"', i + 1);
      i = j < 0 ? statement.length : j + 1;
    } else if (c === '-' && statement[i + 1] === '-') {
      const j = statement.indexOf('\n', i);
      i = j < 0 ? statement.length : j + 1;
    } else if (c === '/' && statement[i + 1] === '*') {
      const j = statement.indexOf('*/', i + 2);
      i = j < 0 ? statement.length : j + 2;
    } else i++;
  }
  return spans;
}

/**
 * The statement with its placeholders replaced, in order, by its parameters: a refresh
 * parameter (`$StartTime$` …) takes the refresh's value, anything else is the literal text.
 * The result is still the caller's Lake SQL: the compiler parses and prints it as it does every
 * statement (the values cannot close a literal: refresh values have no quotes, see
 * dashboard-refresh.ts, and a `'?'` takes its value as a quoted literal).
 */
export function substitutePlaceholders(statement: string, parameters: string[] | null, values: RefreshValues): string {
  const spans = placeholderSpans(statement);
  const params = parameters ?? [];
  if (spans.length !== params.length)
    throw new InvalidQueryStatement(
      `The query statement has ${spans.length} ? placeholders but the widget gives ${params.length} query parameters.`,
    );
  let out = '';
  let at = 0;
  spans.forEach((span, n) => {
    const p = params[n];
    const value = (REFRESH_PARAMETERS as readonly string[]).includes(p) ? values[p as RefreshParameter] : p;
    out += statement.slice(at, span.start) + (span.quoted ? `'${value.replace(/'/g, "''")}'` : value);
    at = span.end;
  });
  return out + statement.slice(at);
}

/** A Lake timestamp literal's text (`YYYY-MM-DD HH:MM:SS`, UTC). */
export const lakeTimestamp = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
