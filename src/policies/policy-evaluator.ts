import type { PolicyDocument, PolicyStatement } from './policy-document';

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/**
 * IAM wildcard match: `*` any run of characters, `?` any one character. A linear glob match
 * (one backtrack point, the last `*`), never a regular expression: patterns are tenants' policy
 * text, and `*a*a*a…X` compiled to a backtracking regex ran for minutes on the shared event loop.
 */
export function wildcardMatch(pattern: string, value: string, caseInsensitive: boolean): boolean {
  if (pattern === '*') return true;
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  let pi = 0;
  let vi = 0;
  let star = -1; // the last `*` seen, and where in the value it started matching
  let mark = 0;
  while (vi < v.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === v[vi])) {
      pi++;
      vi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = vi;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
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
      (p) => p === '*' || p === callerAccountId || p === `arn:aws:iam::${callerAccountId}:root` || wildcardMatch(p, callerArn, false),
    );
    if (!matches) continue;
    if (s.Effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}
