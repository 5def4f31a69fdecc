import type { EntityManager } from 'typeorm';
import type { RequestContext } from '../common/request-context';
import type { TaggableResources } from '../tagging/tags.service';
import { resolveTrail, resolveTrailForWrite } from './trail-access';
import { parseTrailArn } from './trail-names';
import { type TrailEntity, TrailEntity as TrailTable } from './trail.entity';
import { TrailErrors } from './trail.errors';

/**
 * Trails as a taggable kind. It takes every ARN the other kinds do not claim, so a malformed one
 * is refused with the trail ARN's error, as CloudTrail does; a trail that is unknown or invisible
 * to the caller is ResourceNotFoundException.
 */
export const trailTags: TaggableResources = {
  handles: () => true,
  validate: (resourceId) => void parseTrailArn(resourceId),
  async getTags(m, ctx, resourceId) {
    return (await find(m, ctx, resourceId, false)).tags;
  },
  async setTags(m, ctx, resourceId, change) {
    const trail = await find(m, ctx, resourceId, true);
    await m.update(TrailTable, { id: trail.id }, { tags: change(trail.tags) });
  },
};

async function find(m: EntityManager, ctx: RequestContext, resourceId: string, forWrite: boolean): Promise<TrailEntity> {
  try {
    return forWrite ? await resolveTrailForWrite(m, ctx, resourceId) : await resolveTrail(m, ctx, resourceId);
  } catch (err) {
    if ((err as { code?: string }).code === 'TrailNotFoundException') throw TrailErrors.resourceNotFound(resourceId);
    throw err;
  }
}
