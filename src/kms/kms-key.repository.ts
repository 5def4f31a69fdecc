import type { PoolClient } from 'pg';

export interface KmsKeyRow {
  accountId: string;
  keyId: string;
  region: string;
  arn: string;
  description: string;
  keyState: 'Enabled' | 'Disabled' | 'PendingDeletion';
  deletionDate: Date | null;
  pendingWindowDays: number | null;
  policy: unknown;
  sealedMaterial: Buffer;
  createdAt: Date;
}

const COLUMNS = `account_id AS "accountId", key_id AS "keyId", region, arn, description, key_state AS "keyState",
  deletion_date AS "deletionDate", pending_window_days AS "pendingWindowDays", policy, sealed_material AS "sealedMaterial", created_at AS "createdAt"`;

/** A key whose deletion date has passed is gone, whether or not the deletion worker ran yet. */
const LIVE = `NOT (key_state = 'PendingDeletion' AND deletion_date <= now())`;

/**
 * Every SQL statement on `kms_keys`. Owner operations run in the owner's tenant transaction
 * (RLS); key use by the service (delivery, object reads, trail checks) looks a key up by its ARN's
 * account and id as the service, because the reader may be in another account.
 */
/** A key with the current organizations of its owner and of the account the service uses it for. */
export interface ServiceKeyRow extends KmsKeyRow {
  keyOrganizationId: string | null;
  sourceOrganizationId: string | null;
}

export const kmsKeyRepository = {
  /** `find` for the service's use of a key on behalf of `sourceAccountId`, with both organizations. */
  async findForService(
    client: PoolClient,
    accountId: string,
    region: string,
    keyId: string,
    sourceAccountId: string,
  ): Promise<ServiceKeyRow | null> {
    const { rows } = await client.query<ServiceKeyRow>(
      `SELECT ${COLUMNS},
              (SELECT organization_id FROM accounts WHERE id = kms_keys.account_id) AS "keyOrganizationId",
              (SELECT organization_id FROM accounts WHERE id = $4) AS "sourceOrganizationId"
       FROM kms_keys WHERE account_id = $1 AND region = $2 AND key_id = $3 AND ${LIVE}`,
      [accountId, region, keyId, sourceAccountId],
    );
    return rows[0] ?? null;
  },

  async find(
    client: PoolClient,
    accountId: string,
    region: string,
    keyId: string,
    opts: { forUpdate?: boolean } = {},
  ): Promise<KmsKeyRow | null> {
    const { rows } = await client.query<KmsKeyRow>(
      `SELECT ${COLUMNS} FROM kms_keys WHERE account_id = $1 AND region = $2 AND key_id = $3 AND ${LIVE}${opts.forUpdate ? ' FOR UPDATE' : ''}`,
      [accountId, region, keyId],
    );
    return rows[0] ?? null;
  },

  async insert(client: PoolClient, row: Omit<KmsKeyRow, 'createdAt' | 'deletionDate' | 'pendingWindowDays'>): Promise<KmsKeyRow> {
    const { rows } = await client.query<KmsKeyRow>(
      `INSERT INTO kms_keys (account_id, key_id, region, arn, description, key_state, policy, sealed_material)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      [row.accountId, row.keyId, row.region, row.arn, row.description, row.keyState, JSON.stringify(row.policy), row.sealedMaterial],
    );
    return rows[0];
  },

  /** Serializes the account's key creations until the transaction ends, so two cannot both pass the per-Region limit. */
  async lockAccountKeys(client: PoolClient, accountId: string): Promise<void> {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('opentrail:kms:' || $1))`, [accountId]);
  },

  async countInRegion(client: PoolClient, accountId: string, region: string): Promise<number> {
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM kms_keys WHERE account_id = $1 AND region = $2 AND ${LIVE}`, [
      accountId,
      region,
    ]);
    return rows[0].n;
  },

  /** Keys of an account in a Region in key id order, after `afterKeyId`. */
  async list(
    client: PoolClient,
    accountId: string,
    region: string,
    afterKeyId: string | null,
    limit: number,
  ): Promise<Array<{ keyId: string; arn: string }>> {
    const { rows } = await client.query(
      `SELECT key_id AS "keyId", arn FROM kms_keys WHERE account_id = $1 AND region = $2 AND ${LIVE} AND ($3::uuid IS NULL OR key_id > $3::uuid)
       ORDER BY key_id LIMIT $4`,
      [accountId, region, afterKeyId, limit],
    );
    return rows;
  },

  async setState(
    client: PoolClient,
    k: { accountId: string; keyId: string },
    state: KmsKeyRow['keyState'],
    deletion: { date: Date; days: number } | null,
  ): Promise<void> {
    await client.query(
      `UPDATE kms_keys SET key_state = $3, deletion_date = $4, pending_window_days = $5 WHERE account_id = $1 AND key_id = $2`,
      [k.accountId, k.keyId, state, deletion?.date ?? null, deletion?.days ?? null],
    );
  },

  async setPolicy(client: PoolClient, k: { accountId: string; keyId: string }, policy: unknown): Promise<void> {
    await client.query(`UPDATE kms_keys SET policy = $3 WHERE account_id = $1 AND key_id = $2`, [
      k.accountId,
      k.keyId,
      JSON.stringify(policy),
    ]);
  },

  /** Deletes keys whose waiting period has ended (all accounts: the deletion worker, as the service). */
  async purgeDeleted(client: PoolClient, limit: number): Promise<Array<{ accountId: string; keyId: string; arn: string }>> {
    const { rows } = await client.query(
      `DELETE FROM kms_keys WHERE (account_id, key_id) IN (
         SELECT account_id, key_id FROM kms_keys WHERE key_state = 'PendingDeletion' AND deletion_date <= now() LIMIT $1)
       RETURNING account_id AS "accountId", key_id AS "keyId", arn`,
      [limit],
    );
    return rows;
  },
};
