import { Field, InputType, Int, ObjectType } from 'type-graphql';

@InputType()
export class CreateSessionInput {
  @Field(() => String)
  accessKeyId!: string;

  @Field(() => String)
  secretAccessKey!: string;

  @Field(() => Int, { nullable: true, description: 'Session lifetime in seconds (900-43200); defaults to SESSION_TTL_SECONDS.' })
  durationSeconds?: number | null;
}

@ObjectType({ description: 'A session: send `token` as `Authorization: Bearer <token>`.' })
export class Session {
  @Field(() => String)
  token!: string;

  @Field(() => Date)
  expiration!: Date;

  @Field(() => String, { description: 'Access key id that calls made with this session are recorded under.' })
  accessKeyId!: string;
}

@InputType()
export class GetSessionTokenInput {
  @Field(() => Int, { nullable: true, description: 'Lifetime in seconds (900-129600); defaults to 43200 (12 hours), as in STS.' })
  durationSeconds?: number | null;
}

@ObjectType({
  description:
    'Temporary credentials (STS Credentials): sign AWS requests with the key pair and `sessionToken` as X-Amz-Security-Token, or send `sessionToken` as `Authorization: Bearer <token>`.',
})
export class TemporaryCredentials {
  @Field(() => String)
  accessKeyId!: string;

  @Field(() => String)
  secretAccessKey!: string;

  @Field(() => String)
  sessionToken!: string;

  @Field(() => Date)
  expiration!: Date;
}

@InputType()
export class AssumeRoleInput {
  @Field(() => String)
  roleArn!: string;

  @Field(() => String)
  roleSessionName!: string;

  @Field(() => Int, { nullable: true })
  durationSeconds?: number | null;
}

@ObjectType()
export class AssumedRoleUser {
  @Field(() => String)
  arn!: string;

  @Field(() => String)
  assumedRoleId!: string;
}

@ObjectType()
export class AssumeRoleResult extends Session {
  @Field(() => AssumedRoleUser)
  assumedRoleUser!: AssumedRoleUser;
}

@ObjectType()
export class CallerIdentity {
  @Field(() => String)
  account!: string;

  @Field(() => String)
  arn!: string;

  @Field(() => String)
  userId!: string;
}
