/**
 * The `lake_fn` schema: Trino functions PostgreSQL lacks, with Trino semantics (1-based arrays,
 * NULL-propagating concat, ISO day of week, unit-first date_add/date_diff…). Lake maps and
 * arrays are jsonb (requestParameters, resources…); array functions also take PostgreSQL arrays
 * (array_agg). Plain SQL functions so that the planner inlines the simple ones. Created by the
 * migration LakeQueryReaderAndFunctions; a later change adds a new migration, never edits this.
 */
export const LAKE_FN_SQL = `
-- JSON values read as text: strings unquoted, everything else as JSON text
CREATE FUNCTION lake_fn.scalar(v jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN jsonb_typeof(v) = 'string' THEN v #>> '{}' WHEN jsonb_typeof(v) = 'null' THEN NULL ELSE v::text END $$;
CREATE FUNCTION lake_fn.scalar(v text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT v $$;

CREATE FUNCTION lake_fn.unnest(a jsonb) RETURNS SETOF jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT e FROM jsonb_array_elements(CASE WHEN jsonb_typeof(a) = 'array' THEN a ELSE '[]'::jsonb END) AS e $$;
CREATE FUNCTION lake_fn.unnest(a anyarray) RETURNS SETOF anyelement LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT pg_catalog.unnest(a) $$;

-- maps and arrays
CREATE FUNCTION lake_fn.element_at(m jsonb, k text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT m ->> k $$;
CREATE FUNCTION lake_fn.element_json(a jsonb, i integer) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN i > 0 THEN a -> (i - 1) WHEN i < 0 THEN a -> (jsonb_array_length(a) + i) END $$;
CREATE FUNCTION lake_fn.element_json(a jsonb, k text) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT a -> k $$;
CREATE FUNCTION lake_fn.element_at(a jsonb, i integer) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT lake_fn.scalar(lake_fn.element_json(a, i)) $$;
CREATE FUNCTION lake_fn.element_at(a anyarray, i integer) RETURNS anyelement LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN i > 0 THEN a[i] WHEN i < 0 THEN a[cardinality(a) + 1 + i] END $$;
CREATE FUNCTION lake_fn.cardinality(a jsonb) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE jsonb_typeof(a) WHEN 'array' THEN jsonb_array_length(a)
                    WHEN 'object' THEN (SELECT count(*) FROM jsonb_object_keys(a)) END $$;
CREATE FUNCTION lake_fn.cardinality(a anyarray) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT pg_catalog.cardinality(a)::bigint $$;
CREATE FUNCTION lake_fn.map_keys(m jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN jsonb_typeof(m) = 'object' THEN COALESCE((SELECT jsonb_agg(k) FROM jsonb_object_keys(m) AS k), '[]'::jsonb) END $$;
CREATE FUNCTION lake_fn.map_values(m jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN jsonb_typeof(m) = 'object' THEN COALESCE((SELECT jsonb_agg(to_jsonb(lake_fn.scalar(v))) FROM jsonb_each(m) AS e(k, v)), '[]'::jsonb) END $$;
CREATE FUNCTION lake_fn.contains(a jsonb, v text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT EXISTS (SELECT 1 FROM lake_fn.unnest(a) AS e WHERE lake_fn.scalar(e) = v) $$;
CREATE FUNCTION lake_fn.contains(a anyarray, v anyelement) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT v = ANY (a) $$;
CREATE FUNCTION lake_fn.array_distinct(a jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT COALESCE((SELECT jsonb_agg(e ORDER BY o) FROM (SELECT DISTINCT ON (e) e, o FROM lake_fn.unnest(a) WITH ORDINALITY AS u(e, o) ORDER BY e, o) d), '[]'::jsonb) $$;
CREATE FUNCTION lake_fn.array_distinct(a anyarray) RETURNS anyarray LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_agg(e ORDER BY o) FROM (SELECT DISTINCT ON (e) e, o FROM pg_catalog.unnest(a) WITH ORDINALITY AS u(e, o) ORDER BY e, o) d $$;
CREATE FUNCTION lake_fn.array_max(a jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT max(lake_fn.scalar(e)) FROM lake_fn.unnest(a) AS e $$;
CREATE FUNCTION lake_fn.array_min(a jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT min(lake_fn.scalar(e)) FROM lake_fn.unnest(a) AS e $$;
CREATE FUNCTION lake_fn.array_max(a anyarray) RETURNS anyelement LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT max(e) FROM pg_catalog.unnest(a) AS e $$;
CREATE FUNCTION lake_fn.array_min(a anyarray) RETURNS anyelement LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT min(e) FROM pg_catalog.unnest(a) AS e $$;
CREATE FUNCTION lake_fn.array_join(a jsonb, sep text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT string_agg(lake_fn.scalar(e), sep ORDER BY o) FROM lake_fn.unnest(a) WITH ORDINALITY AS u(e, o) $$;
CREATE FUNCTION lake_fn.array_join(a anyarray, sep text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT array_to_string(a, sep) $$;
CREATE FUNCTION lake_fn.array_position(a jsonb, v text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT COALESCE((SELECT min(o) FROM lake_fn.unnest(a) WITH ORDINALITY AS u(e, o) WHERE lake_fn.scalar(e) = v), 0) $$;
CREATE FUNCTION lake_fn.array_position(a anyarray, v anyelement) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT COALESCE(pg_catalog.array_position(a, v), 0) $$;
CREATE FUNCTION lake_fn.slice(a jsonb, s integer, n integer) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT COALESCE((SELECT jsonb_agg(e ORDER BY o) FROM lake_fn.unnest(a) WITH ORDINALITY AS u(e, o)
                          WHERE o >= CASE WHEN s > 0 THEN s ELSE jsonb_array_length(a) + 1 + s END
                            AND o < CASE WHEN s > 0 THEN s ELSE jsonb_array_length(a) + 1 + s END + n), '[]'::jsonb) $$;
CREATE FUNCTION lake_fn.slice(a anyarray, s integer, n integer) RETURNS anyarray LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT a[(CASE WHEN s > 0 THEN s ELSE cardinality(a) + 1 + s END):(CASE WHEN s > 0 THEN s ELSE cardinality(a) + 1 + s END) + n - 1] $$;

-- strings
CREATE FUNCTION lake_fn.concat(VARIADIC parts text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN array_position(parts, NULL) IS NULL THEN array_to_string(parts, '') END $$;
CREATE FUNCTION lake_fn.replace(s text, f text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_catalog.replace(s, f, '') $$;
CREATE FUNCTION lake_fn.replace(s text, f text, r text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_catalog.replace(s, f, r) $$;
CREATE FUNCTION lake_fn.split(s text, sep text) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT to_jsonb(string_to_array(s, sep)) $$;
CREATE FUNCTION lake_fn.regexp_like(s text, p text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT s ~ p $$;
CREATE FUNCTION lake_fn.regexp_extract(s text, p text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT (regexp_match(s, '(' || p || ')'))[1] $$;
CREATE FUNCTION lake_fn.regexp_extract(s text, p text, g integer) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN g = 0 THEN (regexp_match(s, '(' || p || ')'))[1] ELSE (regexp_match(s, p))[g] END $$;
CREATE FUNCTION lake_fn.regexp_replace(s text, p text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT pg_catalog.regexp_replace(s, p, '', 'g') $$;
CREATE FUNCTION lake_fn.regexp_replace(s text, p text, r text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT pg_catalog.regexp_replace(s, p, r, 'g') $$;
CREATE FUNCTION lake_fn.url_extract_host(u text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT substring(u from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/@?#]*@)?([^/:?#]+)') $$;
CREATE FUNCTION lake_fn.round(x double precision) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT pg_catalog.round(x::numeric)::double precision $$;
CREATE FUNCTION lake_fn.round(x double precision, d integer) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT pg_catalog.round(x::numeric, d)::double precision $$;
CREATE FUNCTION lake_fn.round(x numeric) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_catalog.round(x) $$;
CREATE FUNCTION lake_fn.round(x numeric, d integer) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT pg_catalog.round(x, d) $$;
CREATE FUNCTION lake_fn.round(x bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT x $$;

-- an arbitrary (the first non-null) value of a group
CREATE FUNCTION lake_fn.first_value_state(s anyelement, v anyelement) RETURNS anyelement LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$ SELECT s $$;
CREATE AGGREGATE lake_fn.arbitrary(anyelement) (SFUNC = lake_fn.first_value_state, STYPE = anyelement, COMBINEFUNC = lake_fn.first_value_state, PARALLEL = SAFE);

-- dates and times (the query session runs in UTC)
CREATE FUNCTION lake_fn.year(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT extract(year FROM t)::bigint $$;
CREATE FUNCTION lake_fn.quarter(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT extract(quarter FROM t)::bigint $$;
CREATE FUNCTION lake_fn.month(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT extract(month FROM t)::bigint $$;
CREATE FUNCTION lake_fn.week(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT extract(week FROM t)::bigint $$;
CREATE FUNCTION lake_fn.day(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT extract(day FROM t)::bigint $$;
CREATE FUNCTION lake_fn.day_of_week(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT extract(isodow FROM t)::bigint $$;
CREATE FUNCTION lake_fn.day_of_year(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT extract(doy FROM t)::bigint $$;
CREATE FUNCTION lake_fn.year_of_week(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT extract(isoyear FROM t)::bigint $$;
CREATE FUNCTION lake_fn.hour(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT extract(hour FROM t)::bigint $$;
CREATE FUNCTION lake_fn.minute(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT extract(minute FROM t)::bigint $$;
CREATE FUNCTION lake_fn.second(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT floor(extract(second FROM t))::bigint $$;
CREATE FUNCTION lake_fn.millisecond(t timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT (floor(extract(milliseconds FROM t))::bigint % 1000) $$;
CREATE FUNCTION lake_fn.date(t timestamptz) RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT t::date $$;
CREATE FUNCTION lake_fn.date(t text) RETURNS date LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT t::date $$;
CREATE FUNCTION lake_fn.unit_interval(unit text) RETURNS interval LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE lower(unit) WHEN 'millisecond' THEN interval '1 millisecond' WHEN 'second' THEN interval '1 second'
    WHEN 'minute' THEN interval '1 minute' WHEN 'hour' THEN interval '1 hour' WHEN 'day' THEN interval '1 day'
    WHEN 'week' THEN interval '7 days' WHEN 'month' THEN interval '1 month' WHEN 'quarter' THEN interval '3 months'
    WHEN 'year' THEN interval '1 year' END $$;
CREATE FUNCTION lake_fn.date_add(unit text, n bigint, t timestamptz) RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT t + n * lake_fn.unit_interval(unit) $$;
CREATE FUNCTION lake_fn.date_add(unit text, n bigint, t date) RETURNS date LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT (t + n * lake_fn.unit_interval(unit))::date $$;
CREATE FUNCTION lake_fn.date_diff(unit text, a timestamptz, b timestamptz) RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT CASE
    WHEN lower(unit) IN ('month', 'quarter', 'year') THEN
      trunc(((extract(year FROM b) - extract(year FROM a)) * 12 + extract(month FROM b) - extract(month FROM a)
        - CASE WHEN b >= a AND (b - date_trunc('month', b)) < (a - date_trunc('month', a)) THEN 1
               WHEN b < a AND (b - date_trunc('month', b)) > (a - date_trunc('month', a)) THEN -1 ELSE 0 END)
        / CASE lower(unit) WHEN 'month' THEN 1 WHEN 'quarter' THEN 3 ELSE 12 END)::bigint
    ELSE trunc(extract(epoch FROM (b - a)) / extract(epoch FROM lake_fn.unit_interval(unit)))::bigint END $$;
CREATE FUNCTION lake_fn.from_iso8601_timestamp(s text) RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT s::timestamptz $$;
CREATE FUNCTION lake_fn.to_iso8601(t timestamptz) RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') $$;
CREATE FUNCTION lake_fn.from_unixtime(s double precision) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT to_timestamp(s) $$;
CREATE FUNCTION lake_fn.to_unixtime(t timestamptz) RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT extract(epoch FROM t)::double precision $$;

-- JSON (Trino's json values are jsonb here; JSON text is parsed on the way in)
CREATE FUNCTION lake_fn.json_parse(s text) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT s::jsonb $$;
CREATE FUNCTION lake_fn.json_format(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT j::text $$;
CREATE FUNCTION lake_fn.json_extract(j jsonb, p text) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT jsonb_path_query_first(j, p::jsonpath) $$;
CREATE FUNCTION lake_fn.json_extract(j text, p text) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT jsonb_path_query_first(j::jsonb, p::jsonpath) $$;
CREATE FUNCTION lake_fn.json_extract_scalar(j jsonb, p text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN jsonb_typeof(v) IN ('string', 'number', 'boolean') THEN v #>> '{}' END FROM (SELECT jsonb_path_query_first(j, p::jsonpath) AS v) x $$;
CREATE FUNCTION lake_fn.json_extract_scalar(j text, p text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT lake_fn.json_extract_scalar(j::jsonb, p) $$;
CREATE FUNCTION lake_fn.json_array_length(j jsonb) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN jsonb_typeof(j) = 'array' THEN jsonb_array_length(j) END $$;
CREATE FUNCTION lake_fn.json_array_length(j text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT lake_fn.json_array_length(j::jsonb) $$;
CREATE FUNCTION lake_fn.json_array_get(j jsonb, i bigint) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN jsonb_typeof(j) = 'array' THEN CASE WHEN i >= 0 THEN j -> i::integer ELSE j -> (jsonb_array_length(j) + i)::integer END END $$;
CREATE FUNCTION lake_fn.json_array_get(j text, i bigint) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT lake_fn.json_array_get(j::jsonb, i) $$;
CREATE FUNCTION lake_fn.json_array_contains(j jsonb, v text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN jsonb_typeof(j) = 'array' THEN j @> jsonb_build_array(v) END $$;
CREATE FUNCTION lake_fn.json_array_contains(j text, v text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT lake_fn.json_array_contains(j::jsonb, v) $$;
CREATE FUNCTION lake_fn.json_array_contains(j jsonb, v numeric) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN jsonb_typeof(j) = 'array' THEN j @> jsonb_build_array(v) END $$;
CREATE FUNCTION lake_fn.json_array_contains(j jsonb, v boolean) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN jsonb_typeof(j) = 'array' THEN j @> jsonb_build_array(v) END $$;
CREATE FUNCTION lake_fn.json_size(j jsonb, p text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE jsonb_typeof(v) WHEN 'array' THEN jsonb_array_length(v) WHEN 'object' THEN (SELECT count(*) FROM jsonb_object_keys(v)) ELSE 0 END
        FROM (SELECT jsonb_path_query_first(j, p::jsonpath) AS v) x $$;
CREATE FUNCTION lake_fn.json_size(j text, p text) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT lake_fn.json_size(j::jsonb, p) $$;
CREATE FUNCTION lake_fn.is_json_scalar(j jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT jsonb_typeof(j) NOT IN ('object', 'array') $$;
CREATE FUNCTION lake_fn.is_json_scalar(j text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT lake_fn.is_json_scalar(j::jsonb) $$;
`;
