import type { PoolClient } from 'pg';

export interface KmsAliasRow {
  accountId: string;
  region: string;
  aliasName: string;
  targetKeyId: string;
  createdAt: Date;
}

const COLUMNS = `account_id AS "accountId", region, alias_name AS "aliasName", target_key_id AS "targetKeyId", created_at AS "createdAt"`;

/** Every SQL statement on `kms_aliases` (owner operations in the tenant transaction; lookups by the service for key use). */
export const kmsAliasRepository = {
  async find(client: PoolClient, accountId: string, region: string, aliasName: string): Promise<KmsAliasRow | null> {
    const { rows } = await client.query<KmsAliasRow>(
      `SELECT ${COLUMNS} FROM kms_aliases WHERE account_id = $1 AND region = $2 AND alias_name = $3`,
      [accountId, region, aliasName],
    );
    return rows[0] ?? null;
  },

  /** False when the name is taken in this account and Region. */
  async insert(client: PoolClient, row: { accountId: string; region: string; aliasName: string; targetKeyId: string }): Promise<boolean> {
    const { rowCount } = await client.query(
      `INSERT INTO kms_aliases (account_id, region, alias_name, target_key_id) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [row.accountId, row.region, row.aliasName, row.targetKeyId],
    );
    return rowCount === 1;
  },

  async retarget(client: PoolClient, k: { accountId: string; region: string; aliasName: string }, targetKeyId: string): Promise<void> {
    await client.query(`UPDATE kms_aliases SET target_key_id = $4 WHERE account_id = $1 AND region = $2 AND alias_name = $3`, [
      k.accountId,
      k.region,
      k.aliasName,
      targetKeyId,
    ]);
  },

  async delete(client: PoolClient, k: { accountId: string; region: string; aliasName: string }): Promise<void> {
    await client.query(`DELETE FROM kms_aliases WHERE account_id = $1 AND region = $2 AND alias_name = $3`, [
      k.accountId,
      k.region,
      k.aliasName,
    ]);
  },

  /** Aliases of the account in a Region (optionally of one key) in name order, after `afterName`. */
  async list(
    client: PoolClient,
    accountId: string,
    region: string,
    targetKeyId: string | null,
    afterName: string | null,
    limit: number,
  ): Promise<KmsAliasRow[]> {
    const { rows } = await client.query<KmsAliasRow>(
      `SELECT ${COLUMNS} FROM kms_aliases WHERE account_id = $1 AND region = $2 AND ($3::uuid IS NULL OR target_key_id = $3::uuid)
         AND ($4::text IS NULL OR alias_name COLLATE "C" > $4::text) ORDER BY alias_name COLLATE "C" LIMIT $5`,
      [accountId, region, targetKeyId, afterName, limit],
    );
    return rows;
  },

  /** With its key: a deleted key's aliases go too (KMS deletes them with the key). */
  async deleteForKeys(client: PoolClient, keys: Array<{ accountId: string; keyId: string }>): Promise<void> {
    if (keys.length === 0) return;
    await client.query(
      `DELETE FROM kms_aliases a USING unnest($1::text[], $2::uuid[]) AS k(account_id, key_id) WHERE a.account_id = k.account_id AND a.target_key_id = k.key_id`,
      [keys.map((k) => k.accountId), keys.map((k) => k.keyId)],
    );
  },
};
