import type { Pool } from 'pg';
import { arns } from '../common/arn';
import type { AuditSubject } from '../common/audit-subject';
import { Errors, OpenTrailError } from '../common/errors';
import type { Caller, UserIdentity } from '../common/request-context';
import { managedPolicyDocuments } from '../policies/managed-policies';
import type { PolicyDocument } from '../policies/policy-document';
import type { SessionClaims, TokenService } from './token.service';

// The self-audit subject types live in src/common (common/api-call.ts needs them); src/graphql still imports them from here.
export type { AuditSubject, UnknownIdentity } from '../common/audit-subject';

export type AuthenticationResult =
  | { caller: Caller }
  | { error: OpenTrailError; subject?: AuditSubject };

/** The inline documents and attached managed-policy ARNs of one user (`u`) or role (`r`). */
function policySubselects(kind: 'user' | 'role', alias: 'u' | 'r'): string {
  return `
         (SELECT coalesce(json_agg(p.document), '[]'::json) FROM inline_policies p
           WHERE p.account_id = ${alias}.account_id AND p.principal_type = '${kind}' AND p.principal_ref = ${alias}.id) AS inline,
         (SELECT coalesce(json_agg(t.policy_arn), '[]'::json) FROM policy_attachments t
           WHERE t.account_id = ${alias}.account_id AND t.principal_type = '${kind}' AND t.principal_ref = ${alias}.id) AS attached`;
}

// Authentication runs before the tenant is known, so it reads as the service itself, by primary
// key only, in one round trip per request (principal, account, source key and policies).
const USER_SQL = `
  SELECT u.id, u.user_name, u.principal_id, u.arn, u.account_id, a.organization_id,
         k.status AS key_status, k.user_id AS key_user_id,${policySubselects('user', 'u')}
  FROM iam_users u JOIN accounts a ON a.id = u.account_id
  LEFT JOIN access_keys k ON k.access_key_id = $2
  WHERE u.id = $1`;

const ROLE_SQL = `
  SELECT r.id, r.role_name, r.principal_id, r.arn, r.account_id, a.organization_id,
         k.status AS key_status,${policySubselects('role', 'r')}
  FROM iam_roles r JOIN accounts a ON a.id = r.account_id
  LEFT JOIN access_keys k ON k.access_key_id = $2
  WHERE r.id = $1`;

const INVALID = () => Errors.unauthenticated('The security token included in the request is invalid.');

function policiesOf(row: { inline: PolicyDocument[]; attached: string[] }): PolicyDocument[] {
  return [...row.inline, ...managedPolicyDocuments(row.attached)];
}

/**
 * Turns a bearer token into a Caller. Every request re-checks that the principal still exists and
 * that the access key the session descends from is still active, so deleting a key ends its
 * sessions at once; policies and organization membership are read fresh each time.
 */
export class Authenticator {
  constructor(private readonly pool: Pool, private readonly tokens: TokenService) {}

  async authenticate(token: string): Promise<AuthenticationResult> {
    const verified = this.tokens.verify(token);
    if ('error' in verified) {
      if (!verified.claims) return { error: verified.error };
      const loaded = await this.load(verified.claims);
      return { error: verified.error, subject: 'caller' in loaded ? subjectOf(loaded.caller) : undefined };
    }
    return this.load(verified.claims);
  }

  private async load(claims: SessionClaims): Promise<AuthenticationResult> {
    if (!/^[0-9a-f-]{36}$/.test(claims.pref)) return { error: INVALID() };
    if (claims.typ === 'user') {
      const { rows } = await this.pool.query({ name: 'authenticate-user', text: USER_SQL, values: [claims.pref, claims.src] });
      const row = rows[0];
      if (!row || row.key_status !== 'Active' || row.key_user_id !== row.id || row.account_id !== claims.acct) return { error: INVALID() };
      const identity: UserIdentity = {
        type: 'IAMUser',
        principalId: row.principal_id,
        arn: row.arn,
        accountId: row.account_id,
        accessKeyId: claims.akid,
        userName: row.user_name,
      };
      return {
        caller: {
          identity,
          accountId: row.account_id,
          organizationId: row.organization_id,
          policies: policiesOf(row),
          principalRef: { kind: 'user', id: row.id },
          sourceAccessKeyId: claims.src,
        },
      };
    }
    const { rows } = await this.pool.query({ name: 'authenticate-role', text: ROLE_SQL, values: [claims.pref, claims.src] });
    const row = rows[0];
    if (!row || row.key_status !== 'Active' || row.account_id !== claims.acct || !claims.sess) return { error: INVALID() };
    const identity: UserIdentity = {
      type: 'AssumedRole',
      principalId: `${row.principal_id}:${claims.sess}`,
      arn: arns.assumedRole(row.account_id, row.role_name, claims.sess),
      accountId: row.account_id,
      accessKeyId: claims.akid,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: row.principal_id, arn: row.arn, accountId: row.account_id, userName: row.role_name },
        webIdFederationData: {},
        attributes: { creationDate: new Date(claims.iat * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'), mfaAuthenticated: 'false' },
      },
    };
    return {
      caller: {
        identity,
        accountId: row.account_id,
        organizationId: row.organization_id,
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
