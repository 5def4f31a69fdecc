import { BlockList, isIP } from 'node:net';
import { OpenTrailError } from '../common/errors';

/**
 * EventBridge content filtering, as a pure function of (pattern, event).
 *
 * A pattern mirrors the event's shape. An object descends into the event; an array at a leaf is
 * the list of accepted values (OR). Fields the pattern does not name are ignored; every named
 * field must match (AND). When the event's value is an array, any element may match. Matchers:
 *   "x" / 5 / true / null           exact value (numbers compare numerically)
 *   {"prefix": "x"}                 also {"prefix": {"equals-ignore-case": "x"}}
 *   {"suffix": "x"}                 also {"suffix": {"equals-ignore-case": "x"}}
 *   {"anything-but": v | [v...] | {"prefix": "x"} | {"suffix": "x"} | {"equals-ignore-case": ...}}
 *   {"numeric": [">", 0, "<=", 5]}  one or two comparisons
 *   {"exists": true|false}          leaf present or absent
 *   {"equals-ignore-case": "x"}
 *   {"wildcard": "a*b"}             `*` any run of characters; `\*` a literal star
 *   {"cidr": "10.0.0.0/24"}         IP address within the block
 *   "$or": [{...}, {...}]           any of several sub-patterns
 */
export type EventPattern = (event: unknown) => boolean;

type Leaf = (value: unknown, present: boolean) => boolean;

export const MAX_PATTERN_LENGTH = 4096;

function invalid(reason: string): never {
  throw new OpenTrailError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

/** Parses and validates a pattern (InvalidEventPatternException on any problem). */
export function compileEventPattern(source: string): EventPattern {
  if (source.length > MAX_PATTERN_LENGTH) invalid(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch {
    invalid('it is not valid JSON');
  }
  if (!isObject(parsed)) invalid('the pattern must be a JSON object');
  if (Object.keys(parsed).length === 0) invalid('the pattern must name at least one field');
  const match = compileObject(parsed, '');
  return (event) => match(event);
}

function compileObject(pattern: Record<string, unknown>, path: string): (event: unknown) => boolean {
  const checks: Array<(event: Record<string, unknown>) => boolean> = [];
  for (const [key, spec] of Object.entries(pattern)) {
    const where = path ? `${path}.${key}` : key;
    if (key === '$or') {
      if (!Array.isArray(spec) || spec.length < 2 || !spec.every(isObject))
        invalid(`"$or" at ${where} must be an array of at least two objects`);
      const alternatives = (spec as Array<Record<string, unknown>>).map((alt) => compileObject(alt, path));
      checks.push((event) => alternatives.some((alt) => alt(event)));
    } else if (isObject(spec)) {
      if (Object.keys(spec).length === 0) invalid(`${where} is an empty object`);
      const inner = compileObject(spec, where);
      // A nested pattern needs the event's object there (or an array holding one that matches).
      checks.push((event) => {
        const value = event[key];
        return Array.isArray(value) ? value.some((v) => isObject(v) && inner(v)) : isObject(value) && inner(value);
      });
    } else if (Array.isArray(spec)) {
      if (spec.length === 0) invalid(`${where} has an empty list of values`);
      const leaves = spec.map((m) => compileMatcher(m, where));
      checks.push((event) => {
        const present = Object.prototype.hasOwnProperty.call(event, key);
        const value = event[key];
        if (Array.isArray(value) && value.length > 0) {
          return leaves.some((leaf) => value.some((v) => leaf(v, true)));
        }
        return leaves.some((leaf) => leaf(value, present && !(Array.isArray(value) && value.length === 0)));
      });
    } else {
      invalid(`the value of ${where} must be an object or an array, got ${JSON.stringify(spec)}`);
    }
  }
  return (event) => isObject(event) && checks.every((check) => check(event));
}

function compileMatcher(m: unknown, where: string): Leaf {
  if (isScalar(m)) return exact(m);
  if (!isObject(m)) invalid(`${where} has a nested array among its values`);
  const keys = Object.keys(m);
  if (keys.length !== 1) invalid(`${where}: a matcher object must have exactly one operator, got ${keys.join(', ') || 'none'}`);
  const op = keys[0]!;
  const arg = m[op];
  switch (op) {
    case 'prefix':
    case 'suffix': {
      const test = stringTest(op, arg, where);
      return (v, present) => present && typeof v === 'string' && test(v);
    }
    case 'equals-ignore-case': {
      if (typeof arg !== 'string') invalid(`${where}: "equals-ignore-case" takes a string`);
      const lower = arg.toLowerCase();
      return (v, present) => present && typeof v === 'string' && v.toLowerCase() === lower;
    }
    case 'wildcard': {
      if (typeof arg !== 'string') invalid(`${where}: "wildcard" takes a string`);
      const re = wildcardRegExp(arg, where);
      return (v, present) => present && typeof v === 'string' && re.test(v);
    }
    case 'exists':
      if (typeof arg !== 'boolean') invalid(`${where}: "exists" takes true or false`);
      return (v, present) => (present && !isObject(v)) === arg;
    case 'numeric':
      return numeric(arg, where);
    case 'anything-but':
      return anythingBut(arg, where);
    case 'cidr':
      return cidr(arg, where);
    default:
      return invalid(`${where}: unknown operator "${op}"`);
  }
}

function exact(expected: unknown): Leaf {
  return (v, present) => present && v === expected;
}

/** prefix/suffix with a plain string or {"equals-ignore-case": string}. */
function stringTest(op: 'prefix' | 'suffix', arg: unknown, where: string): (v: string) => boolean {
  let needle: string;
  let fold = false;
  if (typeof arg === 'string') needle = arg;
  else if (isObject(arg) && Object.keys(arg).length === 1 && typeof arg['equals-ignore-case'] === 'string') {
    needle = (arg['equals-ignore-case'] as string).toLowerCase();
    fold = true;
  } else return invalid(`${where}: "${op}" takes a string or {"equals-ignore-case": string}`);
  return (v) => {
    const s = fold ? v.toLowerCase() : v;
    return op === 'prefix' ? s.startsWith(needle) : s.endsWith(needle);
  };
}

function wildcardRegExp(arg: string, where: string): RegExp {
  if (arg.includes('**')) invalid(`${where}: "wildcard" must not contain consecutive *`);
  let out = '';
  for (let i = 0; i < arg.length; i++) {
    const ch = arg[i]!;
    if (ch === '\\' && (arg[i + 1] === '*' || arg[i + 1] === '\\')) {
      out += '\\' + arg[++i];
    } else if (ch === '*') {
      out += '.*';
    } else {
      out += ch.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`, 's');
}

const COMPARATORS: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '=': (a, b) => a === b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numeric(arg: unknown, where: string): Leaf {
  if (!Array.isArray(arg) || (arg.length !== 2 && arg.length !== 4)) {
    invalid(`${where}: "numeric" takes one or two [operator, number] pairs`);
  }
  const tests: Array<(v: number) => boolean> = [];
  for (let i = 0; i < arg.length; i += 2) {
    const op = arg[i];
    const bound = arg[i + 1];
    if (typeof op !== 'string' || !COMPARATORS[op]) invalid(`${where}: unknown numeric operator ${JSON.stringify(op)}`);
    if (typeof bound !== 'number' || !Number.isFinite(bound)) invalid(`${where}: numeric bounds must be numbers`);
    if (arg.length === 4 && (op === '=' || arg[2] === '=')) invalid(`${where}: "=" cannot be combined with a second comparison`);
    tests.push((v) => COMPARATORS[op]!(v, bound));
  }
  if (arg.length === 4) {
    const lower = ['>', '>='].includes(arg[0]) && ['<', '<='].includes(arg[2]);
    if (!lower || arg[1] >= arg[3]) invalid(`${where}: a numeric range must be a lower bound followed by a greater upper bound`);
  }
  return (v, present) => present && typeof v === 'number' && tests.every((t) => t(v));
}

function anythingBut(arg: unknown, where: string): Leaf {
  let excluded: (v: unknown) => boolean;
  if (isScalar(arg) && arg !== null && typeof arg !== 'boolean') {
    excluded = (v) => v === arg;
  } else if (Array.isArray(arg)) {
    if (arg.length === 0 || !arg.every((a) => typeof a === 'string' || typeof a === 'number')) {
      invalid(`${where}: "anything-but" takes a non-empty list of strings or numbers`);
    }
    excluded = (v) => (arg as unknown[]).includes(v);
  } else if (isObject(arg) && Object.keys(arg).length === 1) {
    const [op] = Object.keys(arg) as [string];
    const inner = arg[op];
    if (op === 'prefix' || op === 'suffix') {
      if (typeof inner !== 'string') invalid(`${where}: "anything-but" ${op} takes a string`);
      const test = stringTest(op, inner, where);
      excluded = (v) => typeof v === 'string' && test(v);
    } else if (op === 'equals-ignore-case') {
      const list = typeof inner === 'string' ? [inner] : inner;
      if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string')) {
        invalid(`${where}: "anything-but" equals-ignore-case takes a string or a list of strings`);
      }
      const lowered = (list as string[]).map((s) => s.toLowerCase());
      excluded = (v) => typeof v === 'string' && lowered.includes(v.toLowerCase());
    } else if (op === 'wildcard') {
      if (typeof inner !== 'string') invalid(`${where}: "anything-but" wildcard takes a string`);
      const re = wildcardRegExp(inner, where);
      excluded = (v) => typeof v === 'string' && re.test(v);
    } else {
      return invalid(`${where}: "anything-but" does not support "${op}"`);
    }
  } else {
    return invalid(`${where}: "anything-but" takes a value, a list, or {prefix|suffix|equals-ignore-case|wildcard}`);
  }
  // Like EventBridge, anything-but never matches an absent field.
  return (v, present) => present && v !== null && !isObject(v) && !excluded(v);
}

function cidr(arg: unknown, where: string): Leaf {
  const [ip, bits] = typeof arg === 'string' ? arg.split('/') : [];
  const family = isIP(ip ?? '');
  const max = family === 4 ? 32 : 128;
  if (!family || !/^\d+$/.test(bits ?? '') || Number(bits) > max) invalid(`${where}: "cidr" takes a CIDR block such as 10.0.0.0/24`);
  const block = new BlockList();
  block.addSubnet(ip!, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
  return (v, present) => {
    if (!present || typeof v !== 'string' || isIP(v) === 0) return false;
    return block.check(v, isIP(v) === 4 ? 'ipv4' : 'ipv6');
  };
}
