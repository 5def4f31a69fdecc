/**
 * The allow-list of functions a Lake statement may call (spec §8.3.1: Trino's aggregate, string,
 * date, JSON and array/map functions). Each maps to the one function it is printed as, always
 * schema-qualified: PostgreSQL's own where the semantics match Trino's, otherwise a SQL function
 * in the `lake_fn` schema (migration LakeQueries). Any other name is refused at validation, so
 * nothing outside this list (pg_sleep, pg_read_file, set_config, dblink, lo_import…) is ever
 * printed into a statement.
 */
export interface LakeFunction {
  /** schema-qualified name printed */
  target: string;
  aggregate?: boolean;
  /** a window function: only with OVER (…) */
  window?: boolean;
  /** argument count limits */
  min: number;
  max: number;
}

const pg = (name: string, min: number, max: number, aggregate = false): LakeFunction => ({
  target: `pg_catalog.${name}`,
  min,
  max,
  aggregate,
});
const lake = (name: string, min: number, max: number, aggregate = false): LakeFunction => ({
  target: `lake_fn.${name}`,
  min,
  max,
  aggregate,
});

export const LAKE_FUNCTIONS: Record<string, LakeFunction> = {
  // aggregates
  count: pg('count', 0, 1, true),
  sum: pg('sum', 1, 1, true),
  min: pg('min', 1, 1, true),
  max: pg('max', 1, 1, true),
  avg: pg('avg', 1, 1, true),
  stddev: pg('stddev', 1, 1, true),
  stddev_pop: pg('stddev_pop', 1, 1, true),
  stddev_samp: pg('stddev_samp', 1, 1, true),
  variance: pg('variance', 1, 1, true),
  var_pop: pg('var_pop', 1, 1, true),
  var_samp: pg('var_samp', 1, 1, true),
  bool_and: pg('bool_and', 1, 1, true),
  bool_or: pg('bool_or', 1, 1, true),
  every: pg('every', 1, 1, true),
  array_agg: pg('array_agg', 1, 1, true),
  arbitrary: lake('arbitrary', 1, 1, true),
  any_value: lake('arbitrary', 1, 1, true),
  // approx_distinct and count_if are rewritten (count(DISTINCT x), count(*) FILTER (WHERE x))
  approx_distinct: pg('count', 1, 1, true),
  count_if: pg('count', 1, 1, true),
  // window functions (OVER … only; aggregates take OVER too)
  row_number: { ...pg('row_number', 0, 0), window: true },
  rank: { ...pg('rank', 0, 0), window: true },
  dense_rank: { ...pg('dense_rank', 0, 0), window: true },
  percent_rank: { ...pg('percent_rank', 0, 0), window: true },
  cume_dist: { ...pg('cume_dist', 0, 0), window: true },
  ntile: { ...pg('ntile', 1, 1), window: true },
  lag: { ...pg('lag', 1, 3), window: true },
  lead: { ...pg('lead', 1, 3), window: true },
  first_value: { ...pg('first_value', 1, 1), window: true },
  last_value: { ...pg('last_value', 1, 1), window: true },
  nth_value: { ...pg('nth_value', 2, 2), window: true },
  // strings
  lower: pg('lower', 1, 1),
  upper: pg('upper', 1, 1),
  length: pg('length', 1, 1),
  replace: lake('replace', 2, 3),
  trim: pg('btrim', 1, 1),
  btrim: pg('btrim', 1, 2),
  ltrim: pg('ltrim', 1, 1),
  rtrim: pg('rtrim', 1, 1),
  split_part: pg('split_part', 3, 3),
  strpos: pg('strpos', 2, 2),
  position: pg('strpos', 2, 2),
  reverse: pg('reverse', 1, 1),
  lpad: pg('lpad', 3, 3),
  rpad: pg('rpad', 3, 3),
  concat: lake('concat', 1, 100),
  substr: pg('substr', 2, 3),
  substring: pg('substr', 2, 3),
  starts_with: pg('starts_with', 2, 2),
  chr: pg('chr', 1, 1),
  split: lake('split', 2, 2),
  regexp_like: lake('regexp_like', 2, 2),
  regexp_extract: lake('regexp_extract', 2, 3),
  regexp_replace: lake('regexp_replace', 2, 3),
  url_extract_host: lake('url_extract_host', 1, 1),
  // numbers
  abs: pg('abs', 1, 1),
  ceil: pg('ceil', 1, 1),
  ceiling: pg('ceil', 1, 1),
  floor: pg('floor', 1, 1),
  round: lake('round', 1, 2),
  sqrt: pg('sqrt', 1, 1),
  power: pg('power', 2, 2),
  pow: pg('power', 2, 2),
  ln: pg('ln', 1, 1),
  exp: pg('exp', 1, 1),
  mod: pg('mod', 2, 2),
  sign: pg('sign', 1, 1),
  greatest: pg('greatest', 1, 100), // printed as GREATEST(...) syntax
  least: pg('least', 1, 100),
  // conditionals printed as syntax
  coalesce: pg('coalesce', 1, 100),
  nullif: pg('nullif', 2, 2),
  if: pg('if', 2, 3),
  // dates (Presto/Trino semantics, UTC)
  now: pg('now', 0, 0),
  date_trunc: pg('date_trunc', 2, 2),
  date_add: lake('date_add', 3, 3),
  date_diff: lake('date_diff', 3, 3),
  date: lake('date', 1, 1),
  year: lake('year', 1, 1),
  quarter: lake('quarter', 1, 1),
  month: lake('month', 1, 1),
  week: lake('week', 1, 1),
  week_of_year: lake('week', 1, 1),
  day: lake('day', 1, 1),
  day_of_month: lake('day', 1, 1),
  day_of_week: lake('day_of_week', 1, 1),
  dow: lake('day_of_week', 1, 1),
  day_of_year: lake('day_of_year', 1, 1),
  doy: lake('day_of_year', 1, 1),
  year_of_week: lake('year_of_week', 1, 1),
  yow: lake('year_of_week', 1, 1),
  hour: lake('hour', 1, 1),
  minute: lake('minute', 1, 1),
  second: lake('second', 1, 1),
  millisecond: lake('millisecond', 1, 1),
  from_iso8601_timestamp: lake('from_iso8601_timestamp', 1, 1),
  to_iso8601: lake('to_iso8601', 1, 1),
  from_unixtime: lake('from_unixtime', 1, 1),
  to_unixtime: lake('to_unixtime', 1, 1),
  // JSON
  json_parse: lake('json_parse', 1, 1),
  json_format: lake('json_format', 1, 1),
  json_extract: lake('json_extract', 2, 2),
  json_extract_scalar: lake('json_extract_scalar', 2, 2),
  json_array_length: lake('json_array_length', 1, 1),
  json_array_get: lake('json_array_get', 2, 2),
  json_array_contains: lake('json_array_contains', 2, 2),
  json_size: lake('json_size', 2, 2),
  is_json_scalar: lake('is_json_scalar', 1, 1),
  // arrays and maps
  element_at: lake('element_at', 2, 2),
  cardinality: lake('cardinality', 1, 1),
  map_keys: lake('map_keys', 1, 1),
  map_values: lake('map_values', 1, 1),
  contains: lake('contains', 2, 2),
  array_distinct: lake('array_distinct', 1, 1),
  array_max: lake('array_max', 1, 1),
  array_min: lake('array_min', 1, 1),
  array_join: lake('array_join', 2, 2),
  array_position: lake('array_position', 2, 2),
  slice: lake('slice', 3, 3),
};
