import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'organizations' })
export class OrganizationEntity {
  /** `o-` + 10 characters. */
  @PrimaryColumn({ type: 'varchar', length: 34 })
  id!: string;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ name: 'management_account_id', type: 'varchar', length: 12 })
  managementAccountId!: string;

  /** Always ALL: OpenTrail organizations behave as AWS Organizations in all-features mode. */
  @Column({ name: 'feature_set', type: 'varchar', length: 16, default: 'ALL' })
  featureSet!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
