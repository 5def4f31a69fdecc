import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** A KMS alias (`alias/<name>`) naming one key of the same account and Region. */
@Entity({ name: 'kms_aliases' })
@Index('kms_aliases_account_target', ['accountId', 'targetKeyId'])
export class KmsAliasEntity {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @PrimaryColumn({ type: 'varchar', length: 32 })
  region!: string;

  /** Including the `alias/` prefix, as KMS returns AliasName. */
  @PrimaryColumn({ name: 'alias_name', type: 'varchar', length: 256 })
  aliasName!: string;

  @Column({ name: 'target_key_id', type: 'uuid' })
  targetKeyId!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
