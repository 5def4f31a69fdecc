import { type RequestContext, tenantOf } from '../common/request-context';
import type { Database } from '../db/database';
import { DEFAULT_EVENT_SELECTORS } from '../selectors/selector-matcher';
import {
  type EventSelectorInput,
  validateAdvancedEventSelectors,
  validateEventSelectors,
  validateInsightSelectors,
} from '../selectors/selector-validation';
import { resolveTrail, resolveTrailForWrite } from './trail-access';
import { type AdvancedEventSelector, type EventSelector, type InsightSelector, TrailEntity } from './trail.entity';
import { TrailErrors } from './trail.errors';
import type { TrailBucketChecker, TrailKeyChecker } from './trail.service';

export interface EventSelectorsView {
  trailArn: string;
  eventSelectors: EventSelector[] | null;
  advancedEventSelectors: AdvancedEventSelector[] | null;
}

/** Event selectors and Insights selectors of a trail (spec §4.3, §4.4, §10). */
export class TrailSelectorsService {
  constructor(
    private readonly db: Database,
    private readonly buckets?: TrailBucketChecker,
    private readonly keys?: TrailKeyChecker,
  ) {}

  /** cloudtrail:PutEventSelectors: basic or advanced, never both; one kind replaces the other. */
  async putEventSelectors(
    ctx: RequestContext,
    input: { trailName: string; eventSelectors?: EventSelectorInput[] | null; advancedEventSelectors?: AdvancedEventSelector[] | null },
  ): Promise<EventSelectorsView> {
    const hasBasic = input.eventSelectors !== undefined && input.eventSelectors !== null;
    const hasAdvanced = input.advancedEventSelectors !== undefined && input.advancedEventSelectors !== null;
    if (hasBasic && hasAdvanced)
      throw TrailErrors.parameterCombination('Specify either eventSelectors or advancedEventSelectors, not both.');
    if (!hasBasic && !hasAdvanced) throw TrailErrors.eventSelectors('Specify eventSelectors or advancedEventSelectors.');
    const basic = hasBasic ? validateEventSelectors(input.eventSelectors as EventSelectorInput[]) : null;
    const advanced = hasAdvanced ? validateAdvancedEventSelectors(input.advancedEventSelectors as AdvancedEventSelector[]) : null;
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const trail = await resolveTrailForWrite(m, ctx, input.trailName);
      await m.update(
        TrailEntity,
        { id: trail.id },
        { eventSelectors: basic, advancedEventSelectors: advanced, hasCustomEventSelectors: true },
      );
      return { trailArn: trail.trailArn, eventSelectors: basic, advancedEventSelectors: advanced };
    });
  }

  /** cloudtrail:GetEventSelectors; a trail never configured reports the default basic selector. */
  async getEventSelectors(ctx: RequestContext, input: { trailName: string }): Promise<EventSelectorsView> {
    const trail = await this.db.inTenant(tenantOf(ctx), (m) => resolveTrail(m, ctx, input.trailName));
    if (trail.advancedEventSelectors)
      return { trailArn: trail.trailArn, eventSelectors: null, advancedEventSelectors: trail.advancedEventSelectors };
    return { trailArn: trail.trailArn, eventSelectors: trail.eventSelectors ?? [...DEFAULT_EVENT_SELECTORS], advancedEventSelectors: null };
  }

  /**
   * cloudtrail:PutInsightSelectors; an empty list turns Insights off. Enabling checks the trail's
   * bucket as CreateTrail does (Insights files go to the same bucket: S3BucketDoesNotExistException,
   * InsufficientS3BucketPolicyException) and its KMS key as CreateTrail does (Insights files are
   * encrypted with it: InsufficientEncryptionPolicyException, KmsException, ...). Event data store
   * Insights are src/insights/store-insight-selectors.service.ts.
   */
  async putInsightSelectors(
    ctx: RequestContext,
    input: { trailName: string; insightSelectors: Array<{ InsightType?: string | null; EventCategories?: string[] | null }> },
  ): Promise<{ trailArn: string; insightSelectors: InsightSelector[] }> {
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const trail = await resolveTrailForWrite(m, ctx, input.trailName);
      const selectors = validateInsightSelectors(input.insightSelectors, trail);
      if (selectors.length > 0 && this.buckets) {
        await this.buckets.checkTrailBucket(trail.s3BucketName, {
          accountId: trail.accountId,
          organizationId: trail.organizationId,
          keyPrefix: trail.s3KeyPrefix,
          trailArn: trail.trailArn,
        });
      }
      if (selectors.length > 0 && trail.kmsKeyId && this.keys) {
        await this.keys.checkTrailKey(trail.kmsKeyId, { trailArn: trail.trailArn, accountId: trail.accountId, region: trail.homeRegion });
      }
      await m.update(TrailEntity, { id: trail.id }, { insightSelectors: selectors.length > 0 ? selectors : null });
      return { trailArn: trail.trailArn, insightSelectors: selectors };
    });
  }

  /** cloudtrail:GetInsightSelectors; InsightNotEnabledException when none are set. */
  async getInsightSelectors(
    ctx: RequestContext,
    input: { trailName: string },
  ): Promise<{ trailArn: string; insightSelectors: InsightSelector[] }> {
    const trail = await this.db.inTenant(tenantOf(ctx), (m) => resolveTrail(m, ctx, input.trailName));
    if (!trail.insightSelectors || trail.insightSelectors.length === 0) throw TrailErrors.insightNotEnabled(trail.name);
    return { trailArn: trail.trailArn, insightSelectors: trail.insightSelectors };
  }
}
