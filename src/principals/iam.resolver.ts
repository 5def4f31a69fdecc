import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { toIamRole, toIamUser, toManagedPolicy } from './iam.mappers';
import {
  AttachRolePolicyInput,
  AttachUserPolicyInput,
  CreateAccessKeyResult,
  CreateRoleInput,
  CreateUserInput,
  DeleteAccessKeyInput,
  IamRole,
  IamUser,
  ListAccessKeysResult,
  ListPoliciesResult,
  ListPrincipalsInput,
  ListRolesResult,
  ListUsersResult,
  PutRolePolicyInput,
  PutUserPolicyInput,
  UserNameInput,
} from './iam.types';

@Resolver()
export class IamResolver {
  @Mutation(() => IamUser, { description: 'Creates an IAM user in the calling account (IAM CreateUser).' })
  async createUser(@Arg('input', () => CreateUserInput) input: CreateUserInput, @Ctx() ctx: GraphQLContext): Promise<IamUser> {
    return toIamUser(await ctx.services.iam.createUser(requestContext(ctx), input));
  }

  @Query(() => IamUser, { description: 'A user of the calling account; without userName, the calling user (IAM GetUser).' })
  async getUser(@Arg('input', () => UserNameInput, { nullable: true }) input: UserNameInput | null, @Ctx() ctx: GraphQLContext): Promise<IamUser> {
    return toIamUser(await ctx.services.iam.getUser(requestContext(ctx), input ?? {}));
  }

  @Query(() => ListUsersResult, { description: 'Users of the calling account, by name (IAM ListUsers).' })
  async listUsers(@Arg('input', () => ListPrincipalsInput, { nullable: true }) input: ListPrincipalsInput | null, @Ctx() ctx: GraphQLContext): Promise<ListUsersResult> {
    const page = await ctx.services.iam.listUsers(requestContext(ctx), input ?? {});
    return { users: page.items.map(toIamUser), isTruncated: page.marker !== null, marker: page.marker };
  }

  @Mutation(() => IamRole, { description: 'Creates a role with a trust policy (IAM CreateRole).' })
  async createRole(@Arg('input', () => CreateRoleInput) input: CreateRoleInput, @Ctx() ctx: GraphQLContext): Promise<IamRole> {
    return toIamRole(await ctx.services.iam.createRole(requestContext(ctx), input));
  }

  @Query(() => ListRolesResult, { description: 'Roles of the calling account, by name (IAM ListRoles).' })
  async listRoles(@Arg('input', () => ListPrincipalsInput, { nullable: true }) input: ListPrincipalsInput | null, @Ctx() ctx: GraphQLContext): Promise<ListRolesResult> {
    const page = await ctx.services.iam.listRoles(requestContext(ctx), input ?? {});
    return { roles: page.items.map(toIamRole), isTruncated: page.marker !== null, marker: page.marker };
  }

  @Mutation(() => CreateAccessKeyResult, { description: 'Creates an access key (at most 2 per user); the secret is returned only here (IAM CreateAccessKey).' })
  async createAccessKey(@Arg('input', () => UserNameInput, { nullable: true }) input: UserNameInput | null, @Ctx() ctx: GraphQLContext): Promise<CreateAccessKeyResult> {
    return { accessKey: await ctx.services.iam.createAccessKey(requestContext(ctx), input ?? {}) };
  }

  @Mutation(() => Boolean, { description: 'Deletes an access key; its sessions stop working at once (IAM DeleteAccessKey).' })
  async deleteAccessKey(@Arg('input', () => DeleteAccessKeyInput) input: DeleteAccessKeyInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.iam.deleteAccessKey(requestContext(ctx), input);
    return true;
  }

  @Query(() => ListAccessKeysResult, { description: 'Access keys of a user, without secrets (IAM ListAccessKeys).' })
  async listAccessKeys(@Arg('input', () => UserNameInput, { nullable: true }) input: UserNameInput | null, @Ctx() ctx: GraphQLContext): Promise<ListAccessKeysResult> {
    return { accessKeyMetadata: await ctx.services.iam.listAccessKeys(requestContext(ctx), input ?? {}), isTruncated: false };
  }

  @Mutation(() => Boolean, { description: 'Creates or replaces an inline policy of a user (IAM PutUserPolicy).' })
  async putUserPolicy(@Arg('input', () => PutUserPolicyInput) input: PutUserPolicyInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.iam.putInlinePolicy(requestContext(ctx), 'user', { ...input, principalName: input.userName });
    return true;
  }

  @Mutation(() => Boolean, { description: 'Creates or replaces an inline policy of a role (IAM PutRolePolicy).' })
  async putRolePolicy(@Arg('input', () => PutRolePolicyInput) input: PutRolePolicyInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.iam.putInlinePolicy(requestContext(ctx), 'role', { ...input, principalName: input.roleName });
    return true;
  }

  @Mutation(() => Boolean, { description: 'Attaches a managed policy to a user (IAM AttachUserPolicy).' })
  async attachUserPolicy(@Arg('input', () => AttachUserPolicyInput) input: AttachUserPolicyInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.iam.attachManagedPolicy(requestContext(ctx), 'user', { principalName: input.userName, policyArn: input.policyArn });
    return true;
  }

  @Mutation(() => Boolean, { description: 'Attaches a managed policy to a role (IAM AttachRolePolicy).' })
  async attachRolePolicy(@Arg('input', () => AttachRolePolicyInput) input: AttachRolePolicyInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.iam.attachManagedPolicy(requestContext(ctx), 'role', { principalName: input.roleName, policyArn: input.policyArn });
    return true;
  }

  @Query(() => ListPoliciesResult, { description: 'The AWS-managed policies that can be attached (IAM ListPolicies).' })
  async listPolicies(@Ctx() ctx: GraphQLContext): Promise<ListPoliciesResult> {
    const policies = await ctx.services.iam.listPolicies(requestContext(ctx));
    return { policies: policies.map(toManagedPolicy), isTruncated: false };
  }
}
