import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { toOrganization, toOrganizationAccount } from './organizations.mappers';
import {
  CreateAccountInput,
  ListAccountsInput,
  ListAccountsResult,
  Organization,
  OrganizationAccount,
  RemoveAccountFromOrganizationInput,
} from './organizations.types';

@Resolver()
export class OrganizationsResolver {
  @Mutation(() => OrganizationAccount, {
    description: 'Creates a member account with an OrganizationAccountAccessRole trusting the management account (management account only).',
  })
  async createAccount(@Arg('input', () => CreateAccountInput) input: CreateAccountInput, @Ctx() ctx: GraphQLContext): Promise<OrganizationAccount> {
    return toOrganizationAccount(await ctx.services.organizations.createAccount(requestContext(ctx), input));
  }

  @Query(() => ListAccountsResult, { description: 'Accounts of the organization (management account or delegated administrator).' })
  async listAccounts(@Arg('input', () => ListAccountsInput, { nullable: true }) input: ListAccountsInput | null, @Ctx() ctx: GraphQLContext): Promise<ListAccountsResult> {
    const page = await ctx.services.organizations.listAccounts(requestContext(ctx), input ?? {});
    return { accounts: page.accounts.map(toOrganizationAccount), nextToken: page.nextToken };
  }

  @Query(() => Organization, { description: 'The organization of the calling account.' })
  async describeOrganization(@Ctx() ctx: GraphQLContext): Promise<Organization> {
    return toOrganization(await ctx.services.organizations.describeOrganization(requestContext(ctx)));
  }

  @Mutation(() => Boolean, { description: 'Makes a member account standalone (management account only).' })
  async removeAccountFromOrganization(
    @Arg('input', () => RemoveAccountFromOrganizationInput) input: RemoveAccountFromOrganizationInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.organizations.removeAccountFromOrganization(requestContext(ctx), input);
    return true;
  }
}
