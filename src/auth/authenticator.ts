import type { Pool } from 'pg';
import { arns } from '../common/arn';
import type { AuditSubject } from '../common/audit-subject';
import { Errors, OpenTrailError } from '../common/errors';
import type { Caller, UserIdentity } from '../common/request-context';
import { managedPolicyDocuments } from '../policies/managed-policies';
import type { PolicyDocument } from '../policies/policy-document';
import { principalRepository, type PrincipalSessionRow } from '../principals/principal.repository';
import type { SessionClaims, TokenService } from './token.service';

// The self-audit subject types live in src/common (common/api-call.ts needs them); src/graphql still imports them from here.
export type { AuditSubject, UnknownIdentity } from '../common/audit-subject';

export type AuthenticationResult = { caller: Caller } | { error: OpenTrailError; subject?: AuditSubject };

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
  ) {}

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
