import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import {
  AliasInput,
  AliasNameInput,
  ListAliasesInput,
  ListAliasesResult,
  CancelKeyDeletionResult,
  CreateKeyInput,
  GetKeyPolicyInput,
  KeyIdInput,
  KeyMetadataResult,
  KeyPolicyResult,
  ListKeysInput,
  ListKeysResult,
  PutKeyPolicyInput,
  ScheduleKeyDeletionInput,
  ScheduleKeyDeletionResult,
} from './kms.types';

@Resolver()
export class KmsResolver {
  @Mutation(() => KeyMetadataResult, { description: 'Creates a customer managed symmetric key (KMS CreateKey).' })
  async createKey(@Arg('input', () => CreateKeyInput, { nullable: true }) input: CreateKeyInput | null, @Ctx() ctx: GraphQLContext): Promise<KeyMetadataResult> {
    return { keyMetadata: await ctx.services.kms.keys.createKey(requestContext(ctx), input ?? {}) };
  }

  @Query(() => KeyMetadataResult, { description: 'KMS DescribeKey.' })
  async describeKey(@Arg('input', () => KeyIdInput) input: KeyIdInput, @Ctx() ctx: GraphQLContext): Promise<KeyMetadataResult> {
    return { keyMetadata: await ctx.services.kms.keys.describeKey(requestContext(ctx), input.keyId) };
  }

  @Query(() => ListKeysResult, { description: "KMS ListKeys: the account's keys in the Region." })
  async listKeys(@Arg('input', () => ListKeysInput, { nullable: true }) input: ListKeysInput | null, @Ctx() ctx: GraphQLContext): Promise<ListKeysResult> {
    return ctx.services.kms.keys.listKeys(requestContext(ctx), input ?? {});
  }

  @Mutation(() => Boolean, { description: 'KMS EnableKey.' })
  async enableKey(@Arg('input', () => KeyIdInput) input: KeyIdInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.kms.keys.enableKey(requestContext(ctx), input.keyId);
    return true;
  }

  @Mutation(() => Boolean, { description: 'KMS DisableKey.' })
  async disableKey(@Arg('input', () => KeyIdInput) input: KeyIdInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.kms.keys.disableKey(requestContext(ctx), input.keyId);
    return true;
  }

  @Mutation(() => ScheduleKeyDeletionResult, { description: 'KMS ScheduleKeyDeletion (7-30 days, default 30).' })
  async scheduleKeyDeletion(@Arg('input', () => ScheduleKeyDeletionInput) input: ScheduleKeyDeletionInput, @Ctx() ctx: GraphQLContext): Promise<ScheduleKeyDeletionResult> {
    return ctx.services.kms.keys.scheduleKeyDeletion(requestContext(ctx), input.keyId, input.pendingWindowInDays);
  }

  @Mutation(() => CancelKeyDeletionResult, { description: 'KMS CancelKeyDeletion: the key is left Disabled.' })
  async cancelKeyDeletion(@Arg('input', () => KeyIdInput) input: KeyIdInput, @Ctx() ctx: GraphQLContext): Promise<CancelKeyDeletionResult> {
    return ctx.services.kms.keys.cancelKeyDeletion(requestContext(ctx), input.keyId);
  }

  @Mutation(() => Boolean, { description: 'KMS PutKeyPolicy (policy name `default`).' })
  async putKeyPolicy(@Arg('input', () => PutKeyPolicyInput) input: PutKeyPolicyInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.kms.keys.putKeyPolicy(requestContext(ctx), input);
    return true;
  }

  @Mutation(() => Boolean, { description: 'KMS CreateAlias: alias/<name> for a key of the same account and Region.' })
  async createAlias(@Arg('input', () => AliasInput) input: AliasInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.kms.aliases.createAlias(requestContext(ctx), input);
    return true;
  }

  @Mutation(() => Boolean, { description: 'KMS UpdateAlias: points the alias at another key.' })
  async updateAlias(@Arg('input', () => AliasInput) input: AliasInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.kms.aliases.updateAlias(requestContext(ctx), input);
    return true;
  }

  @Mutation(() => Boolean, { description: 'KMS DeleteAlias.' })
  async deleteAlias(@Arg('input', () => AliasNameInput) input: AliasNameInput, @Ctx() ctx: GraphQLContext): Promise<boolean> {
    await ctx.services.kms.aliases.deleteAlias(requestContext(ctx), input);
    return true;
  }

  @Query(() => ListAliasesResult, { description: "KMS ListAliases: the account's aliases in the Region." })
  async listAliases(@Arg('input', () => ListAliasesInput, { nullable: true }) input: ListAliasesInput | null, @Ctx() ctx: GraphQLContext): Promise<ListAliasesResult> {
    return ctx.services.kms.aliases.listAliases(requestContext(ctx), input ?? {});
  }

  @Query(() => KeyPolicyResult, { description: 'KMS GetKeyPolicy (policy name `default`).' })
  async getKeyPolicy(@Arg('input', () => GetKeyPolicyInput) input: GetKeyPolicyInput, @Ctx() ctx: GraphQLContext): Promise<KeyPolicyResult> {
    return ctx.services.kms.keys.getKeyPolicy(requestContext(ctx), input);
  }
}
