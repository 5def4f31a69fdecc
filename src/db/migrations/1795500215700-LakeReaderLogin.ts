import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written: the Lake query runner connects as `opentrail_lake_reader` itself (a real role
 * wall: the statement's session user has no other role to RESET or SET back to).
 * - the role becomes LOGIN (its password is set at start-up from the master key, see
 *   src/lake/query/lake-reader.ts) and may connect to this database;
 * - the stores a statement may read no longer come from a setting (any session can set a custom
 *   setting): `lake_wall.query_stores()`, SECURITY DEFINER, returns the store ids of the RUNNING
 *   lake_queries row whose backend_pid is the calling backend's. Only the runner (the owner
 *   connection) writes that row; the reader can neither read nor write lake_queries.
 * Never edit once landed.
 */
export class LakeReaderLogin1795500215700 implements MigrationInterface {
  name = 'LakeReaderLogin1795500215700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER ROLE opentrail_lake_reader LOGIN NOINHERIT NOCREATEDB NOCREATEROLE NOREPLICATION`);
    await q.query(`DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO opentrail_lake_reader', current_database()); END $$`);
    await q.query(`CREATE SCHEMA lake_wall`);
    await q.query(`REVOKE ALL ON SCHEMA lake_wall FROM PUBLIC`);
    // The most recently claimed RUNNING query of this backend: a row left RUNNING by a runner that
    // died (its pid since reused) is older than the claim of the query running now.
    // PARALLEL RESTRICTED: evaluated in the leader only (a worker's pg_backend_pid is its own),
    // while the rest of the statement may still use parallel workers (the InitPlan's value is
    // passed to them); an UNSAFE function would make every Lake statement serial.
    await q.query(`CREATE FUNCTION lake_wall.query_stores() RETURNS uuid[]
      LANGUAGE sql STABLE PARALLEL RESTRICTED SECURITY DEFINER SET search_path = pg_catalog, pg_temp
      AS $f$ SELECT q.event_data_store_ids FROM public.lake_queries q
             WHERE q.backend_pid = pg_catalog.pg_backend_pid() AND q.status = 'RUNNING'
             ORDER BY q.started_at DESC LIMIT 1 $f$`);
    await q.query(`REVOKE ALL ON FUNCTION lake_wall.query_stores() FROM PUBLIC`);
    await q.query(`GRANT USAGE ON SCHEMA lake_wall TO opentrail_lake_reader`);
    await q.query(`GRANT EXECUTE ON FUNCTION lake_wall.query_stores() TO opentrail_lake_reader`);
    await q.query(`DROP POLICY lake_events_query ON lake_events`);
    // The sub-select makes the array an InitPlan, computed once per statement.
    await q.query(`CREATE POLICY lake_events_query ON lake_events FOR SELECT TO opentrail_lake_reader
      USING (event_data_store_id = ANY ((SELECT lake_wall.query_stores())::uuid[]))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY lake_events_query ON lake_events`);
    await q.query(`CREATE POLICY lake_events_query ON lake_events FOR SELECT TO opentrail_lake_reader
      USING (event_data_store_id = ANY ((SELECT string_to_array(nullif(current_setting('opentrail.lake_query_stores', true), ''), ','))::uuid[]))`);
    await q.query(`DROP SCHEMA lake_wall CASCADE`);
    await q.query(`DO $$ BEGIN EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM opentrail_lake_reader', current_database()); END $$`);
    await q.query(`ALTER ROLE opentrail_lake_reader NOLOGIN PASSWORD NULL`);
  }
}
