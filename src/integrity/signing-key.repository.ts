import type { Pool } from 'pg';

/** A public key as listPublicKeys and validate-logs read it. */
export interface PublicKeyRow {
  fingerprint: string;
  /** PKCS#1 RSAPublicKey DER. */
  der: Buffer;
  validFrom: Date;
  validTo: Date;
}

/** The key of one rotation slot, its private half still sealed under the master key. */
export interface SealedSigningKeyRow {
  id: string;
  fingerprint: string;
  privateKeySealed: Buffer;
}

/** Every statement on `signing_keys` (a service table: keys are per region, not per account). */
export const signingKeyRepository = {
  /** Keys of the region whose validity window overlaps [start, end], oldest first. */
  async overlapping(pool: Pool, region: string, start: Date, end: Date): Promise<PublicKeyRow[]> {
    const { rows } = await pool.query(
      `SELECT fingerprint, public_key_der, valid_from, valid_to FROM signing_keys
       WHERE region = $1 AND valid_from <= $3 AND valid_to >= $2 ORDER BY valid_from`,
      [region, start, end],
    );
    return rows.map((r) => ({ fingerprint: r.fingerprint, der: r.public_key_der, validFrom: r.valid_from, validTo: r.valid_to }));
  },

  async bySlot(pool: Pool, region: string, validFrom: Date): Promise<SealedSigningKeyRow | null> {
    const { rows } = await pool.query(
      `SELECT id, fingerprint, private_key_sealed FROM signing_keys WHERE region = $1 AND valid_from = $2`,
      [region, validFrom],
    );
    return rows[0] ? { id: rows[0].id, fingerprint: rows[0].fingerprint, privateKeySealed: rows[0].private_key_sealed } : null;
  },

  /** Inserts the slot's key unless another process already did (its row wins; read it back with bySlot). */
  async insertUnlessSlotTaken(
    pool: Pool,
    key: {
      id: string;
      region: string;
      fingerprint: string;
      publicKeyDer: Buffer;
      privateKeySealed: Buffer;
      validFrom: Date;
      validTo: Date;
    },
  ): Promise<void> {
    await pool.query(
      `INSERT INTO signing_keys (id, region, fingerprint, public_key_der, private_key_sealed, valid_from, valid_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (region, valid_from) DO NOTHING`,
      [key.id, key.region, key.fingerprint, key.publicKeyDer, key.privateKeySealed, key.validFrom, key.validTo],
    );
  },
};
