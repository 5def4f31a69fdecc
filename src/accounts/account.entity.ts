import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type AccountStatus = 'ACTIVE' | 'SUSPENDED';

@Entity({ name: 'accounts' })
@Index('accounts_organization_idx', ['organizationId', 'id'])
export class AccountEntity {
  /** 12 digits. */
  @PrimaryColumn({ type: 'varchar', length: 12 })
  id!: string;

  /** Null once the account has been removed from its organization. */
  @Column({ name: 'organization_id', type: 'varchar', length: 34, nullable: true })
  organizationId!: string | null;

  @Column({ type: 'varchar', length: 50 })
  name!: string;

  @Column({ type: 'varchar', length: 64 })
  email!: string;

  @Column({ type: 'varchar', length: 16, default: 'ACTIVE' })
  status!: AccountStatus;

  @Column({ name: 'joined_method', type: 'varchar', length: 16, default: 'CREATED' })
  joinedMethod!: 'CREATED' | 'INVITED';

  @CreateDateColumn({ name: 'joined_at', type: 'timestamptz' })
  joinedAt!: Date;
}
