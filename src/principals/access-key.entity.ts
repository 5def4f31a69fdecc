import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A long-term access key. createSession checks the secret against a salted SHA-256 hash; SigV4
 * needs the secret itself, sealed under the master key (access-key-secrets.ts, auth/README.md).
 */
@Entity({ name: 'access_keys' })
@Index('access_keys_account_user_idx', ['accountId', 'userId'])
export class AccessKeyEntity {
  @PrimaryColumn({ name: 'access_key_id', type: 'varchar', length: 20 })
  accessKeyId!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @Column({ name: 'secret_hash', type: 'varchar', length: 64 })
  secretHash!: string;

  @Column({ name: 'secret_salt', type: 'varchar', length: 32 })
  secretSalt!: string;

  /** The secret sealed for SigV4; null for a key made before SigV4 until its next createSession. */
  @Column({ name: 'secret_sealed', type: 'bytea', nullable: true })
  secretSealed!: Buffer | null;

  @Column({ type: 'varchar', length: 16, default: 'Active' })
  status!: 'Active' | 'Inactive';

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
