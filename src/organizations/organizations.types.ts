import { Field, InputType, Int, ObjectType } from 'type-graphql';
import { ListPage } from '../graphql/list-page';

@ObjectType({ description: 'An account of an organization (AWS Organizations Account).' })
export class OrganizationAccount {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  arn!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String, { description: 'ACTIVE or SUSPENDED.' })
  status!: string;

  @Field(() => String, { description: 'CREATED or INVITED.' })
  joinedMethod!: string;

  @Field(() => Date)
  joinedTimestamp!: Date;
}

@ObjectType({ description: 'A registered CloudTrail delegated administrator account.' })
export class DelegatedAdministrator extends OrganizationAccount {
  @Field(() => Date)
  delegationEnabledDate!: Date;
}

@ObjectType()
export class Organization {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  arn!: string;

  @Field(() => String, { description: 'Always ALL (all features).' })
  featureSet!: string;

  @Field(() => String)
  masterAccountId!: string;

  @Field(() => String, { description: 'Same as masterAccountId (the current AWS name).' })
  managementAccountId!: string;

  @Field(() => String)
  masterAccountArn!: string;

  @Field(() => String)
  masterAccountEmail!: string;
}

@ObjectType()
export class ListAccountsResult extends ListPage('accounts', OrganizationAccount, 'nextToken', {
  cursorDescription: 'Pass back to get the next page; null on the last page.',
}) {}

@ObjectType()
export class ListDelegatedAdministratorsResult extends ListPage('delegatedAdministrators', DelegatedAdministrator, 'none') {}

@InputType()
export class CreateAccountInput {
  @Field(() => String, { description: '1-50 printable characters.' })
  accountName!: string;

  @Field(() => String)
  email!: string;
}

@InputType()
export class ListAccountsInput {
  @Field(() => Int, { nullable: true, description: '1-20, default 20.' })
  maxResults?: number | null;

  @Field(() => String, { nullable: true })
  nextToken?: string | null;
}

@InputType()
export class RemoveAccountFromOrganizationInput {
  @Field(() => String)
  accountId!: string;
}

@InputType()
export class RegisterOrganizationDelegatedAdminInput {
  @Field(() => String, { description: 'Member account id (12 digits).' })
  memberAccountId!: string;
}

@InputType()
export class DeregisterOrganizationDelegatedAdminInput {
  @Field(() => String, { description: 'Delegated administrator account id (12 digits).' })
  delegatedAdminAccountId!: string;
}
