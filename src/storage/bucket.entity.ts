import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { PolicyDocument } from '../policies/policy-document';

/**
 * A bucket. Names are global across all tenants, as in S3 (BucketAlreadyExists); the owner is
 * the account that created it. The bucket policy decides what the CloudTrail service may write.
 */
@Entity({ name: 'buckets' })
@Index('buckets_account_idx', ['accountId', 'name'])
export class BucketEntity {
  @PrimaryColumn({ type: 'varchar', length: 63 })
  name!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ type: 'varchar', length: 32 })
  region!: string;

  @Column({ type: 'jsonb', nullable: true })
  policy!: PolicyDocument | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
