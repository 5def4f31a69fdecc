import { InvalidQueryStatement, lineColumn } from './lake-sql.errors';

/**
 * The statement as the caller wrote it, before PostgreSQL's parser sees it.
 *
 * CloudTrail Lake names tables by bare event data store ids (`FROM 0d7c1a2b-1111-...`), which no
 * SQL grammar accepts. A small tokenizer that knows strings, quoted identifiers, dollar quotes
 * and comments finds UUID-shaped runs of code (never text inside a literal or a comment) and
 * wraps them in double quotes. Offsets of the rewritten text map back to the original for error
 * positions; identifiers keep their original spelling for result column names.
 */
export interface SourceText {
  original: string;
  rewritten: string;
  /** original offset of a rewritten offset */
  toOriginal(offset: number): number;
  /** the caller's spelling of an identifier (case-insensitive match), if it occurs in code */
  spelling(identifierLower: string): string | undefined;
  /**
   * The caller's spelling of an alias (`AS UserName`, `AS "eventsource"`) by the name PostgreSQL's
   * parser gives it (unquoted names folded to lower case), if the statement has one.
   */
  alias(parsedName: string): string | undefined;
  /** Trino-style error at a rewritten offset */
  errorAt(rewrittenOffset: number | undefined, message: string): InvalidQueryStatement;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const WORD = /[A-Za-z0-9_$-]/;

interface Token {
  kind: 'code' | 'string' | 'quoted' | 'comment' | 'space';
  start: number;
  end: number;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const push = (kind: Token['kind'], start: number, end: number) => tokens.push({ kind, start, end });
  while (i < text.length) {
    const c = text[i];
    const start = i;
    if (c === "'") {
      i++;
      while (i < text.length) {
        if (text[i] === "'" && text[i + 1] === "'") i += 2;
        else if (text[i] === "'") {
          i++;
          break;
        } else i++;
      }
      push('string', start, i);
    } else if (c === '"') {
      i++;
      while (i < text.length) {
        if (text[i] === '"' && text[i + 1] === '"') i += 2;
        else if (text[i] === '"') {
          i++;
          break;
        } else i++;
      }
      push('quoted', start, i);
    } else if (c === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
      push('comment', start, i);
    } else if (c === '/' && text[i + 1] === '*') {
      // PostgreSQL block comments nest.
      let depth = 0;
      while (i < text.length) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      push('comment', start, i);
    } else if (c === '$' && /^\$[A-Za-z_]*\$/.test(text.slice(i, i + 64)) && (i === 0 || !WORD.test(text[i - 1]))) {
      // Dollar-quoted string: refused later by the parser's AST checks, but never rewritten inside.
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i, i + 64))![0];
      const close = text.indexOf(tag, i + tag.length);
      i = close < 0 ? text.length : close + tag.length;
      push('string', start, i);
    } else if (/\s/.test(c)) {
      while (i < text.length && /\s/.test(text[i])) i++;
      push('space', start, i);
    } else {
      // A run of code characters up to the next space, quote or comment. UUIDs sit inside one run.
      while (
        i < text.length &&
        !/\s/.test(text[i]) &&
        text[i] !== "'" &&
        text[i] !== '"' &&
        !(text[i] === '-' && text[i + 1] === '-') &&
        !(text[i] === '/' && text[i + 1] === '*')
      )
        i++;
      push('code', start, i);
    }
  }
  return tokens;
}

/**
 * Two rewrites PostgreSQL's grammar needs. A cast to `array(T)` (ARRAY is reserved there) becomes
 * `lake_array(T)`, which the compiler reads as Trino's array type. And Trino reads a field of any expression (`element_at(resources, 1).arn`, `json_parse(x).k`);
 * PostgreSQL's grammar takes a field only after a column or a parenthesized expression. Each call
 * directly followed by `.field` or a subscript `[…]` is wrapped in parentheses (`(element_at(resources, 1)).arn`),
 * outside literals and comments. Returns the text and, for each of its offsets, the caller's.
 */
export function wrapFieldAccess(text: string): { text: string; toSource: (offset: number) => number } {
  const opens: number[] = []; // offsets before which '(' is inserted
  const closes: number[] = []; // offsets before which ')' is inserted
  const stack: Array<number | undefined> = [];
  const names: number[] = []; // offsets before which 'lake_' is inserted: CAST(x AS array(…))
  let previous = '';
  for (const t of tokenize(text)) {
    if (t.kind !== 'code') {
      if (t.kind !== 'space' && t.kind !== 'comment') previous = '';
      continue;
    }
    if (/^as$/i.test(previous) && /^array\(/i.test(text.slice(t.start, t.end))) names.push(t.start);
    previous = text.slice(t.start, t.end);
    for (let i = t.start; i < t.end; i++) {
      const c = text[i];
      if (c === '(') {
        let w = i;
        while (w > t.start && /[A-Za-z0-9_]/.test(text[w - 1])) w--;
        stack.push(w < i && /[A-Za-z_]/.test(text[w]) ? w : undefined);
      } else if (c === ')') {
        const callee = stack.pop();
        if (callee !== undefined && ((text[i + 1] === '.' && /[A-Za-z_"]/.test(text[i + 2] ?? '')) || text[i + 1] === '[')) {
          opens.push(callee);
          closes.push(i + 1);
        }
      }
    }
  }
  if (opens.length === 0 && names.length === 0) return { text, toSource: (o) => o };
  const inserts = [
    ...names.map((at) => ({ at, ch: 'lake_' })),
    ...opens.map((at) => ({ at, ch: '(' })),
    ...closes.map((at) => ({ at, ch: ')' })),
  ].sort((a, b) => a.at - b.at);
  let out = '';
  let last = 0;
  const added: number[] = []; // offsets in `out` of inserted characters, ascending
  for (const ins of inserts) {
    out += text.slice(last, ins.at);
    for (const ch of ins.ch) {
      added.push(out.length);
      out += ch;
    }
    last = ins.at;
  }
  out += text.slice(last);
  return {
    text: out,
    toSource: (offset) => offset - added.filter((a) => a < offset).length,
  };
}

export function prepareSource(source: string): SourceText {
  const wrapped = wrapFieldAccess(source);
  const original = wrapped.text;
  const tokens = tokenize(original);
  const inserts: number[] = []; // original offsets where a '"' was inserted, ascending
  let rewritten = '';
  const words = new Map<string, string>();
  const aliases = new Map<string, string>();
  let afterAs = false;
  for (const t of tokens) {
    const piece = original.slice(t.start, t.end);
    if (t.kind === 'space' || t.kind === 'comment') {
      rewritten += piece;
      continue;
    }
    if (afterAs) {
      const name = t.kind === 'quoted' ? piece.slice(1, -1).replace(/""/g, '"') : /^[A-Za-z_][A-Za-z0-9_]*/.exec(piece)?.[0];
      if (name) {
        const parsed = t.kind === 'quoted' ? name : name.toLowerCase();
        if (!aliases.has(parsed)) aliases.set(parsed, name);
      }
    }
    afterAs = t.kind === 'code' && /(^|[^A-Za-z0-9_])as$/i.test(piece);
    if (t.kind !== 'code') {
      rewritten += piece;
      continue;
    }
    // Within a code run, UUIDs are delimited by characters that cannot be part of one.
    let out = '';
    const re = /[0-9A-Za-z_-]+/g;
    let last = 0;
    for (let m = re.exec(piece); m; m = re.exec(piece)) {
      const w = m[0];
      const prev = piece[m.index - 1];
      out += piece.slice(last, m.index);
      if (UUID.test(w) && prev !== '.') {
        inserts.push(t.start + m.index, t.start + m.index + w.length);
        out += `"${w.toLowerCase()}"`;
      } else {
        out += w;
        for (const part of w.split('-'))
          if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part) && !words.has(part.toLowerCase())) words.set(part.toLowerCase(), part);
      }
      last = m.index + w.length;
    }
    rewritten += out + piece.slice(last);
  }
  const toOriginal = (offset: number): number => {
    let shift = 0;
    for (const at of inserts) {
      if (at + shift < offset) shift++;
      else break;
    }
    return offset - shift;
  };
  return {
    original: source,
    rewritten,
    toOriginal: (offset) => wrapped.toSource(toOriginal(offset)),
    spelling: (lower) => words.get(lower),
    alias: (parsedName) => aliases.get(parsedName),
    errorAt(offset, message) {
      if (offset === undefined || offset < 0) return new InvalidQueryStatement(message);
      const { line, column } = lineColumn(source, wrapped.toSource(toOriginal(offset)));
      return new InvalidQueryStatement(message, line, column);
    },
  };
}
