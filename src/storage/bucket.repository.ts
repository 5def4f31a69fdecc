import type { PoolClient } from 'pg';

/** A row of `buckets`. The policy is the document as the owner put it (normalised JSON). */
export interface BucketRow {
  name: string;
  accountId: string;
  region: string;
  policy: unknown | null;
  createdAt: Date;
}

const COLUMNS = 'name, account_id AS "accountId", region, policy, created_at AS "createdAt"';

/**
 * Every SQL statement on `buckets`. Bucket names are global: `findByName` runs as the service
 * (RLS would hide other accounts' buckets, and a name must be checked against all of them);
 * everything an owner changes runs in the owner's tenant transaction.
 */
/** A bucket row with the organizations that decide whether a service write crosses tenants. */
export interface ServiceBucketRow extends BucketRow {
  ownerOrganizationId: string | null;
  sourceOrganizationId: string | null;
}

export const BucketRepository = {
  /**
   * The bucket and the current organizations of its owner and of `sourceAccountId` (the account a
   * service write is for), in one statement; runs as the service.
   */
  async findForService(client: PoolClient, name: string, sourceAccountId: string): Promise<ServiceBucketRow | null> {
    const { rows } = await client.query<ServiceBucketRow>(
      `SELECT b.name, b.account_id AS "accountId", b.region, b.policy, b.created_at AS "createdAt",
              o.organization_id AS "ownerOrganizationId", s.organization_id AS "sourceOrganizationId"
       FROM buckets b LEFT JOIN accounts o ON o.id = b.account_id LEFT JOIN accounts s ON s.id = $2
       WHERE b.name = $1`,
      [name, sourceAccountId],
    );
    return rows[0] ?? null;
  },

  async findByName(client: PoolClient, name: string): Promise<BucketRow | null> {
    const { rows } = await client.query<BucketRow>(`SELECT ${COLUMNS} FROM buckets WHERE name = $1`, [name]);
    return rows[0] ?? null;
  },

  /** Inserts the bucket; false when the name is taken (by anyone: the primary key is global). */
  async insert(client: PoolClient, row: { name: string; accountId: string; region: string }): Promise<boolean> {
    const { rowCount } = await client.query(
      `INSERT INTO buckets (name, account_id, region) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
      [row.name, row.accountId, row.region],
    );
    return rowCount === 1;
  },

  async listByAccount(client: PoolClient, accountId: string): Promise<BucketRow[]> {
    const { rows } = await client.query<BucketRow>(`SELECT ${COLUMNS} FROM buckets WHERE account_id = $1 ORDER BY name`, [accountId]);
    return rows;
  },

  async delete(client: PoolClient, name: string, accountId: string): Promise<boolean> {
    const { rowCount } = await client.query(`DELETE FROM buckets WHERE name = $1 AND account_id = $2`, [name, accountId]);
    return rowCount === 1;
  },

  async setPolicy(client: PoolClient, name: string, accountId: string, policy: unknown): Promise<boolean> {
    const { rowCount } = await client.query(`UPDATE buckets SET policy = $3 WHERE name = $1 AND account_id = $2`, [
      name,
      accountId,
      JSON.stringify(policy),
    ]);
    return rowCount === 1;
  },

  async clearPolicy(client: PoolClient, name: string, accountId: string): Promise<boolean> {
    const { rowCount } = await client.query(`UPDATE buckets SET policy = NULL WHERE name = $1 AND account_id = $2`, [name, accountId]);
    return rowCount === 1;
  },
};
