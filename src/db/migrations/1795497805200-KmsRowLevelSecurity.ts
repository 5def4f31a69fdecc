import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written: grants and row-level security for kms_keys and kms_aliases. A tenant sees only its
 * own keys and aliases; key use across accounts (a reader decrypting a shared bucket's files, a
 * trail check) goes through the service. Never edit once landed.
 */
export class KmsRowLevelSecurity1795497805200 implements MigrationInterface {
  name = 'KmsRowLevelSecurity1795497805200';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['kms_keys', 'kms_aliases']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO opentrail_app`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_tenant ON ${table}
        USING (account_id = current_setting('opentrail.account_id', true))
        WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['kms_keys', 'kms_aliases']) {
      await q.query(`DROP POLICY IF EXISTS ${table}_tenant ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
      await q.query(`REVOKE ALL ON ${table} FROM opentrail_app`);
    }
  }
}
