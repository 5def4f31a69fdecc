import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { arns } from '../../common/arn';
import type { OperationResource } from '../../common/cloudtrail-resources';
import type { RequestContext } from '../../common/request-context';
import { Operation, OperationService } from '../../graphql/operation.decorator';
import { CallerRequest } from '../../graphql/request-context.decorator';
import type { ResourcePolicyService } from './resource-policy.service';
import { PutResourcePolicyInput, ResourcePolicyRefInput, ResourcePolicyResult } from './resource-policy.types';

const CLOUDTRAIL_ARN = /^arn:aws:cloudtrail:[a-z0-9-]+:\d{12}:[a-z]+\/[a-zA-Z0-9._-]+$/;

/** The ARN given; anything else is authorized as the account's `*` (the service then refuses it). */
const byResourceArn: OperationResource = (args, caller, meta) => {
  const value: unknown = args.input?.resourceArn;
  return typeof value === 'string' && CLOUDTRAIL_ARN.test(value) ? value : arns.cloudtrail(meta.region, caller.accountId, '*');
};

// The policy text stays out of the self-audit record (up to 8 KB; GetResourcePolicy returns it).
const withoutPolicy = (args: Record<string, any>) => ({ resourceArn: args.input?.resourceArn ?? null });
const resultWithoutPolicy = (result: unknown) => ({ resourceArn: (result as ResourcePolicyResult | null)?.resourceArn ?? null });

@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class ResourcePolicyResolver {
  constructor(private readonly policies: ResourcePolicyService) {}

  @Operation({ resource: byResourceArn, auditRequest: withoutPolicy, auditResponse: resultWithoutPolicy })
  @Mutation(() => ResourcePolicyResult, { description: 'Attaches a resource-based policy to an event data store or a channel.' })
  putResourcePolicy(
    @Arg('input', () => PutResourcePolicyInput) input: PutResourcePolicyInput,
    @CallerRequest() request: RequestContext,
  ): Promise<ResourcePolicyResult> {
    return this.policies.put(request, input);
  }

  @Operation({ resource: byResourceArn })
  @Query(() => ResourcePolicyResult)
  getResourcePolicy(
    @Arg('input', () => ResourcePolicyRefInput) input: ResourcePolicyRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<ResourcePolicyResult> {
    return this.policies.get(request, input.resourceArn);
  }

  @Operation({ resource: byResourceArn })
  @Mutation(() => Boolean)
  async deleteResourcePolicy(
    @Arg('input', () => ResourcePolicyRefInput) input: ResourcePolicyRefInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.policies.delete(request, input.resourceArn);
    return true;
  }
}
