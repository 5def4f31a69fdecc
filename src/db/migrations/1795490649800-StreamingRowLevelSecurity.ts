import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written: grants and row-level security for event rules and their dead letters (owner
 * account only). `webhook_deliveries` is worker-only state: the app role gets no grant at all.
 * Never edit once landed.
 */
export class StreamingRowLevelSecurity1795490649800 implements MigrationInterface {
  name = 'StreamingRowLevelSecurity1795490649800';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['event_rules', 'webhook_dead_letters']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO opentrail_app`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_tenant ON ${table}
        USING (account_id = current_setting('opentrail.account_id', true))
        WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['event_rules', 'webhook_dead_letters']) {
      await q.query(`DROP POLICY IF EXISTS ${table}_tenant ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
      await q.query(`REVOKE ALL ON ${table} FROM opentrail_app`);
    }
  }
}
