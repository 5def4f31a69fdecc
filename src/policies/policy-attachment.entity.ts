import { CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A managed policy attached to a user or role. */
@Entity({ name: 'policy_attachments' })
export class PolicyAttachmentEntity {
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @PrimaryColumn({ name: 'principal_type', type: 'varchar', length: 8 })
  principalType!: 'user' | 'role';

  @PrimaryColumn({ name: 'principal_ref', type: 'uuid' })
  principalRef!: string;

  @PrimaryColumn({ name: 'policy_arn', type: 'varchar', length: 2048 })
  policyArn!: string;

  @CreateDateColumn({ name: 'attached_at', type: 'timestamptz' })
  attachedAt!: Date;
}
