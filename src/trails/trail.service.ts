import type { EntityManager } from 'typeorm';
import { type RequestContext, tenantOf } from '../common/request-context';
import { actAsTenant, type Database } from '../db/database';
import { isManagementOrDelegatedAdmin } from '../organizations/organization-admin';
import { TopicEntity } from '../streaming/topic.entity';
import { callerOrganization, resolveTrailForWrite } from './trail-access';
import {
  normaliseKmsKeyId,
  normaliseS3Prefix,
  parseSnsTopic,
  trailArn,
  validateBucketName,
  validateCloudWatchLogs,
  validateTrailName,
} from './trail-names';
import { mergeTags } from '../tagging/tag-rules';
import { TrailEntity } from './trail.entity';
import { TrailErrors } from './trail.errors';
import { trailRepository } from './trail.repository';

/** CloudTrail's quota of trails per Region per account (spec §12.1). */
export const MAX_TRAILS_PER_REGION = 5;

/**
 * The bucket check CloudTrail makes on create/update (spec §4.1, §5.3): the bucket exists and
 * its policy lets the service write `<prefix>/AWSLogs/<account or org>/…`. Implemented by the
 * storage module; throws S3BucketDoesNotExistException / InsufficientS3BucketPolicyException.
 */
export interface TrailBucketChecker {
  checkTrailBucket(
    bucketName: string,
    target: { accountId: string; organizationId: string | null; keyPrefix: string | null; trailArn?: string | null },
  ): Promise<unknown>;
}

/**
 * The KMS key check CloudTrail makes when a trail names a KmsKeyId (spec §7): implemented by
 * src/kms; throws KmsKeyNotFoundException / InsufficientEncryptionPolicyException / KmsException.
 */
export interface TrailKeyChecker {
  /** Returns the key ARN to store (an alias is resolved to the key it names). */
  checkTrailKey(keyArn: string, trail: { trailArn: string; accountId: string; region: string }): Promise<string>;
}

export interface CreateTrailParams {
  name: string;
  s3BucketName: string;
  s3KeyPrefix?: string | null;
  snsTopicName?: string | null;
  includeGlobalServiceEvents?: boolean | null;
  isMultiRegionTrail?: boolean | null;
  enableLogFileValidation?: boolean | null;
  cloudWatchLogsLogGroupArn?: string | null;
  cloudWatchLogsRoleArn?: string | null;
  kmsKeyId?: string | null;
  isOrganizationTrail?: boolean | null;
  tagsList?: Array<{ key: string; value?: string | null }> | null;
}

export type UpdateTrailParams = Omit<CreateTrailParams, 's3BucketName' | 'tagsList'> & { s3BucketName?: string | null };

/**
 * Told after a lifecycle change committed (start/stop logging, validation on/off, delete), so the
 * digest chains start or end at that moment (src/integrity). Failures are the listener's own: the
 * digest tick reconciles the same state later.
 */
export interface TrailLifecycleListener {
  trailChanged(trailId: string): Promise<void>;
}

interface Owner {
  accountId: string;
  organizationId: string | null;
}

const emptyToNull = (v: string | null | undefined) => (v === undefined || v === null || v === '' ? null : v);

/** Trail lifecycle: create, update, delete, start/stop logging (spec §4.1, §4.7, §11.1). */
export class TrailService {
  constructor(
    private readonly db: Database,
    private readonly buckets: TrailBucketChecker,
    private readonly keys?: TrailKeyChecker,
    private readonly listener?: TrailLifecycleListener,
  ) {}

  private async changed(trailId: string): Promise<void> {
    await this.listener?.trailChanged(trailId).catch(() => undefined);
  }

  /** cloudtrail:CreateTrail. The new trail does not log until startLogging. */
  async createTrail(ctx: RequestContext, input: CreateTrailParams): Promise<TrailEntity> {
    validateTrailName(input.name);
    validateBucketName(input.s3BucketName);
    const prefix = normaliseS3Prefix(input.s3KeyPrefix);
    const multiRegion = input.isMultiRegionTrail ?? false;
    const global = input.includeGlobalServiceEvents ?? true;
    if (multiRegion && !global) throw TrailErrors.multiRegionNeedsGlobal();
    const sns = emptyToNull(input.snsTopicName) === null ? null : parseSnsTopic(input.snsTopicName as string);
    const logGroup = emptyToNull(input.cloudWatchLogsLogGroupArn);
    const logsRole = emptyToNull(input.cloudWatchLogsRoleArn);
    validateCloudWatchLogs(logGroup, logsRole);
    const tags = mergeTags(
      [],
      (input.tagsList ?? []).map((t) => ({ Key: t.key, Value: t.value ?? null })),
    );

    const owner = await this.db.inTenant(tenantOf(ctx), (m) => this.ownerFor(m, ctx, input.isOrganizationTrail ?? false));
    let kmsKeyId = emptyToNull(input.kmsKeyId) === null ? null : normaliseKmsKeyId(input.kmsKeyId as string, ctx.region, owner.accountId);
    await this.buckets.checkTrailBucket(input.s3BucketName, {
      accountId: owner.accountId,
      organizationId: owner.organizationId,
      keyPrefix: prefix,
      trailArn: trailArn(ctx.region, owner.accountId, input.name),
    });
    if (kmsKeyId && this.keys)
      kmsKeyId = await this.keys.checkTrailKey(kmsKeyId, {
        trailArn: trailArn(ctx.region, owner.accountId, input.name),
        accountId: owner.accountId,
        region: ctx.region,
      });

    return this.db.inTenant(tenantOf(ctx), async (m) => {
      // Decided again inside the writing transaction: a delegated administrator deregistered
      // meanwhile must not create an organization trail.
      const current = await this.ownerFor(m, ctx, input.isOrganizationTrail ?? false);
      if (current.accountId !== ctx.caller.accountId)
        await actAsTenant(m, { accountId: current.accountId, organizationId: current.organizationId });
      await trailRepository.lockAccountTrails(m, current.accountId);
      if (await trailRepository.nameTaken(m, current.accountId, input.name, ctx.region, multiRegion)) {
        throw TrailErrors.alreadyExists(input.name, current.accountId);
      }
      await this.checkQuota(m, current.accountId, ctx.region, multiRegion);
      const snsTopicName = sns ? await this.topicName(m, current.accountId, ctx.region, sns) : null;
      const entity = m.create(TrailEntity, {
        accountId: current.accountId,
        organizationId: current.organizationId,
        name: input.name,
        homeRegion: ctx.region,
        trailArn: trailArn(ctx.region, current.accountId, input.name),
        s3BucketName: input.s3BucketName,
        s3KeyPrefix: prefix,
        snsTopicName,
        includeGlobalServiceEvents: global,
        isMultiRegionTrail: multiRegion,
        isOrganizationTrail: current.organizationId !== null,
        logFileValidationEnabled: input.enableLogFileValidation ?? false,
        kmsKeyId,
        cloudWatchLogsLogGroupArn: logGroup,
        cloudWatchLogsRoleArn: logsRole,
        eventSelectors: null,
        advancedEventSelectors: null,
        hasCustomEventSelectors: false,
        insightSelectors: null,
        tags,
        isLogging: false,
        startLoggingTime: null,
        stopLoggingTime: null,
      });
      return m.save(entity);
    });
  }

  /** cloudtrail:UpdateTrail. Changes only the supplied fields; an empty string clears an optional one. */
  async updateTrail(ctx: RequestContext, input: UpdateTrailParams): Promise<TrailEntity> {
    if (input.s3BucketName !== undefined && input.s3BucketName !== null) validateBucketName(input.s3BucketName);
    const prefix = input.s3KeyPrefix === undefined || input.s3KeyPrefix === null ? undefined : normaliseS3Prefix(input.s3KeyPrefix);
    const sns = emptyToNull(input.snsTopicName) === null ? null : parseSnsTopic(input.snsTopicName as string);
    const updated = await this.db.inTenant(tenantOf(ctx), async (m) => {
      const trail = await resolveTrailForWrite(m, ctx, input.name);
      const wasOrganization = trail.isOrganizationTrail;
      if (
        input.isOrganizationTrail !== undefined &&
        input.isOrganizationTrail !== null &&
        input.isOrganizationTrail !== trail.isOrganizationTrail
      ) {
        const org = await callerOrganization(m, ctx);
        // Conversion org <-> non-org is the management account's alone (spec §11.1).
        if (org.managementAccountId !== ctx.caller.accountId) {
          throw TrailErrors.notOrganizationMaster(
            'Only the management account of the organization can convert a trail to or from an organization trail.',
          );
        }
        trail.isOrganizationTrail = input.isOrganizationTrail;
        trail.organizationId = input.isOrganizationTrail ? org.id : null;
      }
      await trailRepository.lockAccountTrails(m, trail.accountId);
      const wasMultiRegion = trail.isMultiRegionTrail;
      this.applyRegionSettings(trail, input);
      if (trail.isMultiRegionTrail && !wasMultiRegion) {
        if (await trailRepository.nameTaken(m, trail.accountId, trail.name, trail.homeRegion, true, trail.id))
          throw TrailErrors.alreadyExists(trail.name, trail.accountId);
        await this.checkQuota(m, trail.accountId, trail.homeRegion, true, trail.id);
      }
      if (input.s3BucketName) trail.s3BucketName = input.s3BucketName;
      if (prefix !== undefined) trail.s3KeyPrefix = prefix;
      if (input.snsTopicName !== undefined && input.snsTopicName !== null) {
        trail.snsTopicName = sns ? await this.topicName(m, trail.accountId, trail.homeRegion, sns) : null;
      }
      if (input.kmsKeyId !== undefined && input.kmsKeyId !== null) {
        trail.kmsKeyId = input.kmsKeyId === '' ? null : normaliseKmsKeyId(input.kmsKeyId, trail.homeRegion, trail.accountId);
        if (trail.kmsKeyId && this.keys)
          trail.kmsKeyId = await this.keys.checkTrailKey(trail.kmsKeyId, {
            trailArn: trail.trailArn,
            accountId: trail.accountId,
            region: trail.homeRegion,
          });
      }
      if (input.cloudWatchLogsLogGroupArn != null || input.cloudWatchLogsRoleArn != null) {
        const group = emptyToNull(input.cloudWatchLogsLogGroupArn);
        const role = emptyToNull(input.cloudWatchLogsRoleArn);
        validateCloudWatchLogs(group, role);
        trail.cloudWatchLogsLogGroupArn = group;
        trail.cloudWatchLogsRoleArn = role;
      }
      if (input.enableLogFileValidation != null) trail.logFileValidationEnabled = input.enableLogFileValidation;
      if (input.s3BucketName || prefix !== undefined || wasOrganization !== trail.isOrganizationTrail) {
        await this.buckets.checkTrailBucket(trail.s3BucketName, {
          accountId: trail.accountId,
          organizationId: trail.organizationId,
          keyPrefix: trail.s3KeyPrefix,
          trailArn: trail.trailArn,
        });
      }
      return m.save(trail);
    });
    await this.changed(updated.id);
    return updated;
  }

  /** cloudtrail:DeleteTrail. Delivered objects stay in the bucket. */
  async deleteTrail(ctx: RequestContext, input: { name: string }): Promise<void> {
    const id = await this.db.inTenant(tenantOf(ctx), async (m) => {
      const trail = await resolveTrailForWrite(m, ctx, input.name);
      await m.delete(TrailEntity, { id: trail.id });
      return trail.id;
    });
    await this.changed(id);
  }

  /** cloudtrail:StartLogging / StopLogging. The time moves only when the state changes. */
  async setLogging(ctx: RequestContext, input: { name: string }, logging: boolean): Promise<void> {
    const id = await this.db.inTenant(tenantOf(ctx), async (m) => {
      const trail = await resolveTrailForWrite(m, ctx, input.name);
      if (trail.isLogging === logging) return null;
      const now = new Date();
      await m.update(
        TrailEntity,
        { id: trail.id },
        logging ? { isLogging: true, startLoggingTime: now } : { isLogging: false, stopLoggingTime: now },
      );
      return trail.id;
    });
    if (id) await this.changed(id);
  }

  /** Who owns a new trail: the caller, or for an organization trail the management account. */
  private async ownerFor(m: EntityManager, ctx: RequestContext, organizationTrail: boolean): Promise<Owner> {
    if (!organizationTrail) return { accountId: ctx.caller.accountId, organizationId: null };
    const org = await callerOrganization(m, ctx);
    if (!(await isManagementOrDelegatedAdmin(m, ctx.caller, org.managementAccountId))) {
      throw TrailErrors.notOrganizationMaster(
        'Organization trails can be created only by the management account of the organization or a registered delegated administrator.',
      );
    }
    return { accountId: org.managementAccountId, organizationId: org.id };
  }

  private async checkQuota(m: EntityManager, accountId: string, region: string, multiRegion: boolean, excludeId?: string): Promise<void> {
    const used = multiRegion
      ? await trailRepository.busiestRegionCount(m, accountId, excludeId)
      : await trailRepository.countInRegion(m, accountId, region, excludeId);
    if (used >= MAX_TRAILS_PER_REGION) throw TrailErrors.maximumTrails(region);
  }

  /** Multi-Region and global-event flags after an update (spec §4.1 conversion rules). */
  private applyRegionSettings(trail: TrailEntity, input: UpdateTrailParams): void {
    const multi = input.isMultiRegionTrail ?? trail.isMultiRegionTrail;
    let global = trail.includeGlobalServiceEvents;
    if (input.includeGlobalServiceEvents !== undefined && input.includeGlobalServiceEvents !== null)
      global = input.includeGlobalServiceEvents;
    else if (multi !== trail.isMultiRegionTrail) global = multi; // single->multi turns it on, multi->single off
    if (multi && !global) throw TrailErrors.multiRegionNeedsGlobal();
    trail.isMultiRegionTrail = multi;
    trail.includeGlobalServiceEvents = global;
  }

  /** The topic must exist in the owner account and the trail's region (InsufficientSnsTopicPolicyException). */
  private async topicName(
    m: EntityManager,
    accountId: string,
    region: string,
    sns: { name: string; region: string | null; accountId: string | null },
  ): Promise<string> {
    if ((sns.region !== null && sns.region !== region) || (sns.accountId !== null && sns.accountId !== accountId))
      throw TrailErrors.snsTopicMissing();
    const topic = await m.findOneBy(TopicEntity, { accountId, region, name: sns.name });
    if (!topic) throw TrailErrors.snsTopicMissing();
    return topic.name;
  }
}
