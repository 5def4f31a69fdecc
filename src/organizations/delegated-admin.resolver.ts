import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../common/request-context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import type { DelegatedAdminService } from './delegated-admin.service';
import { toOrganizationAccount } from './organizations.mappers';
import {
  DeregisterOrganizationDelegatedAdminInput,
  ListDelegatedAdministratorsResult,
  RegisterOrganizationDelegatedAdminInput,
} from './organizations.types';

// Authorized against `*`, like the Organizations calls; whether the caller's account may act for
// the organization is decided by DelegatedAdminService.
@Resolver()
@OperationService({ eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail' })
export class DelegatedAdminResolver {
  constructor(private readonly delegatedAdmins: DelegatedAdminService) {}

  @Operation()
  @Mutation(() => Boolean, {
    description: 'Registers a member account as CloudTrail delegated administrator (management account only; at most 3).',
  })
  async registerOrganizationDelegatedAdmin(
    @Arg('input', () => RegisterOrganizationDelegatedAdminInput) input: RegisterOrganizationDelegatedAdminInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.delegatedAdmins.register(request, input);
    return true;
  }

  @Operation()
  @Mutation(() => Boolean, { description: 'Removes a CloudTrail delegated administrator (management account only).' })
  async deregisterOrganizationDelegatedAdmin(
    @Arg('input', () => DeregisterOrganizationDelegatedAdminInput) input: DeregisterOrganizationDelegatedAdminInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.delegatedAdmins.deregister(request, input);
    return true;
  }

  // An Organizations call, as in AWS; registering and deregistering are CloudTrail's.
  @Operation({ eventSource: 'organizations.amazonaws.com', action: 'organizations:ListDelegatedAdministrators' })
  @Query(() => ListDelegatedAdministratorsResult, { description: 'CloudTrail delegated administrators of the organization.' })
  async listDelegatedAdministrators(@CallerRequest() request: RequestContext): Promise<ListDelegatedAdministratorsResult> {
    const admins = await this.delegatedAdmins.list(request);
    return {
      delegatedAdministrators: admins.map((a) => ({ ...toOrganizationAccount(a), delegationEnabledDate: a.delegationEnabledDate })),
    };
  }
}
