import type { EntityManager } from 'typeorm';
import { type RequestContext, tenantOf } from '../../common/request-context';
import type { Database } from '../../db/database';
import { checkResourcePolicy, type ResourcePolicyGrants } from './lake-resource-policy';
import { ResourcePolicyErrors } from './resource-policy.errors';

/**
 * A type of resource that carries resource-based policies (event data stores, channels; Lake
 * dashboards next), recognised by the resource type of its ARN. Handed to the service by the
 * composition root (src/app/services.ts), as the taggable resources are to the tagging service.
 * Called inside the service's tenant transaction; a resource the caller does not own (or may not
 * administer) is ResourceNotFoundException, whatever the holder's own not-found error is.
 */
export interface ResourcePolicyHolder {
  /** The ARN's resource type: `eventdatastore`, `channel`. */
  type: string;
  grants: ResourcePolicyGrants;
  getPolicy(m: EntityManager, ctx: RequestContext, arn: string): Promise<string | null>;
  setPolicy(m: EntityManager, ctx: RequestContext, arn: string, policy: string | null): Promise<void>;
}

export interface ResourcePolicyResult {
  resourceArn: string;
  resourcePolicy: string;
  /** For organization stores, CloudTrail's generated grant to delegated administrators; see README. */
  delegatedAdminResourcePolicy: string | null;
}

const ARN_CHARS = /^[a-zA-Z0-9._/\-:]{3,256}$/;
const CLOUDTRAIL_ARN = /^arn:aws:cloudtrail:[a-z0-9-]+:\d{12}:([a-z]+)\/[^/]+$/;

/** PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy (spec §8.6). */
export class ResourcePolicyService {
  constructor(
    private readonly db: Database,
    private readonly holders: readonly ResourcePolicyHolder[],
  ) {}

  async put(ctx: RequestContext, input: { resourceArn: string; resourcePolicy: string }): Promise<ResourcePolicyResult> {
    const holder = this.holderFor(input.resourceArn);
    const policy = input.resourcePolicy;
    checkResourcePolicy(policy, holder.grants, input.resourceArn);
    await this.db.inTenant(tenantOf(ctx), (m) => holder.setPolicy(m, ctx, input.resourceArn, policy));
    return { resourceArn: input.resourceArn, resourcePolicy: policy, delegatedAdminResourcePolicy: null };
  }

  async get(ctx: RequestContext, resourceArn: string): Promise<ResourcePolicyResult> {
    const holder = this.holderFor(resourceArn);
    const policy = await this.db.inTenant(tenantOf(ctx), (m) => holder.getPolicy(m, ctx, resourceArn));
    if (policy === null) throw ResourcePolicyErrors.policyNotFound(resourceArn);
    return { resourceArn, resourcePolicy: policy, delegatedAdminResourcePolicy: null };
  }

  async delete(ctx: RequestContext, resourceArn: string): Promise<void> {
    const holder = this.holderFor(resourceArn);
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      if ((await holder.getPolicy(m, ctx, resourceArn)) === null) throw ResourcePolicyErrors.policyNotFound(resourceArn);
      await holder.setPolicy(m, ctx, resourceArn, null);
    });
  }

  /** The holder of a well-formed CloudTrail ARN's type; an ARN of another type is not supported. */
  private holderFor(resourceArn: string): ResourcePolicyHolder {
    const match = typeof resourceArn === 'string' && ARN_CHARS.test(resourceArn) ? CLOUDTRAIL_ARN.exec(resourceArn) : null;
    if (!match) throw ResourcePolicyErrors.arnNotValid(resourceArn);
    const holder = this.holders.find((h) => h.type === match[1]);
    if (!holder) throw ResourcePolicyErrors.typeNotSupported(resourceArn);
    return holder;
  }
}
