import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { PolicyDocument } from '../policies/policy-document';

@Entity({ name: 'iam_roles' })
@Index('iam_roles_account_name_key', ['accountId', 'roleName'], { unique: true })
export class RoleEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ name: 'role_name', type: 'varchar', length: 64 })
  roleName!: string;

  @Column({ type: 'varchar', length: 512, default: '/' })
  path!: string;

  /** AROA… unique id. */
  @Index('iam_roles_principal_id_key', { unique: true })
  @Column({ name: 'principal_id', type: 'varchar', length: 32 })
  principalId!: string;

  @Column({ type: 'varchar', length: 2048 })
  arn!: string;

  @Column({ type: 'varchar', length: 1000, default: '' })
  description!: string;

  @Column({ name: 'assume_role_policy', type: 'jsonb' })
  assumeRolePolicy!: PolicyDocument;

  @Column({ name: 'max_session_duration', type: 'integer', default: 3600 })
  maxSessionDuration!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
