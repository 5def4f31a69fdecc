import { Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { PolicyDocument } from './policy-document';

/** An inline policy embedded in a user or role (putUserPolicy / putRolePolicy). */
@Entity({ name: 'inline_policies' })
@Index('inline_policies_principal_name_key', ['accountId', 'principalType', 'principalRef', 'policyName'], { unique: true })
export class InlinePolicyEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ name: 'principal_type', type: 'varchar', length: 8 })
  principalType!: 'user' | 'role';

  @Column({ name: 'principal_ref', type: 'uuid' })
  principalRef!: string;

  @Column({ name: 'policy_name', type: 'varchar', length: 128 })
  policyName!: string;

  @Column({ type: 'jsonb' })
  document!: PolicyDocument;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
