import type { Pool } from 'pg';
import { arns } from '../common/arn';
import type { AuditSubject } from '../common/audit-subject';
import { Errors, OpenTrailError } from '../common/errors';
import type { Caller, UserIdentity } from '../common/request-context';
import { managedPolicyDocuments } from '../policies/managed-policies';
import type { PolicyDocument } from '../policies/policy-document';
import type { AccessKeySecrets } from '../principals/access-key-secrets';
import { ACCESS_KEY_ID } from '../principals/credentials';
import { principalRepository, type PrincipalSessionRow } from '../principals/principal.repository';
import type { SessionSecrets } from './session-secrets';
import type { SessionClaims, TokenService } from './token.service';

// The self-audit subject types live in src/common (common/api-call.ts needs them); src/graphql still imports them from here.
export type { AuditSubject, UnknownIdentity } from '../common/audit-subject';

export type AuthenticationResult = { caller: Caller } | { error: OpenTrailError; subject?: AuditSubject };

/** A SigV4 request's caller and the secret its signature must have been made with. */
export type SigningKeyResult = { caller: Caller; secretAccessKey: string } | { error: OpenTrailError; subject?: AuditSubject };

// STS's words for credentials it does not accept (the AWS face maps them per protocol).
const INVALID_KEY = () => new OpenTrailError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
const EXPIRED_KEY = () => new OpenTrailError('ExpiredToken', 'The security token included in the request is expired', 403);

const INVALID = () => Errors.unauthenticated('The security token included in the request is invalid.');

function policiesOf(row: PrincipalSessionRow): PolicyDocument[] {
  return [...row.inlinePolicies, ...managedPolicyDocuments(row.attachedPolicyArns)];
}

/**
 * Turns a bearer token into a Caller. Every request re-checks that the principal still exists and
 * that the access key the session descends from is still active, so deleting a key ends its
 * sessions at once; policies and organization membership are read fresh each time, as the
 * service (the tenant is not known yet), in one round trip (principalRepository.userForSession).
 */
export class Authenticator {
  constructor(
    private readonly pool: Pool,
    private readonly tokens: TokenService,
    private readonly keySecrets: AccessKeySecrets,
    private readonly sessionSecrets: SessionSecrets,
  ) {}

  /**
   * SigV4 (src/aws/sigv4.ts): the caller an AWS request's access key names, and the secret to
   * check its signature with. A long-term key (AKIA) signs with its sealed secret and acts as a
   * user session of that key would; temporary credentials (ASIA) present their session token,
   * which must name that access key id, and sign with the secret derived from it. A key not yet
   * sealed (made before SigV4, never used with createSession since) is refused like an unknown one.
   */
  async signingKey(accessKeyId: string, sessionToken: string | null): Promise<SigningKeyResult> {
    if (sessionToken !== null) {
      if (sessionToken.length > 8192) return { error: INVALID_KEY() };
      const verified = this.tokens.verify(sessionToken);
      const claims = 'claims' in verified ? verified.claims : undefined;
      if (!claims || claims.akid !== accessKeyId) return { error: INVALID_KEY() };
      const loaded = await this.load(claims);
      if ('error' in verified) return { error: EXPIRED_KEY(), subject: 'caller' in loaded ? subjectOf(loaded.caller) : undefined };
      if (!('caller' in loaded)) return { error: INVALID_KEY() };
      return { caller: loaded.caller, secretAccessKey: this.sessionSecrets.secretFor(sessionToken) };
    }
    if (!ACCESS_KEY_ID.test(accessKeyId)) return { error: INVALID_KEY() };
    const key = await principalRepository.signInKey(this.pool, accessKeyId);
    if (!key || !key.secretSealed) return { error: INVALID_KEY() };
    const now = Math.floor(Date.now() / 1000);
    const loaded = await this.load({
      typ: 'user',
      acct: key.accountId,
      org: key.organizationId,
      pref: key.userId,
      src: accessKeyId,
      akid: accessKeyId,
      sub: key.arn,
      iat: now,
      exp: now,
    });
    if (!('caller' in loaded)) return { error: INVALID_KEY() };
    return { caller: loaded.caller, secretAccessKey: this.keySecrets.open(accessKeyId, key.secretSealed) };
  }

  async authenticate(token: string): Promise<AuthenticationResult> {
    const verified = this.tokens.verify(token);
    if ('error' in verified) {
      if (!verified.claims) return { error: verified.error };
      const loaded = await this.load(verified.claims);
      return { error: verified.error, subject: 'caller' in loaded ? subjectOf(loaded.caller) : undefined };
    }
    return this.load(verified.claims);
  }

  /**
   * A caller recorded earlier (a dashboard's refresh schedule), with its current policies and
   * organization: null once the principal is gone or the access key its session came from is no
   * longer active, the rule every request meets.
   */
  async reloadCaller(recorded: Pick<Caller, 'identity' | 'principalRef' | 'sourceAccessKeyId'>): Promise<Caller | null> {
    const { principalRef, sourceAccessKeyId } = recorded;
    if (!/^[0-9a-f-]{36}$/.test(principalRef.id)) return null;
    const row =
      principalRef.kind === 'user'
        ? await principalRepository.userForSession(this.pool, principalRef.id, sourceAccessKeyId)
        : await principalRepository.roleForSession(this.pool, principalRef.id, sourceAccessKeyId);
    if (!row || row.sourceKeyStatus !== 'Active' || row.accountId !== recorded.identity.accountId) return null;
    if (principalRef.kind === 'user' && row.sourceKeyUserId !== row.id) return null;
    return {
      identity: recorded.identity,
      accountId: row.accountId,
      organizationId: row.organizationId,
      policies: policiesOf(row),
      principalRef,
      sourceAccessKeyId,
    };
  }

  private async load(claims: SessionClaims): Promise<AuthenticationResult> {
    if (!/^[0-9a-f-]{36}$/.test(claims.pref)) return { error: INVALID() };
    if (claims.typ === 'user') {
      const row = await principalRepository.userForSession(this.pool, claims.pref, claims.src);
      if (!row || row.sourceKeyStatus !== 'Active' || row.sourceKeyUserId !== row.id || row.accountId !== claims.acct)
        return { error: INVALID() };
      const identity: UserIdentity = {
        type: 'IAMUser',
        principalId: row.principalId,
        arn: row.arn,
        accountId: row.accountId,
        accessKeyId: claims.akid,
        userName: row.name,
      };
      return {
        caller: {
          identity,
          accountId: row.accountId,
          organizationId: row.organizationId,
          policies: policiesOf(row),
          principalRef: { kind: 'user', id: row.id },
          sourceAccessKeyId: claims.src,
        },
      };
    }
    const row = await principalRepository.roleForSession(this.pool, claims.pref, claims.src);
    if (!row || row.sourceKeyStatus !== 'Active' || row.accountId !== claims.acct || !claims.sess) return { error: INVALID() };
    const identity: UserIdentity = {
      type: 'AssumedRole',
      principalId: `${row.principalId}:${claims.sess}`,
      arn: arns.assumedRole(row.accountId, row.name, claims.sess),
      accountId: row.accountId,
      accessKeyId: claims.akid,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: row.principalId, arn: row.arn, accountId: row.accountId, userName: row.name },
        webIdFederationData: {},
        attributes: { creationDate: new Date(claims.iat * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false' },
      },
    };
    return {
      caller: {
        identity,
        accountId: row.accountId,
        organizationId: row.organizationId,
        policies: policiesOf(row),
        principalRef: { kind: 'role', id: row.id },
        sourceAccessKeyId: claims.src,
      },
    };
  }
}

export function subjectOf(caller: Caller): AuditSubject {
  return { identity: caller.identity, accountId: caller.accountId, organizationId: caller.organizationId };
}
