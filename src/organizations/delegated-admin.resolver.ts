import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { toOrganizationAccount } from './organizations.mappers';
import {
  DeregisterOrganizationDelegatedAdminInput,
  ListDelegatedAdministratorsResult,
  RegisterOrganizationDelegatedAdminInput,
} from './organizations.types';

@Resolver()
export class DelegatedAdminResolver {
  @Mutation(() => Boolean, { description: 'Registers a member account as CloudTrail delegated administrator (management account only; at most 3).' })
  async registerOrganizationDelegatedAdmin(
    @Arg('input', () => RegisterOrganizationDelegatedAdminInput) input: RegisterOrganizationDelegatedAdminInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.delegatedAdmins.register(requestContext(ctx), input);
    return true;
  }

  @Mutation(() => Boolean, { description: 'Removes a CloudTrail delegated administrator (management account only).' })
  async deregisterOrganizationDelegatedAdmin(
    @Arg('input', () => DeregisterOrganizationDelegatedAdminInput) input: DeregisterOrganizationDelegatedAdminInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    await ctx.services.delegatedAdmins.deregister(requestContext(ctx), input);
    return true;
  }

  @Query(() => ListDelegatedAdministratorsResult, { description: 'CloudTrail delegated administrators of the organization.' })
  async listDelegatedAdministrators(@Ctx() ctx: GraphQLContext): Promise<ListDelegatedAdministratorsResult> {
    const admins = await ctx.services.delegatedAdmins.list(requestContext(ctx));
    return { delegatedAdministrators: admins.map((a) => ({ ...toOrganizationAccount(a), delegationEnabledDate: a.delegationEnabledDate })) };
  }
}
