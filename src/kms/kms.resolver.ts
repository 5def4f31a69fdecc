import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../common/request-context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import type { KmsAliasService } from './kms-alias.service';
import type { KmsService } from './kms.service';
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

/** Policy documents are not copied into the audit log (up to 32 KB each). */
const withoutPolicy = (args: Record<string, any>) => {
  const { policy: _policy, ...rest } = (args.input ?? {}) as Record<string, unknown>;
  return rest;
};

/*
 * CreateKey, ListKeys and ListAliases have no key yet: IAM alone decides (checked by the
 * middleware). Calls on a key are authorized by KmsService instead (`action: null`): KMS's rule
 * is key policy AND IAM, where a key policy naming the principal itself needs no IAM grant — a
 * middleware IAM check would wrongly refuse those callers. The IAM actions are kms:<EventName> on
 * the key ARN (arn:aws:kms:<region>:<account>:key/<id>). Aliases: IAM on the alias ARN and the
 * key policy of each key involved, both checked by KmsAliasService.
 */
@Resolver()
@OperationService({ eventSource: 'kms.amazonaws.com', actionPrefix: 'kms' })
export class KmsResolver {
  constructor(
    private readonly keys: KmsService,
    private readonly aliases: KmsAliasService,
  ) {}

  @Operation({ auditRequest: withoutPolicy })
  @Mutation(() => KeyMetadataResult, { description: 'Creates a customer managed symmetric key (KMS CreateKey).' })
  async createKey(
    @Arg('input', () => CreateKeyInput, { nullable: true }) input: CreateKeyInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<KeyMetadataResult> {
    return { keyMetadata: await this.keys.createKey(request, input ?? {}) };
  }

  @Operation({ action: null })
  @Query(() => KeyMetadataResult, { description: 'KMS DescribeKey.' })
  async describeKey(
    @Arg('input', () => KeyIdInput) input: KeyIdInput,
    @CallerRequest() request: RequestContext,
  ): Promise<KeyMetadataResult> {
    return { keyMetadata: await this.keys.describeKey(request, input.keyId) };
  }

  @Operation()
  @Query(() => ListKeysResult, { description: "KMS ListKeys: the account's keys in the Region." })
  async listKeys(
    @Arg('input', () => ListKeysInput, { nullable: true }) input: ListKeysInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListKeysResult> {
    return this.keys.listKeys(request, input ?? {});
  }

  @Operation({ action: null })
  @Mutation(() => Boolean, { description: 'KMS EnableKey.' })
  async enableKey(@Arg('input', () => KeyIdInput) input: KeyIdInput, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.keys.enableKey(request, input.keyId);
    return true;
  }

  @Operation({ action: null })
  @Mutation(() => Boolean, { description: 'KMS DisableKey.' })
  async disableKey(@Arg('input', () => KeyIdInput) input: KeyIdInput, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.keys.disableKey(request, input.keyId);
    return true;
  }

  @Operation({ action: null })
  @Mutation(() => ScheduleKeyDeletionResult, { description: 'KMS ScheduleKeyDeletion (7-30 days, default 30).' })
  async scheduleKeyDeletion(
    @Arg('input', () => ScheduleKeyDeletionInput) input: ScheduleKeyDeletionInput,
    @CallerRequest() request: RequestContext,
  ): Promise<ScheduleKeyDeletionResult> {
    return this.keys.scheduleKeyDeletion(request, input.keyId, input.pendingWindowInDays);
  }

  @Operation({ action: null })
  @Mutation(() => CancelKeyDeletionResult, { description: 'KMS CancelKeyDeletion: the key is left Disabled.' })
  async cancelKeyDeletion(
    @Arg('input', () => KeyIdInput) input: KeyIdInput,
    @CallerRequest() request: RequestContext,
  ): Promise<CancelKeyDeletionResult> {
    return this.keys.cancelKeyDeletion(request, input.keyId);
  }

  @Operation({ action: null, auditRequest: withoutPolicy })
  @Mutation(() => Boolean, { description: 'KMS PutKeyPolicy (policy name `default`).' })
  async putKeyPolicy(
    @Arg('input', () => PutKeyPolicyInput) input: PutKeyPolicyInput,
    @CallerRequest() request: RequestContext,
  ): Promise<boolean> {
    await this.keys.putKeyPolicy(request, input);
    return true;
  }

  @Operation({ action: null })
  @Mutation(() => Boolean, { description: 'KMS CreateAlias: alias/<name> for a key of the same account and Region.' })
  async createAlias(@Arg('input', () => AliasInput) input: AliasInput, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.aliases.createAlias(request, input);
    return true;
  }

  @Operation({ action: null })
  @Mutation(() => Boolean, { description: 'KMS UpdateAlias: points the alias at another key.' })
  async updateAlias(@Arg('input', () => AliasInput) input: AliasInput, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.aliases.updateAlias(request, input);
    return true;
  }

  @Operation({ action: null })
  @Mutation(() => Boolean, { description: 'KMS DeleteAlias.' })
  async deleteAlias(@Arg('input', () => AliasNameInput) input: AliasNameInput, @CallerRequest() request: RequestContext): Promise<boolean> {
    await this.aliases.deleteAlias(request, input);
    return true;
  }

  @Operation()
  @Query(() => ListAliasesResult, { description: "KMS ListAliases: the account's aliases in the Region." })
  async listAliases(
    @Arg('input', () => ListAliasesInput, { nullable: true }) input: ListAliasesInput | null,
    @CallerRequest() request: RequestContext,
  ): Promise<ListAliasesResult> {
    return this.aliases.listAliases(request, input ?? {});
  }

  @Operation({ action: null })
  @Query(() => KeyPolicyResult, { description: 'KMS GetKeyPolicy (policy name `default`).' })
  async getKeyPolicy(
    @Arg('input', () => GetKeyPolicyInput) input: GetKeyPolicyInput,
    @CallerRequest() request: RequestContext,
  ): Promise<KeyPolicyResult> {
    return this.keys.getKeyPolicy(request, input);
  }
}
