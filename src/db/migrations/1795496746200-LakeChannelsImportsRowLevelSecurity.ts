import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written: grants and row-level security for channels, imports and import failures (all
 * owned by one account). Imports are written by the lake-import worker as the service.
 * Never edit once landed.
 */
export class LakeChannelsImportsRowLevelSecurity1795496746200 implements MigrationInterface {
  name = 'LakeChannelsImportsRowLevelSecurity1795496746200';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['channels', 'lake_imports', 'lake_import_failures']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO opentrail_app`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_tenant ON ${table}
        USING (account_id = current_setting('opentrail.account_id', true))
        WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['channels', 'lake_imports', 'lake_import_failures']) {
      await q.query(`DROP POLICY IF EXISTS ${table}_tenant ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
      await q.query(`REVOKE ALL ON ${table} FROM opentrail_app`);
    }
  }
}
