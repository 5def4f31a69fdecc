import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { AssumeRoleInput, AssumeRoleResult, CallerIdentity, CreateSessionInput, Session } from './auth.types';

@Resolver()
export class AuthResolver {
  @Mutation(() => Session, { description: 'Exchanges an access key pair for a short-lived session token (STS GetSessionToken).' })
  async createSession(@Arg('input', () => CreateSessionInput) input: CreateSessionInput, @Ctx() ctx: GraphQLContext): Promise<Session> {
    return ctx.services.sessions.createSession(input, (subject) => {
      ctx.auditSubject = subject;
    });
  }

  @Mutation(() => AssumeRoleResult, { description: 'Assumes a role whose trust policy trusts the caller (STS AssumeRole).' })
  async assumeRole(@Arg('input', () => AssumeRoleInput) input: AssumeRoleInput, @Ctx() ctx: GraphQLContext): Promise<AssumeRoleResult> {
    const session = await ctx.services.sessions.assumeRole(requestContext(ctx), input);
    return { ...session, assumedRoleUser: { arn: session.assumedRoleArn, assumedRoleId: session.assumedRoleId } };
  }

  @Query(() => CallerIdentity)
  getCallerIdentity(@Ctx() ctx: GraphQLContext): CallerIdentity {
    return ctx.services.sessions.getCallerIdentity(requestContext(ctx));
  }
}
