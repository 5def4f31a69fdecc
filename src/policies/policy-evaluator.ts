import type { PolicyDocument, PolicyStatement } from './policy-document';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

const patternCache = new Map<string, RegExp>();

/** IAM wildcard match: `*` any run of characters, `?` any one character. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  if (pattern === '*') return true;
  const key = `${caseInsensitive ? 'i' : 's'}:${pattern}`;
  let regex = patternCache.get(key);
  if (!regex) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    regex = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(key, regex);
  }
  return regex.test(value);
}

function statementApplies(s: PolicyStatement, action: string, resource: string): boolean {
  // Action names are case-insensitive in IAM; resource ARNs are case-sensitive.
  const actionMatches = s.Action
    ? s.Action.some((p) => wildcardMatch(p, action, true))
    : !(s.NotAction ?? []).some((p) => wildcardMatch(p, action, true));
  if (!actionMatches) return false;
  return s.Resource
    ? s.Resource.some((p) => wildcardMatch(p, resource, false))
    : !(s.NotResource ?? []).some((p) => wildcardMatch(p, resource, false));
}

/**
 * IAM evaluation logic for identity policies: an explicit Deny in any statement wins, then any
 * Allow, and otherwise the request is implicitly denied.
 */
export function evaluate(policies: readonly PolicyDocument[], action: string, resource: string): Decision {
  let allowed = false;
  for (const policy of policies) {
    for (const statement of policy.Statement) {
      if (!statementApplies(statement, action, resource)) continue;
      if (statement.Effect === 'Deny') return 'ExplicitDeny';
      allowed = true;
    }
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}

/**
 * Trust-policy check for sts:AssumeRole: does a statement allow `sts:AssumeRole` for the caller?
 * `arn:aws:iam::<account>:root` (or the bare account id) trusts every principal of that account,
 * which must then also be allowed by its own identity policies.
 */
export function trustAllows(trust: PolicyDocument, callerArn: string, callerAccountId: string): boolean {
  let allowed = false;
  for (const s of trust.Statement) {
    const actionMatches = s.Action
      ? s.Action.some((p) => wildcardMatch(p, 'sts:AssumeRole', true))
      : !(s.NotAction ?? []).some((p) => wildcardMatch(p, 'sts:AssumeRole', true));
    if (!actionMatches) continue;
    const principals = s.Principal === '*' ? ['*'] : (s.Principal?.AWS ?? []);
    const matches = principals.some(
      (p) =>
        p === '*' ||
        p === callerAccountId ||
        p === `arn:aws:iam::${callerAccountId}:root` ||
        wildcardMatch(p, callerArn, false),
    );
    if (!matches) continue;
    if (s.Effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}
