import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written: tenants may read their own Insights minute counts (listInsightsMetricData), never
 * write them; the other Insights tables (attributions, regions, series state) are service-only.
 * Never edit once landed.
 */
export class InsightsRowLevelSecurity1795497572400 implements MigrationInterface {
  name = 'InsightsRowLevelSecurity1795497572400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT SELECT ON insights_minute_counts TO opentrail_app`);
    await q.query(`ALTER TABLE insights_minute_counts ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY insights_minute_counts_tenant ON insights_minute_counts
      USING (account_id = current_setting('opentrail.account_id', true))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS insights_minute_counts_tenant ON insights_minute_counts`);
    await q.query(`ALTER TABLE insights_minute_counts DISABLE ROW LEVEL SECURITY`);
    await q.query(`REVOKE ALL ON insights_minute_counts FROM opentrail_app`);
  }
}
