import { MigrationInterface, QueryRunner } from 'typeorm';
import { LAKE_FN_SQL } from './lake-fn.sql';

/**
 * Hand-written: the Lake query walls and storage.
 * - role `opentrail_lake_reader` (NOLOGIN): SELECT on lake_events only, and only the rows of
 *   the data stores the query runner names in `opentrail.lake_query_stores` for its transaction;
 * - schema `lake_fn`: the Trino functions PostgreSQL lacks (lake-fn.sql.ts, beside this file);
 * - `lake_query_results` (row batches of finished queries) and row-level security on it and on
 *   `lake_queries`.
 * Never edit once landed.
 */
export class LakeQueryReaderAndFunctions1795497302300 implements MigrationInterface {
  name = 'LakeQueryReaderAndFunctions1795497302300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'opentrail_lake_reader') THEN
        CREATE ROLE opentrail_lake_reader NOLOGIN NOINHERIT;
      END IF;
      IF NOT pg_has_role(current_user, 'opentrail_lake_reader', 'MEMBER') THEN
        EXECUTE 'GRANT opentrail_lake_reader TO ' || quote_ident(current_user);
      END IF;
    END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO opentrail_lake_reader`);
    await q.query(`GRANT SELECT ON lake_events TO opentrail_lake_reader`);
    // The runner sets the store ids (comma-separated uuids) with set_config(..., true) in the
    // query's transaction, after resolving and authorizing each of them for the caller. The
    // sub-select makes the array an InitPlan, computed once per query rather than once per row.
    await q.query(`CREATE POLICY lake_events_query ON lake_events FOR SELECT TO opentrail_lake_reader
      USING (event_data_store_id = ANY ((SELECT string_to_array(nullif(current_setting('opentrail.lake_query_stores', true), ''), ','))::uuid[]))`);

    await q.query(`CREATE SCHEMA lake_fn`);
    await q.query(LAKE_FN_SQL);
    await q.query(`REVOKE ALL ON SCHEMA lake_fn FROM PUBLIC`);
    await q.query(`GRANT USAGE ON SCHEMA lake_fn TO opentrail_lake_reader, opentrail_app`);
    await q.query(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA lake_fn TO opentrail_lake_reader, opentrail_app`);

    await q.query(`CREATE TABLE lake_query_results (
      account_id varchar(12) NOT NULL,
      query_id uuid NOT NULL,
      batch integer NOT NULL,
      row_count integer NOT NULL,
      rows jsonb NOT NULL,
      CONSTRAINT lake_query_results_pkey PRIMARY KEY (account_id, query_id, batch)
    )`);
    for (const table of ['lake_queries', 'lake_query_results']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO opentrail_app`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_tenant ON ${table} FOR ALL TO opentrail_app
        USING (account_id = current_setting('opentrail.account_id', true))
        WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['lake_queries', 'lake_query_results']) {
      await q.query(`DROP POLICY IF EXISTS ${table}_tenant ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
      await q.query(`REVOKE ALL ON ${table} FROM opentrail_app`);
    }
    await q.query(`DROP TABLE lake_query_results`);
    await q.query(`DROP SCHEMA lake_fn CASCADE`);
    await q.query(`DROP POLICY IF EXISTS lake_events_query ON lake_events`);
    await q.query(`REVOKE ALL ON lake_events FROM opentrail_lake_reader`);
    await q.query(`REVOKE ALL ON SCHEMA public FROM opentrail_lake_reader`);
  }
}
