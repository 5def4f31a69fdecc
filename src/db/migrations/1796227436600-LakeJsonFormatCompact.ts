import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `lake_fn.json_format` prints JSON compactly, as Trino does (`{"a":1,"b":[1,2]}`): jsonb's text
 * form puts a space after every `,` and `:`. Whitespace outside string literals is removed (the
 * only whitespace jsonb's text form has there is that separator space). CREATE OR REPLACE keeps
 * the function's owner and grants (the reader's EXECUTE).
 */
const COMPACT = String.raw`CREATE OR REPLACE FUNCTION lake_fn.json_format(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT pg_catalog.regexp_replace(j::text, '("(?:[^"\\]|\\.)*")|\s', '\1', 'g') $$`;
const SPACED = `CREATE OR REPLACE FUNCTION lake_fn.json_format(j jsonb) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT j::text $$`;

export class LakeJsonFormatCompact1796227436600 implements MigrationInterface {
  name = 'LakeJsonFormatCompact1796227436600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(COMPACT);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(SPACED);
  }
}
