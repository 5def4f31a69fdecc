import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * Installation-wide settings the service keeps about itself (not tenant data: the application
 * role has no grant on this table). Today: the master key check value.
 */
@Entity({ name: 'service_settings' })
export class ServiceSettingEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'text' })
  value!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
