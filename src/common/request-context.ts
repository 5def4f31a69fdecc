import type { PolicyDocument } from '../policies/policy-document';

/** What is known about a request before anyone is authenticated. */
export interface RequestMeta {
  requestId: string;
  /** Region named by the `x-region` header (validated against the catalog) or the home region. */
  region: string;
  sourceIp: string;
  userAgent: string;
  /** Host header the client used; recorded as tlsDetails.clientProvidedHostHeader. */
  host: string;
}

/** The CloudTrail `userIdentity` of a caller (spec §2.4), as it is written into event records. */
export interface UserIdentity {
  type: 'IAMUser' | 'AssumedRole' | 'Root';
  principalId: string;
  arn: string;
  accountId: string;
  accessKeyId: string;
  userName?: string;
  sessionContext?: {
    sessionIssuer: { type: 'Role'; principalId: string; arn: string; accountId: string; userName: string };
    webIdFederationData: Record<string, never>;
    attributes: { creationDate: string; mfaAuthenticated: 'false' };
  };
}

/** An authenticated caller: who they are, which tenant they act in, and what they may do. */
export interface Caller {
  identity: UserIdentity;
  /** Account the caller acts in (for an assumed role: the role's account). */
  accountId: string;
  /** Organization of that account, or null for an account outside any organization. */
  organizationId: string | null;
  /** Identity-based policies in force for this caller (inline and attached managed policies). */
  policies: PolicyDocument[];
  /** Database id of the user or role behind the identity. */
  principalRef: { kind: 'user' | 'role'; id: string };
  /** Long-term access key the session was created from (checked on every request). */
  sourceAccessKeyId: string;
}

/** First argument of every service method. */
export interface RequestContext extends RequestMeta {
  caller: Caller;
}

/** The tenant a database transaction is scoped to (row-level security reads these). */
export interface TenantScope {
  accountId: string;
  organizationId: string | null;
}

export function tenantOf(ctx: RequestContext): TenantScope {
  return { accountId: ctx.caller.accountId, organizationId: ctx.caller.organizationId };
}
