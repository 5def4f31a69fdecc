import type { UserIdentity } from './request-context';

/**
 * The userIdentity of a call whose credentials identify nobody: AWS's failed console sign-in of an
 * unknown user (IAMUser, user name hidden), or `Unknown` for a bad bearer token (spec §2.4).
 */
export interface UnknownIdentity {
  type: 'IAMUser' | 'Unknown';
  accessKeyId: string;
  userName?: string;
}

/** Who a call is attributed to in self-audit, including when the caller could not be authenticated. */
export interface AuditSubject {
  identity: UserIdentity | UnknownIdentity;
  accountId: string;
  organizationId: string | null;
}
