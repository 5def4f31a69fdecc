import type { Pool } from 'pg';
import type { EntityManager } from 'typeorm';

/** The installation's management account: that of the organization bootstrapped first. */
export interface InstallationManagement {
  accountId: string;
  organizationId: string;
}

/** The hand-written statements on `organizations`. */
export const organizationRepository = {
  /** Serializes first-start bootstrap until the transaction ends: two processes starting together create one organization. */
  async lockBootstrap(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('opentrail:bootstrap'))`);
  },

  /** Null before any organization exists; runs as the service (the caller names no account). */
  async installationManagement(pool: Pool): Promise<InstallationManagement | null> {
    const { rows } = await pool.query(`SELECT management_account_id, id FROM organizations ORDER BY created_at, id LIMIT 1`);
    return rows[0] ? { accountId: rows[0].management_account_id, organizationId: rows[0].id } : null;
  },
};
