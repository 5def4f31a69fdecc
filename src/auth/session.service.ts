import type { Pool } from 'pg';
import { newAccessKeyId } from '../common/ids';
import { OpenTrailError } from '../common/errors';
import type { RequestContext, RequestMeta, UserIdentity } from '../common/request-context';
import { trustAllows } from '../policies/policy-evaluator';
import { principalRepository } from '../principals/principal.repository';
import type { AuditSubject } from '../common/audit-subject';
import type { AccessKeySecrets } from '../principals/access-key-secrets';
import { ACCESS_KEY_ID, secretMatches } from '../principals/credentials';
import type { SessionSecrets } from './session-secrets';
import type { SignInThrottle } from './signin-throttle';
import type { TokenService } from './token.service';
import { HIDDEN, type UnattributedCalls } from './unattributed-calls';

export interface SessionCredentials {
  token: string;
  expiration: Date;
  accessKeyId: string;
}

/** Temporary credentials as STS issues them: SigV4 with X-Amz-Security-Token, or the token as a bearer token. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** GetSessionToken's default and longest lifetime for an IAM user (STS: 12 and 36 hours). */
const SESSION_TOKEN_DEFAULT_SECONDS = 43200;
const SESSION_TOKEN_MAX_SECONDS = 129600;

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

/** STS: sessions from access keys, assumed-role sessions, and caller identity. */
export class SessionService {
  constructor(
    private readonly pool: Pool,
    private readonly tokens: TokenService,
    private readonly sessionTtlSeconds: number,
    private readonly throttle: SignInThrottle,
    private readonly unattributed: UnattributedCalls,
    private readonly keySecrets: AccessKeySecrets,
    private readonly sessionSecrets: SessionSecrets,
  ) {}

  /**
   * Exchanges an access key pair for a session token. The attempt first passes the sign-in
   * throttle (ThrottlingException when its delay has not passed, whatever the secret). `onSubject`
   * receives whom the call is recorded as, and whether it is a failed sign-in: the key's owner as
   * soon as the key id is known, else the installation's management account. A key made before
   * SigV4 has its secret sealed now, so from here on it signs AWS requests too.
   */
  async createSession(
    meta: RequestMeta,
    input: { accessKeyId: string; secretAccessKey: string; durationSeconds?: number | null },
    onSubject: (subject: AuditSubject, failedSignIn: boolean) => void,
  ): Promise<SessionCredentials> {
    const invalidKey = () => new OpenTrailError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    // A well-formed key id is recorded as presented; anything else may be a secret typed into the
    // wrong field, so it is hidden (as CloudTrail hides a bad console user name).
    const wellFormed = ACCESS_KEY_ID.test(input.accessKeyId);
    const attempt = await this.throttle.begin(wellFormed ? input.accessKeyId : null, meta.sourceIp);
    const unknownKey = async () => {
      const identity = { type: 'IAMUser' as const, accessKeyId: wellFormed ? input.accessKeyId : '', userName: HIDDEN };
      const subject = await this.unattributed.managementSubject(identity);
      if (subject) onSubject(subject, true);
      return invalidKey();
    };
    if (!wellFormed) throw await unknownKey();
    const row = await principalRepository.signInKey(this.pool, input.accessKeyId);
    if (!row) throw await unknownKey();
    const identity: UserIdentity = {
      type: 'IAMUser',
      principalId: row.principalId,
      arn: row.arn,
      accountId: row.accountId,
      accessKeyId: input.accessKeyId,
      userName: row.userName,
    };
    const subject: AuditSubject = { identity, accountId: row.accountId, organizationId: row.organizationId };
    if (row.status !== 'Active') {
      onSubject(subject, true);
      throw invalidKey();
    }
    if (!secretMatches(input.secretAccessKey, row.secretSalt, row.secretHash)) {
      onSubject(subject, true);
      throw new OpenTrailError('SignatureDoesNotMatch', 'The secret access key does not match the access key id.', 403);
    }
    onSubject(subject, false);
    await attempt.succeeded();
    if (!row.secretSealed) {
      await principalRepository.sealSecret(this.pool, input.accessKeyId, this.keySecrets.seal(input.accessKeyId, input.secretAccessKey));
    }
    const ttl = this.ttl(input.durationSeconds, this.sessionTtlSeconds);
    const { token, expiration } = this.tokens.issue(
      {
        typ: 'user',
        acct: row.accountId,
        org: row.organizationId,
        pref: row.userId,
        src: input.accessKeyId,
        akid: input.accessKeyId,
        sub: row.arn,
      },
      ttl,
    );
    return { token, expiration, accessKeyId: input.accessKeyId };
  }

  /**
   * sts:AssumeRole. The caller's own policies were checked for sts:AssumeRole on the role ARN by
   * the operation catalog; here the role's trust policy must also trust the caller. A missing
   * role and an untrusting one give the same AccessDenied, so role existence does not leak.
   */
  async assumeRole(
    ctx: RequestContext,
    input: { roleArn: string; roleSessionName: string; durationSeconds?: number | null },
  ): Promise<SessionCredentials & { assumedRoleArn: string; assumedRoleId: string }> {
    if (!SESSION_NAME.test(input.roleSessionName)) {
      throw new OpenTrailError('ValidationError', 'roleSessionName must be 2-64 characters of letters, digits and _+=,.@-');
    }
    const denied = () =>
      new OpenTrailError(
        'AccessDenied',
        `User: ${ctx.caller.identity.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.roleArn}`,
        403,
      );
    const match = ROLE_ARN.exec(input.roleArn);
    if (!match) throw new OpenTrailError('ValidationError', `Invalid role ARN: ${input.roleArn}`);
    const role = await principalRepository.assumableRole(this.pool, match[1], match[2]);
    if (!role || role.arn !== input.roleArn) throw denied();
    if (!trustAllows(role.assumeRolePolicy, ctx.caller.identity.arn, ctx.caller.accountId)) throw denied();
    const ttl = this.ttl(input.durationSeconds, Math.min(3600, role.maxSessionDuration), role.maxSessionDuration);
    const akid = newAccessKeyId('ASIA');
    const assumedRoleArn = `arn:aws:sts::${role.accountId}:assumed-role/${role.roleName}/${input.roleSessionName}`;
    const { token, expiration } = this.tokens.issue(
      {
        typ: 'role',
        acct: role.accountId,
        org: role.organizationId,
        pref: role.id,
        src: ctx.caller.sourceAccessKeyId,
        akid,
        sess: input.roleSessionName,
        sub: assumedRoleArn,
      },
      ttl,
    );
    return { token, expiration, accessKeyId: akid, assumedRoleArn, assumedRoleId: `${role.principalId}:${input.roleSessionName}` };
  }

  /**
   * sts:GetSessionToken: temporary credentials of the calling user, an ASIA access key id with a
   * session of the same user and source key as its session token and a secret derived from that
   * token (session-secrets.ts), so createSession's sessions and these are one mechanism. As in
   * STS, temporary credentials (a role session, or one from this call) cannot make more.
   */
  getSessionToken(ctx: RequestContext, input: { durationSeconds?: number | null }): TemporaryCredentials {
    const { caller } = ctx;
    if (caller.principalRef.kind !== 'user' || caller.identity.accessKeyId !== caller.sourceAccessKeyId) {
      throw new OpenTrailError('AccessDenied', 'Cannot call GetSessionToken with session credentials', 403);
    }
    const ttl = this.ttl(input.durationSeconds, SESSION_TOKEN_DEFAULT_SECONDS, SESSION_TOKEN_MAX_SECONDS);
    const accessKeyId = newAccessKeyId('ASIA');
    const { token, expiration } = this.tokens.issue(
      {
        typ: 'user',
        acct: caller.accountId,
        org: caller.organizationId,
        pref: caller.principalRef.id,
        src: caller.sourceAccessKeyId,
        akid: accessKeyId,
        sub: caller.identity.arn,
      },
      ttl,
    );
    return { accessKeyId, secretAccessKey: this.sessionSecrets.secretFor(token), sessionToken: token, expiration };
  }

  getCallerIdentity(ctx: RequestContext): { account: string; arn: string; userId: string } {
    return { account: ctx.caller.accountId, arn: ctx.caller.identity.arn, userId: ctx.caller.identity.principalId };
  }

  private ttl(requested: number | null | undefined, fallback: number, max = 43200): number {
    if (requested === undefined || requested === null) return fallback;
    if (!Number.isInteger(requested) || requested < 900 || requested > max) {
      throw new OpenTrailError('ValidationError', `durationSeconds must be between 900 and ${max}`);
    }
    return requested;
  }
}
