import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ListPage } from '../graphql/list-page';

@ObjectType({ description: 'An IAM user.' })
export class IamUser {
  @Field(() => String)
  userName!: string;

  @Field(() => String, { description: 'Stable unique id (AIDA…).' })
  userId!: string;

  @Field(() => String)
  arn!: string;

  @Field(() => String)
  path!: string;

  @Field(() => Date)
  createDate!: Date;
}

@ObjectType({ description: 'An IAM role.' })
export class IamRole {
  @Field(() => String)
  roleName!: string;

  @Field(() => String, { description: 'Stable unique id (AROA…).' })
  roleId!: string;

  @Field(() => String)
  arn!: string;

  @Field(() => String)
  path!: string;

  @Field(() => String)
  description!: string;

  @Field(() => Int)
  maxSessionDuration!: number;

  @Field(() => String, { description: 'The trust policy, as a JSON document.' })
  assumeRolePolicyDocument!: string;

  @Field(() => Date)
  createDate!: Date;
}

@ObjectType()
export class AccessKeyMetadata {
  @Field(() => String)
  userName!: string;

  @Field(() => String)
  accessKeyId!: string;

  @Field(() => String, { description: 'Active or Inactive.' })
  status!: string;

  @Field(() => Date)
  createDate!: Date;
}

@ObjectType({ description: 'A new access key. The secret is returned only here, once; it is stored only as a hash.' })
export class AccessKey extends AccessKeyMetadata {
  @Field(() => String)
  secretAccessKey!: string;
}

@ObjectType()
export class CreateAccessKeyResult {
  @Field(() => AccessKey)
  accessKey!: AccessKey;
}

@ObjectType({ description: 'An AWS-managed policy that can be attached to users and roles.' })
export class ManagedPolicy {
  @Field(() => String)
  policyName!: string;

  @Field(() => String)
  arn!: string;

  @Field(() => String)
  path!: string;

  @Field(() => String)
  description!: string;

  @Field(() => String)
  defaultVersionId!: string;

  @Field(() => Boolean)
  isAttachable!: boolean;

  @Field(() => Int, { description: 'Users and roles of the calling account it is attached to.' })
  attachmentCount!: number;

  @Field(() => String, { description: 'The policy document, as JSON.' })
  policyDocument!: string;
}

@ObjectType()
export class ListUsersResult extends ListPage('users', IamUser, 'marker') {}

@ObjectType()
export class ListRolesResult extends ListPage('roles', IamRole, 'marker') {}

@ObjectType()
export class ListAccessKeysResult extends ListPage('accessKeyMetadata', AccessKeyMetadata, 'isTruncated') {}

@ObjectType()
export class ListPoliciesResult extends ListPage('policies', ManagedPolicy, 'isTruncated') {}

@InputType()
export class CreateUserInput {
  @Field(() => String)
  userName!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to /.' })
  path?: string | null;
}

@InputType()
export class CreateRoleInput {
  @Field(() => String)
  roleName!: string;

  @Field(() => String, { description: 'Trust policy JSON: who may call sts:AssumeRole on the role.' })
  assumeRolePolicyDocument!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Int, { nullable: true, description: 'Longest assumed-role session in seconds (3600-43200, default 3600).' })
  maxSessionDuration?: number | null;

  @Field(() => String, { nullable: true, description: 'Defaults to /.' })
  path?: string | null;
}

@InputType()
export class UserNameInput {
  @Field(() => String, { nullable: true, description: 'Defaults to the calling user.' })
  userName?: string | null;
}

@InputType()
export class DeleteAccessKeyInput {
  @Field(() => String)
  accessKeyId!: string;

  @Field(() => String, { nullable: true, description: 'Defaults to the calling user.' })
  userName?: string | null;
}

@InputType()
export class PutUserPolicyInput {
  @Field(() => String)
  userName!: string;

  @Field(() => String)
  policyName!: string;

  @Field(() => String, { description: 'Identity policy JSON.' })
  policyDocument!: string;
}

@InputType()
export class PutRolePolicyInput {
  @Field(() => String)
  roleName!: string;

  @Field(() => String)
  policyName!: string;

  @Field(() => String, { description: 'Identity policy JSON.' })
  policyDocument!: string;
}

@InputType()
export class AttachUserPolicyInput {
  @Field(() => String)
  userName!: string;

  @Field(() => String, { description: 'ARN of a managed policy (listPolicies).' })
  policyArn!: string;
}

@InputType()
export class AttachRolePolicyInput {
  @Field(() => String)
  roleName!: string;

  @Field(() => String, { description: 'ARN of a managed policy (listPolicies).' })
  policyArn!: string;
}

@InputType()
export class ListPrincipalsInput {
  @Field(() => String, { nullable: true, description: 'Only principals whose path starts with this (default /).' })
  pathPrefix?: string | null;

  @Field(() => Int, { nullable: true, description: '1-1000, default 100.' })
  maxItems?: number | null;

  @Field(() => String, { nullable: true, description: '`marker` of the previous page.' })
  marker?: string | null;
}
