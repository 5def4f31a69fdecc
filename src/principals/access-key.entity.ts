import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A long-term access key. The secret is stored only as a salted SHA-256 hash (see auth/README.md). */
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

  @Column({ type: 'varchar', length: 16, default: 'Active' })
  status!: 'Active' | 'Inactive';

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
