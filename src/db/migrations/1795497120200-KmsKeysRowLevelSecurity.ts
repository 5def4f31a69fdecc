import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hand-written: grants and row-level security for kms_keys. A tenant sees only its own keys; key
 * use across accounts (a reader decrypting a shared bucket's files) goes through the service.
 * Never edit once landed.
 */
export class KmsKeysRowLevelSecurity1795497120200 implements MigrationInterface {
  name = 'KmsKeysRowLevelSecurity1795497120200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON kms_keys TO opentrail_app`);
    await q.query(`ALTER TABLE kms_keys ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY kms_keys_tenant ON kms_keys
      USING (account_id = current_setting('opentrail.account_id', true))
      WITH CHECK (account_id = current_setting('opentrail.account_id', true))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY IF EXISTS kms_keys_tenant ON kms_keys`);
    await q.query(`ALTER TABLE kms_keys DISABLE ROW LEVEL SECURITY`);
    await q.query(`REVOKE ALL ON kms_keys FROM opentrail_app`);
  }
}
