import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A member account registered as CloudTrail delegated administrator (at most 3 per organization). */
@Entity({ name: 'delegated_admins' })
export class DelegatedAdminEntity {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 34 })
  organizationId!: string;

  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ name: 'service_principal', type: 'varchar', length: 128, default: 'cloudtrail.amazonaws.com' })
  servicePrincipal!: string;

  @CreateDateColumn({ name: 'registered_at', type: 'timestamptz' })
  registeredAt!: Date;
}
