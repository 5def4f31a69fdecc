import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written (TypeORM cannot express these): the tenant role, row-level security on every
 * tenant table, and the day-partitioned `events` table with its tenant-first indexes.
 * Never edit once landed.
 */
export class EventsAndRowLevelSecurity1795487100000 implements MigrationInterface {
  name = 'EventsAndRowLevelSecurity1795487100000';

  async up(q: QueryRunner): Promise<void> {
    // Roles are cluster-wide: several databases (tests, tenants of a shared server) share it.
    await q.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'opentrail_app') THEN
        CREATE ROLE opentrail_app NOLOGIN;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`);
    await q.query(`DO $$ BEGIN
      IF NOT pg_has_role(current_user, 'opentrail_app', 'MEMBER') THEN
        EXECUTE 'GRANT opentrail_app TO ' || quote_ident(current_user);
      END IF;
    END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO opentrail_app`);

    // The event history: partitioned by day on event_time (retention drops whole partitions).
    // A partitioned table's primary key must contain the partition column, so a repeated eventID
    // is de-duplicated on (account_id, event_id, event_time): a retry of the same record carries the
    // same eventTime. The account comes first so one tenant can never shadow another's eventID.
    await q.query(`CREATE TABLE events (
      account_id varchar(12) NOT NULL,
      event_id uuid NOT NULL,
      event_time timestamptz NOT NULL,
      region varchar(32) NOT NULL,
      event_name text NOT NULL,
      event_source text NOT NULL,
      event_category varchar(32) NOT NULL,
      event_type varchar(32) NOT NULL,
      management_event boolean NOT NULL,
      read_only boolean,
      username text,
      access_key_id text,
      user_identity_arn text,
      user_agent text,
      source_ip_address text,
      error_code text,
      resource_types text[] NOT NULL DEFAULT '{}',
      resource_names text[] NOT NULL DEFAULT '{}',
      record text NOT NULL,
      ingested_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT events_pkey PRIMARY KEY (account_id, event_id, event_time)
    ) PARTITION BY RANGE (event_time)`);
    // Tenant-first lookup indexes: the common LookupEvents shapes are one index range scan each.
    await q.query(`CREATE INDEX events_history_idx ON events (account_id, region, event_time DESC, event_id DESC)`);
    await q.query(`CREATE INDEX events_event_name_idx ON events (account_id, region, event_name, event_time DESC, event_id DESC)`);
    await q.query(`CREATE INDEX events_username_idx ON events (account_id, region, username, event_time DESC, event_id DESC)`);

    // Tenant tables: the app role may read and write only its own tenant's rows.
    const accountScoped = ['iam_users', 'iam_roles', 'access_keys', 'inline_policies', 'policy_attachments'];
    for (const table of accountScoped) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO opentrail_app`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_tenant ON ${table}
        USING (account_id = current_setting('opentrail.account_id', true))
        WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);
    }
    // Events and their outbox are append-only for the app role: no UPDATE, no DELETE.
    for (const table of ['events', 'event_outbox']) {
      await q.query(`GRANT SELECT, INSERT ON ${table} TO opentrail_app`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_tenant ON ${table}
        USING (account_id = current_setting('opentrail.account_id', true))
        WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);
    }
    await q.query(`GRANT USAGE ON SEQUENCE event_outbox_id_seq TO opentrail_app`);

    // Organization-level tables: visible to the accounts of the organization.
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON accounts, organizations, delegated_admins TO opentrail_app`);
    await q.query(`ALTER TABLE accounts ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY accounts_tenant ON accounts
      USING (id = current_setting('opentrail.account_id', true)
             OR organization_id = nullif(current_setting('opentrail.organization_id', true), ''))
      WITH CHECK (id = current_setting('opentrail.account_id', true)
             OR organization_id = nullif(current_setting('opentrail.organization_id', true), ''))`);
    await q.query(`ALTER TABLE organizations ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY organizations_tenant ON organizations
      USING (id = nullif(current_setting('opentrail.organization_id', true), ''))
      WITH CHECK (id = nullif(current_setting('opentrail.organization_id', true), ''))`);
    await q.query(`ALTER TABLE delegated_admins ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY delegated_admins_tenant ON delegated_admins
      USING (organization_id = nullif(current_setting('opentrail.organization_id', true), ''))
      WITH CHECK (organization_id = nullif(current_setting('opentrail.organization_id', true), ''))`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'accounts',
      'organizations',
      'delegated_admins',
      'iam_users',
      'iam_roles',
      'access_keys',
      'inline_policies',
      'policy_attachments',
      'event_outbox',
    ]) {
      await q.query(`DROP POLICY IF EXISTS ${table}_tenant ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
      await q.query(`REVOKE ALL ON ${table} FROM opentrail_app`);
    }
    await q.query(`DROP TABLE events`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM opentrail_app`);
  }
}
