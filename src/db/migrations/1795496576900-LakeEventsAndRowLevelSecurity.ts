import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written: the month-partitioned, append-only `lake_events` table (CloudTrail Lake storage)
 * and row-level security for event data stores. Partitions are created by
 * src/lake/lake-partitions.ts (ahead of time, and on demand for imported, backdated events).
 * Never edit once landed.
 */
export class LakeEventsAndRowLevelSecurity1795496576900 implements MigrationInterface {
  name = 'LakeEventsAndRowLevelSecurity1795496576900';

  async up(q: QueryRunner): Promise<void> {
    // Stores are the owner's; organization stores are also visible (never writable without the
    // re-scoping the service does for delegated administrators) across their organization.
    await q.query(`GRANT SELECT, INSERT, UPDATE ON event_data_stores TO opentrail_app`);
    await q.query(`ALTER TABLE event_data_stores ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY event_data_stores_tenant ON event_data_stores
      USING (account_id = current_setting('opentrail.account_id', true)
             OR (organization_enabled AND organization_id = nullif(current_setting('opentrail.organization_id', true), '')))
      WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);

    // One row per (store, event). The primary key makes aggregation, imports and channel
    // ingestion idempotent (ON CONFLICT DO NOTHING); it leads with the store, then time, which is
    // how every Lake query is bounded.
    await q.query(`CREATE TABLE lake_events (
      event_data_store_id uuid NOT NULL,
      store_account_id varchar(12) NOT NULL,
      event_id text NOT NULL,
      event_time timestamptz NOT NULL,
      ingested_at timestamptz NOT NULL DEFAULT now(),
      event_version text,
      event_category text,
      event_type text,
      event_source text,
      event_name text,
      aws_region text,
      recipient_account_id text,
      source_ip_address text,
      user_agent text,
      error_code text,
      error_message text,
      request_id text,
      shared_event_id text,
      read_only boolean,
      management_event boolean,
      user_identity_type text,
      user_identity_principal_id text,
      user_identity_arn text,
      user_identity_account_id text,
      user_identity_access_key_id text,
      user_identity_user_name text,
      record jsonb NOT NULL,
      CONSTRAINT lake_events_pkey PRIMARY KEY (event_data_store_id, event_time, event_id)
    ) PARTITION BY RANGE (event_time)`);

    // Append-only for everyone but retention. The app role never gets UPDATE/DELETE/TRUNCATE, and
    // the trigger refuses UPDATE always and DELETE unless the retention job (as the table owner)
    // declared itself for the transaction: a stray owner-side statement cannot rewrite history.
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON lake_events FROM opentrail_app`);
    await q.query(`GRANT SELECT, INSERT ON lake_events TO opentrail_app`);
    await q.query(`ALTER TABLE lake_events ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY lake_events_tenant ON lake_events FOR ALL TO opentrail_app
      USING (store_account_id = current_setting('opentrail.account_id', true))
      WITH CHECK (store_account_id = current_setting('opentrail.account_id', true))`);
    await q.query(`CREATE FUNCTION lake_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE'
           AND current_setting('opentrail.lake_retention', true) = 'on'
           AND current_user <> 'opentrail_app' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'lake_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER lake_events_immutable BEFORE UPDATE OR DELETE ON lake_events
      FOR EACH ROW EXECUTE FUNCTION lake_events_immutable()`);
    await q.query(`CREATE TRIGGER lake_events_no_truncate BEFORE TRUNCATE ON lake_events
      FOR EACH STATEMENT EXECUTE FUNCTION lake_events_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE lake_events`);
    await q.query(`DROP FUNCTION lake_events_immutable()`);
    await q.query(`DROP POLICY IF EXISTS event_data_stores_tenant ON event_data_stores`);
    await q.query(`ALTER TABLE event_data_stores DISABLE ROW LEVEL SECURITY`);
    await q.query(`REVOKE ALL ON event_data_stores FROM opentrail_app`);
  }
}
