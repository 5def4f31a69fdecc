import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written: grants and row-level security for trails, buckets, topics and delivery status.
 * Organization trails are readable (never writable) from every account of their organization.
 * Never edit once landed.
 */
export class TrailsRowLevelSecurity1795490300000 implements MigrationInterface {
  name = 'TrailsRowLevelSecurity1795490300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON trails TO opentrail_app`);
    await q.query(`ALTER TABLE trails ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY trails_tenant ON trails
      USING (account_id = current_setting('opentrail.account_id', true)
             OR (is_organization_trail AND organization_id = nullif(current_setting('opentrail.organization_id', true), '')))
      WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);
    for (const table of ['buckets', 'notification_topics', 'trail_delivery_status']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO opentrail_app`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_tenant ON ${table}
        USING (account_id = current_setting('opentrail.account_id', true))
        WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['trails', 'buckets', 'notification_topics', 'trail_delivery_status']) {
      await q.query(`DROP POLICY IF EXISTS ${table}_tenant ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
      await q.query(`REVOKE ALL ON ${table} FROM opentrail_app`);
    }
  }
}
