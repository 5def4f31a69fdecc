import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Query, Resolver } from 'type-graphql';
import { REDACTED } from '../common/api-call';
import type { RequestContext } from '../common/request-context';
import type { GraphQLContext } from '../graphql/context';
import { Operation, OperationService } from '../graphql/operation.decorator';
import { CallerRequest } from '../graphql/request-context.decorator';
import {
  AssumeRoleInput,
  AssumeRoleResult,
  CallerIdentity,
  CreateSessionInput,
  GetSessionTokenInput,
  Session,
  TemporaryCredentials,
} from './auth.types';
import { ACCESS_KEY_ID } from '../principals/credentials';
import type { SessionService } from './session.service';

@Resolver()
@OperationService({ eventSource: 'sts.amazonaws.com', actionPrefix: 'sts' })
export class AuthResolver {
  constructor(private readonly sessions: SessionService) {}

  @Operation({
    action: null,
    public: true,
    // Never the secret; and the key id only when it is one: anything else may be a secret pasted
    // into the wrong field (a throttled or otherwise failed attempt is recorded with these).
    auditRequest: (args) => ({
      input: {
        accessKeyId: ACCESS_KEY_ID.test(String(args.input?.accessKeyId ?? '')) ? args.input.accessKeyId : REDACTED,
        secretAccessKey: REDACTED,
        ...(args.input?.durationSeconds !== undefined ? { durationSeconds: args.input.durationSeconds } : {}),
      },
    }),
  })
  @Mutation(() => Session, { description: 'Exchanges an access key pair for a short-lived session token (STS GetSessionToken).' })
  async createSession(
    @Arg('input', () => CreateSessionInput) input: CreateSessionInput,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Session> {
    // Per response key: aliased sign-ins with different keys in one request each have their own subject.
    return this.sessions.createSession(ctx.meta, input, (subject, failedSignIn) => {
      (ctx.fieldAudit ??= new Map()).set(String(info.path.key), { subject, failedSignIn });
    });
  }

  @Operation({ resource: (args) => String(args.input?.roleArn ?? '*') })
  @Mutation(() => AssumeRoleResult, { description: 'Assumes a role whose trust policy trusts the caller (STS AssumeRole).' })
  async assumeRole(
    @Arg('input', () => AssumeRoleInput) input: AssumeRoleInput,
    @CallerRequest() request: RequestContext,
  ): Promise<AssumeRoleResult> {
    const session = await this.sessions.assumeRole(request, input);
    return { ...session, assumedRoleUser: { arn: session.assumedRoleArn, assumedRoleId: session.assumedRoleId } };
  }

  // STS needs no permission for GetSessionToken; the secret and token are redacted from self-audit.
  @Operation({ action: null })
  @Mutation(() => TemporaryCredentials, {
    description: "Temporary credentials of the calling user, from a long-term key's session (STS GetSessionToken).",
  })
  getSessionToken(
    @Arg('input', () => GetSessionTokenInput, { nullable: true }) input: GetSessionTokenInput | null,
    @CallerRequest() request: RequestContext,
  ): TemporaryCredentials {
    return this.sessions.getSessionToken(request, input ?? {});
  }

  @Operation({ action: null })
  @Query(() => CallerIdentity)
  getCallerIdentity(@CallerRequest() request: RequestContext): CallerIdentity {
    return this.sessions.getCallerIdentity(request);
  }
}
