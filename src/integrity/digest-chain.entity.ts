import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * The digest chain of one (trail, account, source region): where the next regular digest starts
 * and whether it starts a new chain. It keeps a copy of what digest keys and signatures need
 * (ARN, name, home region, bucket, prefix, organization), so the final digest of a deleted trail
 * can still be written. Service table: the digest worker is its only reader and writer.
 */
@Entity({ name: 'digest_chains' })
export class DigestChainEntity {
  @PrimaryColumn({ name: 'trail_id', type: 'uuid' })
  trailId!: string;

  /** The account whose log files the chain covers (member account for organization trails). */
  @PrimaryColumn({ name: 'account_id', type: 'varchar', length: 12 })
  accountId!: string;

  /** Source region. */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  region!: string;

  @Column({ name: 'trail_account_id', type: 'varchar', length: 12 })
  trailAccountId!: string;

  @Column({ name: 'trail_arn', type: 'varchar', length: 256 })
  trailArn!: string;

  @Column({ name: 'trail_name', type: 'varchar', length: 128 })
  trailName!: string;

  @Column({ name: 'home_region', type: 'varchar', length: 32 })
  homeRegion!: string;

  @Column({ type: 'varchar', length: 63 })
  bucket!: string;

  @Column({ name: 'key_prefix', type: 'varchar', length: 200, nullable: true })
  keyPrefix!: string | null;

  /** Set for organization trails (the `o-…` key segment). */
  @Column({ name: 'organization_id', type: 'varchar', length: 34, nullable: true })
  organizationId!: string | null;

  /** Digests are being produced (trail logging with validation on), or a final one is due. */
  @Column({ type: 'boolean' })
  active!: boolean;

  /** Start of the next regular digest window (whole seconds). */
  @Column({ name: 'next_start', type: 'timestamptz' })
  nextStart!: Date;

  /** The next digest starts a new chain (all previous* fields null). */
  @Column({ name: 'chain_broken', type: 'boolean' })
  chainBroken!: boolean;

  /** Validation stopped (StopLogging, validation off, trail deleted): a final digest ends here. */
  @Column({ name: 'stop_at', type: 'timestamptz', nullable: true })
  stopAt!: Date | null;

  /** Validation (re)started: a new chain begins here once any final digest is written. */
  @Column({ name: 'resume_at', type: 'timestamptz', nullable: true })
  resumeAt!: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
