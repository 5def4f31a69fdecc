import { Client } from 'pg';
import { Database, ensureDatabaseExists } from '../../src/db/database';
import { TEST_DATABASE_SERVER, dropDatabase, uniqueName } from '../helpers/test-app';

jest.setTimeout(120_000);

/**
 * Roles are cluster-wide while the migration lock is per database: a migration that alters a role
 * can meet another database's change of the same role. The loser's "tuple concurrently updated"
 * must not stop start-up.
 */
describe('migrations altering cluster-wide roles', () => {
  it('apply when another session changes the same role at the same moment', async () => {
    const url = `${TEST_DATABASE_SERVER}/${uniqueName('roles')}`;
    await ensureDatabaseExists(url);
    const db = new Database(url, 2);
    const other = new Client({ connectionString: `${TEST_DATABASE_SERVER}/postgres` });
    const watcher = new Client({ connectionString: `${TEST_DATABASE_SERVER}/postgres` });
    await other.connect();
    await watcher.connect();
    try {
      // Another installation's change of the reader role, not yet committed.
      await other.query(`BEGIN; ALTER ROLE opentrail_lake_reader CONNECTION LIMIT -1`);
      const migrating = db.migrate();
      migrating.catch(() => undefined);
      // Wait until this database's migration blocks on that change, then let the change commit.
      let waiting = false;
      for (let i = 0; i < 600 && !waiting; i++) {
        // Asked outside `other`'s transaction, which keeps one snapshot of the statistics.
        const { rows } = await watcher.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'ALTER ROLE opentrail_lake_reader LOGIN%'`,
        );
        waiting = rows.length > 0;
        if (!waiting) await new Promise((r) => setTimeout(r, 50));
      }
      expect(waiting).toBe(true);
      await other.query('COMMIT');
      const applied = await migrating;
      expect(applied).toContain('LakeReaderLogin1795500215700');
      expect(applied).toContain('Initial1795487074229'); // applied by the attempt that failed, and still reported
      const { rows } = await db.pool.query(`SELECT rolcanlogin FROM pg_roles WHERE rolname = 'opentrail_lake_reader'`);
      expect(rows[0].rolcanlogin).toBe(true);
    } finally {
      await other.query('ROLLBACK').catch(() => undefined);
      await other.end();
      await watcher.end();
      await db.close();
      await dropDatabase(url);
    }
  });
});
