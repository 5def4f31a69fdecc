import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLContext, requestContext } from '../graphql/context';
import { AssumeRoleInput, AssumeRoleResult, CallerIdentity, CreateSessionInput, Session } from './auth.types';

@Resolver()
export class AuthResolver {
  @Mutation(() => Session, { description: 'Exchanges an access key pair for a short-lived session token (STS GetSessionToken).' })
  async createSession(
    @Arg('input', () => CreateSessionInput) input: CreateSessionInput,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Session> {
    // Per response key: aliased sign-ins with different keys in one request each have their own subject.
    return ctx.services.sessions.createSession(ctx.meta, input, (subject, failedSignIn) => {
      (ctx.fieldAudit ??= new Map()).set(String(info.path.key), { subject, failedSignIn });
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
