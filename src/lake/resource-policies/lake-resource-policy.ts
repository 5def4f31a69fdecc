import type { RequestContext } from '../../common/request-context';
import {
  evaluateResourcePolicy,
  parseResourcePolicy,
  type ResourcePolicy,
  type ResourcePolicyRules,
  type RequestPrincipal,
} from '../../policies/resource-policy';
import { ResourcePolicyErrors } from './resource-policy.errors';

/** PutResourcePolicy's limit (spec §8.6): 1 to 8192 characters. */
export const MAX_RESOURCE_POLICY_CHARS = 8192;

/** What a resource-based policy on one type of resource may grant (spec §8.6, §9.1). */
export interface ResourcePolicyGrants {
  /** The action prefix: `cloudtrail` (stores, dashboards) or `cloudtrail-data` (channels). */
  service: string;
  /** The only actions its statements may name (exact names, case-insensitive; no wildcards). */
  actions: readonly string[];
}

const IAM_PRINCIPAL = /^arn:aws:iam::\d{12}:(root|user\/[\w+=,.@/-]+|role\/[\w+=,.@/-]+)$/;

function rules(grants: ResourcePolicyGrants, arn: string): ResourcePolicyRules {
  const malformed = (why: string) => ResourcePolicyErrors.notValid(why);
  return {
    // Characters are limited before parsing; this bounds the bytes of the same text.
    maxBytes: MAX_RESOURCE_POLICY_CHARS * 4,
    service: grants.service,
    malformed,
    checkResource(resource, statement) {
      if (resource !== arn)
        throw malformed(`Statement ${statement}: Resource must be the ARN of the resource the policy is attached to (${arn}).`);
    },
    messages: {
      tooLarge: `a policy has 1 to ${MAX_RESOURCE_POLICY_CHARS} characters.`,
      notJson: 'the policy is not a JSON document.',
      notObject: 'the policy must be a JSON object.',
      badVersion: 'Version must be 2012-10-17.',
      missingStatement: 'the policy has no Statement.',
      invalidAction: (action, statement) => `Statement ${statement}: ${action} is not an action of ${grants.service}.`,
      missingPrincipal: (statement) => `Statement ${statement}: Principal is required.`,
      invalidPrincipal: (principal) => `invalid principal ${principal.slice(0, 256)}: name an account id or an IAM ARN.`,
    },
  };
}

/**
 * Checks a policy for a resource (`arn`) of a type that grants `grants`: CloudTrail's JSON policy
 * grammar (src/policies/resource-policy.ts), then CloudTrail's rules for resource policies:
 * principals are accounts or IAM users and roles (never `*`, which would open the resource to
 * every tenant of the server, nor service principals), statements name `Action` with only the
 * type's actions, and `Resource` is the resource itself. Throws ResourcePolicyNotValidException.
 */
export function checkResourcePolicy(text: string, grants: ResourcePolicyGrants, arn: string): ResourcePolicy {
  if (typeof text !== 'string' || text.length < 1 || text.length > MAX_RESOURCE_POLICY_CHARS)
    throw ResourcePolicyErrors.notValid(`a policy has 1 to ${MAX_RESOURCE_POLICY_CHARS} characters.`);
  const { policy } = parseResourcePolicy(text, rules(grants, arn));
  const allowed = new Map(grants.actions.map((a) => [a.toLowerCase(), a]));
  policy.Statement.forEach((s, i) => {
    if (!s.Action) throw ResourcePolicyErrors.notValid(`Statement ${i}: name the actions with Action (${grants.actions.join(', ')}).`);
    for (const action of s.Action)
      if (!allowed.has(action.toLowerCase()))
        throw ResourcePolicyErrors.notValid(
          `Statement ${i}: ${action} cannot be granted on this resource; use ${grants.actions.join(', ')}.`,
        );
    if (!s.Resource) throw ResourcePolicyErrors.notValid(`Statement ${i}: Resource must be ${arn}.`);
    if (s.Principal === '*' || s.Principal.Service || !s.Principal.AWS)
      throw ResourcePolicyErrors.notValid(`Statement ${i}: Principal must name AWS accounts or IAM users and roles.`);
    for (const principal of s.Principal.AWS)
      if (!/^\d{12}$/.test(principal) && !IAM_PRINCIPAL.test(principal))
        throw ResourcePolicyErrors.notValid(
          `Statement ${i}: invalid principal ${principal.slice(0, 256)}: name an account id or an IAM ARN.`,
        );
  });
  return policy;
}

/** The caller as resource policies name principals: its account, its own ARN and a role session's role. */
function principalOf(ctx: RequestContext): RequestPrincipal {
  const identity = ctx.caller.identity;
  const issuer = identity.sessionContext?.sessionIssuer.arn;
  return { accountId: ctx.caller.accountId, arns: issuer ? [identity.arn, issuer] : [identity.arn] };
}

/**
 * Whether the resource policy `text` (as stored, so already checked) lets the caller of another
 * account perform `action` on `arn`: IAM evaluation, explicit Deny wins, default deny. The
 * caller's own identity policies must allow the call too, which the operation catalog checked.
 * `context`: the request's condition keys besides aws:PrincipalAccount, aws:PrincipalArn and
 * aws:SourceIp (PutAuditEvents adds cloudtrail:ExternalId when given).
 */
export function resourcePolicyAllows(
  text: string | null,
  grants: ResourcePolicyGrants,
  ctx: RequestContext,
  request: { action: string; arn: string; context?: Record<string, string> },
): boolean {
  if (!text) return false;
  const policy = checkResourcePolicy(text, grants, request.arn);
  const decision = evaluateResourcePolicy(policy, {
    principal: principalOf(ctx),
    action: request.action,
    resource: request.arn,
    context: {
      'aws:PrincipalAccount': ctx.caller.accountId,
      'aws:PrincipalArn': ctx.caller.identity.sessionContext?.sessionIssuer.arn ?? ctx.caller.identity.arn,
      'aws:SourceIp': ctx.sourceIp,
      ...request.context,
    },
  });
  return decision === 'Allow';
}
