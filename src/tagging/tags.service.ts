import type { EntityManager } from 'typeorm';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Database } from '../db/database';
import { TagErrors } from './tag.errors';
import { type Tag, mergeTags, withoutTags } from './tag-rules';

export const MAX_LIST_TAGS_ARNS = 20;
type TagInput = { key: string; value?: string | null };

/**
 * A kind of resource the tagging operations serve (trails, event data stores, channels: spec
 * §4.8), recognised by its ARN. Its module implements it; src/app/services.ts hands the kinds to
 * the TagsService. Reads and writes run inside the tagging transaction.
 */
export interface TaggableResources {
  handles(resourceId: string): boolean;
  /** Refuses a malformed id before any work (with the kind's own ARN error). */
  validate?(resourceId: string): void;
  getTags(m: EntityManager, ctx: RequestContext, resourceId: string): Promise<Tag[]>;
  setTags(m: EntityManager, ctx: RequestContext, resourceId: string, change: (tags: Tag[]) => Tag[]): Promise<void>;
}

/** AddTags / RemoveTags / ListTags (spec §4.8) on every taggable kind, in the caller's tenant. */
export class TagsService {
  /** `kinds`: first match wins, so a kind that takes every ARN not claimed before it (trails) goes last. */
  constructor(
    private readonly db: Database,
    private readonly kinds: readonly TaggableResources[],
  ) {}

  async addTags(ctx: RequestContext, input: { resourceId: string; tagsList: TagInput[] }): Promise<void> {
    await this.mutate(ctx, input.resourceId, (tags) => mergeTags(tags, input.tagsList.map(toTag)));
  }

  async removeTags(ctx: RequestContext, input: { resourceId: string; tagsList: TagInput[] }): Promise<void> {
    await this.mutate(ctx, input.resourceId, (tags) => withoutTags(tags, input.tagsList.map(toTag)));
  }

  async listTags(ctx: RequestContext, input: { resourceIdList: string[] }): Promise<Array<{ resourceId: string; tags: Tag[] }>> {
    if (input.resourceIdList.length === 0 || input.resourceIdList.length > MAX_LIST_TAGS_ARNS) {
      throw TagErrors.invalidParameter(`resourceIdList must name 1 to ${MAX_LIST_TAGS_ARNS} resources.`);
    }
    const kinds = input.resourceIdList.map((id) => this.kindOf(id));
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const out: Array<{ resourceId: string; tags: Tag[] }> = [];
      for (const [i, resourceId] of input.resourceIdList.entries())
        out.push({ resourceId, tags: await kinds[i].getTags(m, ctx, resourceId) });
      return out;
    });
  }

  private kindOf(resourceId: string): TaggableResources {
    const kind = this.kinds.find((k) => k.handles(resourceId));
    if (!kind) throw TagErrors.resourceNotFound(resourceId);
    kind.validate?.(resourceId);
    return kind;
  }

  private async mutate(ctx: RequestContext, resourceId: string, change: (tags: Tag[]) => Tag[]): Promise<void> {
    const kind = this.kindOf(resourceId);
    await this.db.inTenant(tenantOf(ctx), (m) => kind.setTags(m, ctx, resourceId, change));
  }
}

const toTag = (t: TagInput): Tag => ({ Key: t.key, Value: t.value ?? null });
