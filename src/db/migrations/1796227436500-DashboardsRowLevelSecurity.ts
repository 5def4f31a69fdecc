import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written: grants and row-level security for dashboards (owned by one account). The
 * scheduled-refresh tick reads due dashboards as the service. Never edit once landed.
 */
export class DashboardsRowLevelSecurity1796227436500 implements MigrationInterface {
  name = 'DashboardsRowLevelSecurity1796227436500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON dashboards TO opentrail_app`);
    await q.query(`ALTER TABLE dashboards ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY dashboards_tenant ON dashboards
      USING (account_id = current_setting('opentrail.account_id', true))
      WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS dashboards_tenant ON dashboards`);
    await q.query(`ALTER TABLE dashboards DISABLE ROW LEVEL SECURITY`);
    await q.query(`REVOKE ALL ON dashboards FROM opentrail_app`);
  }
}
