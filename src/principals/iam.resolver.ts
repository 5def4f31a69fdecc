import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { arns } from '../common/arn';
import type { Caller, RequestContext } from '../common/request-context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import { toIamRole, toIamUser, toManagedPolicy } from './iam.mappers';
import type { IamService } from './iam.service';
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

// IAM actions are authorized against the target principal's ARN in the caller's account. The
// path is not known before the lookup, so the ARN is path-less; `user/*` style patterns match
// both forms.
const userArn = (args: Record<string, any>, caller: Caller): string => {
  const name = args.input?.userName;
  if (typeof name === 'string') return arns.user(caller.accountId, name);
  // No name: the calling user itself (a role session gets a ValidationError from the service).
  return caller.identity.type === 'IAMUser' ? caller.identity.arn : arns.user(caller.accountId, '*');
};
const roleArn = (args: Record<string, any>, caller: Caller): string => arns.role(caller.accountId, String(args.input?.roleName ?? '*'));
const allUsers = (_args: Record<string, any>, caller: Caller) => arns.user(caller.accountId, '*');
const allRoles = (_args: Record<string, any>, caller: Caller) => arns.role(caller.accountId, '*');

@Resolver()
@OperationService({ eventSource: 'iam.amazonaws.com', actionPrefix: 'iam' })
export class IamResolver {
  constructor(private readonly iam: IamService) {}

  @Operation({ resource: userArn })
  @Mutation(() => IamUser, { description: 'Creates an IAM user in the calling account (IAM CreateUser).' })
  async createUser(
    @Arg('input', () => CreateUserInput) input: CreateUserInput,
    @CallerRequest() request: RequestContext,
  ): Promise<IamUser> {
    return toIamUser(await this.iam.createUser(request, input));
  }

  @Operation({ resource: userArn })
  @Query(() => IamUser, { description: 'A user of the calling account; without userName, the calling user (IAM GetUser).' })
  async getUser(
    @Arg('input', () => UserNameInput, { nullable: true }) input: UserNameInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<IamUser> {
    return toIamUser(await this.iam.getUser(request, input ?? {}));
  }

  @Operation({ resource: allUsers })
  @Query(() => ListUsersResult, { description: 'Users of the calling account, by name (IAM ListUsers).' })
  async listUsers(
    @Arg('input', () => ListPrincipalsInput, { nullable: true }) input: ListPrincipalsInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListUsersResult> {
    const page = await this.iam.listUsers(request, input ?? {});
    return { users: page.items.map(toIamUser), isTruncated: page.marker !== null, marker: page.marker };
  }

  @Operation({ resource: roleArn })
  @Mutation(() => IamRole, { description: 'Creates a role with a trust policy (IAM CreateRole).' })
  async createRole(
    @Arg('input', () => CreateRoleInput) input: CreateRoleInput,
    @CallerRequest() request: RequestContext,
  ): Promise<IamRole> {
    return toIamRole(await this.iam.createRole(request, input));
  }

  @Operation({ resource: allRoles })
  @Query(() => ListRolesResult, { description: 'Roles of the calling account, by name (IAM ListRoles).' })
  async listRoles(
    @Arg('input', () => ListPrincipalsInput, { nullable: true }) input: ListPrincipalsInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListRolesResult> {
    const page = await this.iam.listRoles(request, input ?? {});
    return { roles: page.items.map(toIamRole), isTruncated: page.marker !== null, marker: page.marker };
  }

  @Operation({ resource: userArn })
  @Mutation(() => CreateAccessKeyResult, {
    description: 'Creates an access key (at most 2 per user); the secret is returned only here (IAM CreateAccessKey).',
  })
  async createAccessKey(
    @Arg('input', () => UserNameInput, { nullable: true }) input: UserNameInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<CreateAccessKeyResult> {
    return { accessKey: await this.iam.createAccessKey(request, input ?? {}) };
  }

  @Operation({ resource: userArn })
  @Mutation(() => Boolean, { description: 'Deletes an access key; its sessions stop working at once (IAM DeleteAccessKey).' })
  async deleteAccessKey(
    @Arg('input', () => DeleteAccessKeyInput) input: DeleteAccessKeyInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.iam.deleteAccessKey(request, input);
    return true;
  }

  @Operation({ resource: userArn })
  @Query(() => ListAccessKeysResult, { description: 'Access keys of a user, without secrets (IAM ListAccessKeys).' })
  async listAccessKeys(
    @Arg('input', () => UserNameInput, { nullable: true }) input: UserNameInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListAccessKeysResult> {
    return { accessKeyMetadata: await this.iam.listAccessKeys(request, input ?? {}), isTruncated: false };
  }

  @Operation({ resource: userArn })
  @Mutation(() => Boolean, { description: 'Creates or replaces an inline policy of a user (IAM PutUserPolicy).' })
  async putUserPolicy(
    @Arg('input', () => PutUserPolicyInput) input: PutUserPolicyInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.iam.putInlinePolicy(request, 'user', { ...input, principalName: input.userName });
    return true;
  }

  @Operation({ resource: roleArn })
  @Mutation(() => Boolean, { description: 'Creates or replaces an inline policy of a role (IAM PutRolePolicy).' })
  async putRolePolicy(
    @Arg('input', () => PutRolePolicyInput) input: PutRolePolicyInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.iam.putInlinePolicy(request, 'role', { ...input, principalName: input.roleName });
    return true;
  }

  @Operation({ resource: userArn })
  @Mutation(() => Boolean, { description: 'Attaches a managed policy to a user (IAM AttachUserPolicy).' })
  async attachUserPolicy(
    @Arg('input', () => AttachUserPolicyInput) input: AttachUserPolicyInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.iam.attachManagedPolicy(request, 'user', { principalName: input.userName, policyArn: input.policyArn });
    return true;
  }

  @Operation({ resource: roleArn })
  @Mutation(() => Boolean, { description: 'Attaches a managed policy to a role (IAM AttachRolePolicy).' })
  async attachRolePolicy(
    @Arg('input', () => AttachRolePolicyInput) input: AttachRolePolicyInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.iam.attachManagedPolicy(request, 'role', { principalName: input.roleName, policyArn: input.policyArn });
    return true;
  }

  @Operation()
  @Query(() => ListPoliciesResult, { description: 'The AWS-managed policies that can be attached (IAM ListPolicies).' })
  async listPolicies(@CallerRequest() request: RequestContext): Promise<ListPoliciesResult> {
    const policies = await this.iam.listPolicies(request);
    return { policies: policies.map(toManagedPolicy), isTruncated: false };
  }
}
