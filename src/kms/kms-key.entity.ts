import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A customer managed KMS key (symmetric, ENCRYPT_DECRYPT). The key material is 32 random bytes
 * sealed under the master key (context `kms-key:<arn>`); it never leaves the server.
 */
@Entity({ name: 'kms_keys' })
@Index('kms_keys_account_region_key', ['accountId', 'region', 'keyId'])
// The deletion worker's sweep over all accounts: only keys pending deletion, by date.
@Index('kms_keys_pending_deletion', ['deletionDate'], { where: `key_state = 'PendingDeletion'` })
export class KmsKeyEntity {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @PrimaryColumn({ name: 'key_id', type: 'uuid' })
  keyId!: string;

  @Column({ type: 'varchar', length: 32 })
  region!: string;

  /** `arn:aws:kms:<region>:<account>:key/<key id>` */
  @Column({ type: 'varchar', length: 256 })
  arn!: string;

  @Column({ type: 'varchar', length: 8192, default: '' })
  description!: string;

  /** Enabled, Disabled or PendingDeletion. */
  @Column({ name: 'key_state', type: 'varchar', length: 24 })
  keyState!: string;

  /** When a key pending deletion is deleted (the deletion worker removes the row after it). */
  @Column({ name: 'deletion_date', type: 'timestamptz', nullable: true })
  deletionDate!: Date | null;

  @Column({ name: 'pending_window_days', type: 'int', nullable: true })
  pendingWindowDays!: number | null;

  /** The key policy named `default`, as the owner put it. */
  @Column({ type: 'jsonb' })
  policy!: unknown;

  @Column({ name: 'sealed_material', type: 'bytea' })
  sealedMaterial!: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
