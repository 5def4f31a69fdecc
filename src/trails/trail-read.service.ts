import { decodePageToken, encodePageToken } from '../common/page-token';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Database } from '../db/database';
import { TrailDeliveryStatusEntity } from './trail-delivery-status.entity';
import { resolveTrail } from './trail-access';
import { isArnLike, parseTrailArn, validateTrailName } from './trail-names';
import type { TrailEntity } from './trail.entity';
import { TrailErrors } from './trail.errors';
import { trailRepository } from './trail.repository';

export const LIST_TRAILS_PAGE = 50;

export interface TrailStatus {
  trail: TrailEntity;
  delivery: TrailDeliveryStatusEntity | null;
}

/** Reads: GetTrail, DescribeTrails, ListTrails, GetTrailStatus (spec §4.2, §4.7, §1.5). */
export class TrailReadService {
  constructor(private readonly db: Database) {}

  /** cloudtrail:GetTrail, by name or ARN. */
  async getTrail(ctx: RequestContext, input: { name: string }): Promise<TrailEntity> {
    return this.db.inTenant(tenantOf(ctx), (m) => resolveTrail(m, ctx, input.name));
  }

  /**
   * cloudtrail:DescribeTrails. Without names: the trails seen from this Region, shadows included
   * unless includeShadowTrails=false (then only the account's trails homed here). Names or ARNs
   * that match nothing are left out, as CloudTrail does; malformed ones are errors.
   */
  async describeTrails(
    ctx: RequestContext,
    input: { trailNameList?: string[] | null; includeShadowTrails?: boolean | null },
  ): Promise<TrailEntity[]> {
    const includeShadows = input.includeShadowTrails ?? true;
    const names = input.trailNameList ?? [];
    for (const n of names) {
      if (isArnLike(n)) parseTrailArn(n);
      else validateTrailName(n);
    }
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const visible = await trailRepository.listInRegion(m, { accountId: ctx.caller.accountId, region: ctx.region, includeShadows });
      if (names.length === 0) return visible;
      const own = (t: TrailEntity) => t.accountId === ctx.caller.accountId && (t.homeRegion === ctx.region || t.isMultiRegionTrail);
      return visible.filter((t) => names.some((n) => (isArnLike(n) ? t.trailArn === n : own(t) && t.name === n)));
    });
  }

  /** cloudtrail:ListTrails: every trail seen from this Region (shadows included), by ARN, paged. */
  async listTrails(
    ctx: RequestContext,
    input: { nextToken?: string | null; maxResults?: number | null },
  ): Promise<{ trails: TrailEntity[]; nextToken: string | null }> {
    const limit = input.maxResults ?? LIST_TRAILS_PAGE;
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_TRAILS_PAGE)
      throw TrailErrors.invalidParameter(`maxResults must be between 1 and ${LIST_TRAILS_PAGE}.`);
    const after = input.nextToken ? decodePageToken(input.nextToken) : null;
    if (input.nextToken && after === null) throw TrailErrors.invalidParameter('The nextToken is not valid.');
    const rows = await this.db.inTenant(tenantOf(ctx), (m) =>
      trailRepository.listInRegion(m, {
        accountId: ctx.caller.accountId,
        region: ctx.region,
        includeShadows: true,
        afterArn: after,
        limit: limit + 1,
      }),
    );
    const page = rows.slice(0, limit);
    return { trails: page, nextToken: rows.length > limit ? encodePageToken(page[page.length - 1].trailArn) : null };
  }

  /** cloudtrail:GetTrailStatus in ctx.region (each Region of a multi-Region trail has its own). */
  async getTrailStatus(ctx: RequestContext, input: { name: string }): Promise<TrailStatus> {
    const trail = await this.db.inTenant(tenantOf(ctx), (m) => resolveTrail(m, ctx, input.name, { echoNameAsArn: true }));
    // The status row belongs to the trail's owner (row-level security: owner only), but members
    // of the organization may read an organization trail's status. The trail was just found
    // through the caller's own scope, so reading its row by id as the service leaks nothing.
    const delivery = await this.db.dataSource.manager.findOneBy(TrailDeliveryStatusEntity, { trailId: trail.id, region: ctx.region });
    return { trail, delivery };
  }
}
