import type { EntityManager } from 'typeorm';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Database } from '../db/database';
import { type Tag, mergeTags, withoutTags } from '../tagging/tag-rules';
import { resolveTrail, resolveTrailForWrite } from './trail-access';
import { parseTrailArn } from './trail-names';
import { type TrailEntity, TrailEntity as TrailTable } from './trail.entity';
import { TrailErrors } from './trail.errors';

export const MAX_LIST_TAGS_ARNS = 20;
type TagInput = { key: string; value?: string | null };

/**
 * Other resources the tagging operations serve (event data stores, channels: spec §4.8),
 * recognised by the shape of their ARN. Called inside the tagging transaction.
 */
export interface TaggableResources {
  handles(resourceId: string): boolean;
  getTags(m: EntityManager, ctx: RequestContext, resourceId: string): Promise<Tag[]>;
  setTags(m: EntityManager, ctx: RequestContext, resourceId: string, change: (tags: Tag[]) => Tag[]): Promise<void>;
}

/**
 * AddTags / RemoveTags / ListTags on trails (spec §4.8). Resources are named by trail ARN; one
 * that is unknown or invisible to the caller is ResourceNotFoundException.
 */
export class TrailTagsService {
  /** `others`: the non-trail resources, handed in by the composition root (src/app/services.ts). */
  constructor(
    private readonly db: Database,
    private readonly others: readonly TaggableResources[] = [],
  ) {}

  async addTags(ctx: RequestContext, input: { resourceId: string; tagsList: TagInput[] }): Promise<void> {
    await this.mutate(ctx, input.resourceId, (tags) => mergeTags(tags, input.tagsList.map(toTag)));
  }

  async removeTags(ctx: RequestContext, input: { resourceId: string; tagsList: TagInput[] }): Promise<void> {
    await this.mutate(ctx, input.resourceId, (tags) => withoutTags(tags, input.tagsList.map(toTag)));
  }

  async listTags(ctx: RequestContext, input: { resourceIdList: string[] }): Promise<Array<{ resourceId: string; tags: Tag[] }>> {
    if (input.resourceIdList.length === 0 || input.resourceIdList.length > MAX_LIST_TAGS_ARNS) {
      throw TrailErrors.invalidParameter(`resourceIdList must name 1 to ${MAX_LIST_TAGS_ARNS} resources.`);
    }
    for (const id of input.resourceIdList) if (!this.otherFor(id)) parseTrailArn(id);
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const out: Array<{ resourceId: string; tags: Tag[] }> = [];
      for (const id of input.resourceIdList) {
        const other = this.otherFor(id);
        out.push({ resourceId: id, tags: other ? await other.getTags(m, ctx, id) : (await this.find(m, ctx, id, false)).tags });
      }
      return out;
    });
  }

  private otherFor(resourceId: string): TaggableResources | undefined {
    return this.others.find((o) => o.handles(resourceId));
  }

  private async mutate(ctx: RequestContext, resourceId: string, change: (tags: Tag[]) => Tag[]): Promise<void> {
    const other = this.otherFor(resourceId);
    if (other) {
      await this.db.inTenant(tenantOf(ctx), (m) => other.setTags(m, ctx, resourceId, change));
      return;
    }
    parseTrailArn(resourceId);
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const trail = await this.find(m, ctx, resourceId, true);
      await m.update(TrailTable, { id: trail.id }, { tags: change(trail.tags) });
    });
  }

  private async find(m: EntityManager, ctx: RequestContext, resourceId: string, forWrite: boolean): Promise<TrailEntity> {
    try {
      return forWrite ? await resolveTrailForWrite(m, ctx, resourceId) : await resolveTrail(m, ctx, resourceId);
    } catch (err) {
      if ((err as { code?: string }).code === 'TrailNotFoundException') throw TrailErrors.resourceNotFound(resourceId);
      throw err;
    }
  }
}

const toTag = (t: TagInput): Tag => ({ Key: t.key, Value: t.value ?? null });
