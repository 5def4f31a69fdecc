import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'iam_users' })
@Index('iam_users_account_name_key', ['accountId', 'userName'], { unique: true })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  @Column({ name: 'user_name', type: 'varchar', length: 64 })
  userName!: string;

  @Column({ type: 'varchar', length: 512, default: '/' })
  path!: string;

  /** AIDA… unique id. */
  @Index('iam_users_principal_id_key', { unique: true })
  @Column({ name: 'principal_id', type: 'varchar', length: 32 })
  principalId!: string;

  @Column({ type: 'varchar', length: 2048 })
  arn!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
