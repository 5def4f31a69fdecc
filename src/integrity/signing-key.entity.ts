import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One region's RSA-2048 digest signing key (spec §6.5). Keys are per region, not per account:
 * this is a service table (no grant to the tenant role). The private half is stored only sealed
 * under the master key. `validFrom` is the start of the key's rotation slot, so two processes
 * creating the key of the same slot collide on the unique index and one row wins.
 */
@Entity({ name: 'signing_keys' })
@Index('signing_keys_region_valid_from_key', ['region', 'validFrom'], { unique: true })
@Index('signing_keys_fingerprint_key', ['fingerprint'], { unique: true })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  region!: string;

  /** Lowercase hex MD5 of `publicKeyDer` (what digests carry as digestPublicKeyFingerprint). */
  @Column({ type: 'char', length: 32 })
  fingerprint!: string;

  /** PKCS#1 RSAPublicKey DER (base64 begins MIIBCgKCAQEA), served by listPublicKeys. */
  @Column({ name: 'public_key_der', type: 'bytea' })
  publicKeyDer!: Buffer;

  /** PKCS#8 DER of the private key, sealed with MasterKey.seal (context: signing-key:<id>). */
  @Column({ name: 'private_key_sealed', type: 'bytea' })
  privateKeySealed!: Buffer;

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom!: Date;

  @Column({ name: 'valid_to', type: 'timestamptz' })
  validTo!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
