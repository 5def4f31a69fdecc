import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/request-context';
import { actAsTenant } from '../db/database';
import { isManagementOrDelegatedAdmin } from '../organizations/organization-admin';
import { OrganizationEntity } from '../organizations/organization.entity';
import { isArnLike, parseTrailArn, trailArn, validateTrailName } from './trail-names';
import type { TrailEntity } from './trail.entity';
import { TrailErrors } from './trail.errors';
import { trailRepository } from './trail.repository';

/**
 * Finding the trail a request names, and deciding whether the caller may change it. Used inside
 * one tenant transaction, so what is found is what row-level security lets the caller see.
 */

export interface ResolveOptions {
  /** GetTrailStatus echoes an unknown name as a full ARN (spec §4.6). */
  echoNameAsArn?: boolean;
}

/**
 * The trail `nameOrArn` designates as seen from ctx.region. Names match the caller's own trails
 * homed here or multi-Region; ARNs also reach shadows and organization trails. A trail that
 * exists but is invisible (another tenant, single-Region elsewhere) is reported exactly like one
 * that does not exist.
 */
export async function resolveTrail(
  m: EntityManager,
  ctx: RequestContext,
  nameOrArn: string,
  opts: ResolveOptions = {},
): Promise<TrailEntity> {
  const account = ctx.caller.accountId;
  if (isArnLike(nameOrArn)) {
    const parsed = parseTrailArn(nameOrArn);
    const trail = await trailRepository.byArn(m, nameOrArn);
    if (trail && (trail.homeRegion === ctx.region || trail.isMultiRegionTrail)) return trail;
    if (parsed.region !== ctx.region) throw TrailErrors.arnWrongRegion(ctx.region);
    throw TrailErrors.notFound(nameOrArn, account);
  }
  validateTrailName(nameOrArn);
  const trail = await trailRepository.byName(m, account, ctx.region, nameOrArn);
  if (!trail) throw TrailErrors.notFound(opts.echoNameAsArn ? trailArn(ctx.region, account, nameOrArn) : nameOrArn, account);
  return trail;
}

/** The caller's organization, or OrganizationsNotInUseException. */
export async function callerOrganization(m: EntityManager, ctx: RequestContext): Promise<OrganizationEntity> {
  if (!ctx.caller.organizationId) throw TrailErrors.organizationsNotInUse();
  const org = await m.findOneBy(OrganizationEntity, { id: ctx.caller.organizationId });
  if (!org) throw TrailErrors.organizationsNotInUse();
  return org;
}

/**
 * Resolves a trail for a mutating operation: home Region only (shadows are read-only), and the
 * caller must own it or, for an organization trail, be a delegated administrator of its
 * organization. In that case the transaction is re-scoped to the owner (the management
 * account) so that row-level security admits the write; the caller's own identity has been
 * checked already.
 */
export async function resolveTrailForWrite(m: EntityManager, ctx: RequestContext, nameOrArn: string): Promise<TrailEntity> {
  const trail = await resolveTrail(m, ctx, nameOrArn);
  if (trail.accountId !== ctx.caller.accountId) {
    // An organization trail is owned by the management account.
    if (!trail.isOrganizationTrail || !(await isManagementOrDelegatedAdmin(m, ctx.caller, trail.accountId))) {
      throw TrailErrors.notOrganizationMaster(
        `Trail ${trail.trailArn} is an organization trail: only the organization's management account or a delegated administrator can change it.`,
      );
    }
  }
  if (trail.homeRegion !== ctx.region) throw TrailErrors.homeRegion(trail.homeRegion);
  if (trail.accountId !== ctx.caller.accountId) await actAsTenant(m, { accountId: trail.accountId, organizationId: trail.organizationId });
  return trail;
}
