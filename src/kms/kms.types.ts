import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ListPage } from '../graphql/list-page';

@ObjectType({ description: 'KMS KeyMetadata.' })
export class KeyMetadata {
  @Field(() => String) awsAccountId!: string;
  @Field(() => String) keyId!: string;
  @Field(() => String) arn!: string;
  @Field(() => Date) creationDate!: Date;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => String) description!: string;
  @Field(() => String, { description: 'ENCRYPT_DECRYPT.' }) keyUsage!: string;
  @Field(() => String, { description: 'Enabled, Disabled or PendingDeletion.' }) keyState!: string;
  @Field(() => Date, { nullable: true }) deletionDate!: Date | null;
  @Field(() => Int, { nullable: true }) pendingDeletionWindowInDays!: number | null;
  @Field(() => String, { description: 'SYMMETRIC_DEFAULT.' }) keySpec!: string;
  @Field(() => String) customerMasterKeySpec!: string;
  @Field(() => [String]) encryptionAlgorithms!: string[];
  @Field(() => String, { description: 'CUSTOMER.' }) keyManager!: string;
  @Field(() => String, { description: 'AWS_KMS.' }) origin!: string;
  @Field(() => Boolean) multiRegion!: boolean;
}

@ObjectType()
export class KeyMetadataResult {
  @Field(() => KeyMetadata) keyMetadata!: KeyMetadata;
}

@InputType()
export class CreateKeyInput {
  @Field(() => String, { nullable: true }) description?: string | null;
  @Field(() => String, { nullable: true, description: 'Key policy JSON; default: the account root may do kms:* (IAM decides).' }) policy?:
    string | null;
  @Field(() => String, { nullable: true, description: 'ENCRYPT_DECRYPT only.' }) keyUsage?: string | null;
  @Field(() => String, { nullable: true, description: 'SYMMETRIC_DEFAULT only.' }) keySpec?: string | null;
  @Field(() => Boolean, { nullable: true }) bypassPolicyLockoutSafetyCheck?: boolean | null;
}

@InputType()
export class KeyIdInput {
  @Field(() => String, { description: 'Key id (UUID) or key ARN.' }) keyId!: string;
}

@InputType()
export class ListKeysInput {
  @Field(() => Int, { nullable: true, description: '1-1000, default 100.' }) limit?: number | null;
  @Field(() => String, { nullable: true }) marker?: string | null;
}

@ObjectType()
export class KeyListEntry {
  @Field(() => String) keyId!: string;
  @Field(() => String) keyArn!: string;
}

@ObjectType()
export class ListKeysResult extends ListPage('keys', KeyListEntry, 'nextMarker') {}

@InputType()
export class ScheduleKeyDeletionInput {
  @Field(() => String) keyId!: string;
  @Field(() => Int, { nullable: true, description: '7-30, default 30.' }) pendingWindowInDays?: number | null;
}

@ObjectType()
export class ScheduleKeyDeletionResult {
  @Field(() => String, { description: 'The key ARN.' }) keyId!: string;
  @Field(() => Date) deletionDate!: Date;
  @Field(() => String) keyState!: string;
  @Field(() => Int) pendingWindowInDays!: number;
}

@ObjectType()
export class CancelKeyDeletionResult {
  @Field(() => String, { description: 'The key ARN.' }) keyId!: string;
}

@InputType()
export class PutKeyPolicyInput {
  @Field(() => String) keyId!: string;
  @Field(() => String, { nullable: true, description: 'Only `default`.' }) policyName?: string | null;
  @Field(() => String) policy!: string;
  @Field(() => Boolean, { nullable: true }) bypassPolicyLockoutSafetyCheck?: boolean | null;
}

@InputType()
export class GetKeyPolicyInput {
  @Field(() => String) keyId!: string;
  @Field(() => String, { nullable: true, description: 'Only `default`.' }) policyName?: string | null;
}

@ObjectType()
export class KeyPolicyResult {
  @Field(() => String) policyName!: string;
  @Field(() => String) policy!: string;
}

@InputType()
export class AliasInput {
  @Field(() => String, { description: 'alias/<name>: letters, digits, /, _ and -; alias/aws/ is reserved.' }) aliasName!: string;
  @Field(() => String, { description: 'Key id (UUID) or key ARN of the same account and Region.' }) targetKeyId!: string;
}

@InputType()
export class AliasNameInput {
  @Field(() => String) aliasName!: string;
}

@InputType()
export class ListAliasesInput {
  @Field(() => String, { nullable: true, description: 'Only the aliases of this key (key id or ARN).' }) keyId?: string | null;
  @Field(() => Int, { nullable: true, description: '1-100, default 50.' }) limit?: number | null;
  @Field(() => String, { nullable: true }) marker?: string | null;
}

@ObjectType()
export class AliasListEntry {
  @Field(() => String) aliasName!: string;
  @Field(() => String) aliasArn!: string;
  @Field(() => String) targetKeyId!: string;
  @Field(() => Date) creationDate!: Date;
}

@ObjectType()
export class ListAliasesResult extends ListPage('aliases', AliasListEntry, 'nextMarker') {}
