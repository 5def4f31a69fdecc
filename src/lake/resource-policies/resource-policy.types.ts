import { Field, InputType, ObjectType } from 'type-graphql';

/** GraphQL shapes of PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy (spec §8.6). */

@InputType()
export class PutResourcePolicyInput {
  @Field(() => String, { description: 'ARN of an event data store or a channel of the caller.' })
  resourceArn!: string;

  @Field(() => String, { description: 'The policy, a JSON document of 1 to 8192 characters.' })
  resourcePolicy!: string;
}

@InputType()
export class ResourcePolicyRefInput {
  @Field(() => String, { description: 'ARN of an event data store or a channel of the caller.' })
  resourceArn!: string;
}

@ObjectType()
export class ResourcePolicyResult {
  @Field(() => String)
  resourceArn!: string;

  @Field(() => String)
  resourcePolicy!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Not generated here: delegated administrators act on organization stores without it.',
  })
  delegatedAdminResourcePolicy!: string | null;
}
