import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../common/request-context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import { toOrganization, toOrganizationAccount } from './organizations.mappers';
import type { OrganizationsService } from './organizations.service';
import {
  CreateAccountInput,
  ListAccountsInput,
  ListAccountsResult,
  Organization,
  OrganizationAccount,
  RemoveAccountFromOrganizationInput,
} from './organizations.types';

// Organizations actions are authorized against `*`, as AWS does for these calls; whether the
// caller's account may act for the organization at all is decided by the services.
@Resolver()
@OperationService({ eventSource: 'organizations.amazonaws.com', actionPrefix: 'organizations' })
export class OrganizationsResolver {
  constructor(private readonly organizations: OrganizationsService) {}

  @Operation()
  @Mutation(() => OrganizationAccount, {
    description:
      'Creates a member account with an OrganizationAccountAccessRole trusting the management account (management account only).',
  })
  async createAccount(
    @Arg('input', () => CreateAccountInput) input: CreateAccountInput,
    @CallerRequest() request: RequestContext,
  ): Promise<OrganizationAccount> {
    return toOrganizationAccount(await this.organizations.createAccount(request, input));
  }

  @Operation()
  @Query(() => ListAccountsResult, { description: 'Accounts of the organization (management account or delegated administrator).' })
  async listAccounts(
    @Arg('input', () => ListAccountsInput, { nullable: true }) input: ListAccountsInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListAccountsResult> {
    const page = await this.organizations.listAccounts(request, input ?? {});
    return { accounts: page.accounts.map(toOrganizationAccount), nextToken: page.nextToken };
  }

  @Operation()
  @Query(() => Organization, { description: 'The organization of the calling account.' })
  async describeOrganization(@CallerRequest() request: RequestContext): Promise<Organization> {
    return toOrganization(await this.organizations.describeOrganization(request));
  }

  @Operation()
  @Mutation(() => Boolean, { description: 'Makes a member account standalone (management account only).' })
  async removeAccountFromOrganization(
    @Arg('input', () => RemoveAccountFromOrganizationInput) input: RemoveAccountFromOrganizationInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.organizations.removeAccountFromOrganization(request, input);
    return true;
  }
}
