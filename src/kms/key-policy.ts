import { arns } from '../common/arn';
import type { Caller } from '../common/request-context';
import { evaluate } from '../policies/policy-evaluator';
import {
  type EvaluationOptions,
  evaluateResourcePolicy,
  parseResourcePolicy,
  type ResourcePolicy,
  type ResourcePolicyRules,
} from '../policies/resource-policy';
import { KmsErrors } from './kms.errors';

/**
 * Key policies: resource policies on one key, evaluated with the same machinery as bucket
 * policies (principals, wildcards, String/Arn conditions). As in KMS, the key policy is the
 * primary control: a statement naming the account root (`arn:aws:iam::<acct>:root`) delegates to
 * that account's IAM policies, which must then also allow; a statement naming the principal
 * itself needs no IAM grant in the key's own account.
 */
export type KeyPolicy = ResourcePolicy;

export const DEFAULT_POLICY_NAME = 'default';

/** KMS's default key policy: the owner account's root may do everything, i.e. IAM decides. */
export function defaultKeyPolicy(accountId: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [
      {
        Sid: 'Enable IAM User Permissions',
        Effect: 'Allow',
        Principal: { AWS: arns.accountRoot(accountId) },
        Action: 'kms:*',
        Resource: '*',
      },
    ],
  };
}

const KEY_POLICY_RULES: ResourcePolicyRules = {
  maxBytes: 32 * 1024,
  service: 'kms',
  malformed: KmsErrors.malformedPolicy,
  messages: {
    tooLarge: 'The key policy must be at most 32 KB',
    notJson: 'The key policy is not valid JSON',
    notObject: 'The key policy must be a JSON object',
    badVersion: 'Version must be 2012-10-17',
    missingStatement: 'Statement is required',
    invalidAction: (action, i) => `Statement ${i}: invalid action ${action}`,
    missingPrincipal: (i) => `Statement ${i}: Principal is required`,
    invalidPrincipal: (p) => `Policy contains a statement with one or more invalid principals: ${p}`,
  },
};

/** Parses a key policy (JSON text); throws MalformedPolicyDocumentException naming the problem. */
export function parseKeyPolicy(text: string): { policy: KeyPolicy; document: unknown } {
  return parseResourcePolicy(text, KEY_POLICY_RULES);
}

/** Who uses a key: the CloudTrail service (writing log files), or an authenticated caller. */
export type KeyRequester = { service: string } | { caller: Caller };

/**
 * KMS authorization of one action on a key: key policy AND (for a grant through an account root,
 * or any cross-account use) the caller's IAM policies; an explicit Deny in either wins. For the
 * service, `opts.boundTo` counts only statements that name the account it acts for (the
 * confused-deputy rule for other tenants' keys, key-use.service.ts).
 */
export function keyPolicyAllows(
  policy: KeyPolicy,
  key: { arn: string; accountId: string },
  requester: KeyRequester,
  action: string,
  context: Record<string, string> = {},
  opts: EvaluationOptions = {},
): boolean {
  if ('service' in requester) {
    return (
      evaluateResourcePolicy(policy, { principal: { service: requester.service }, action, resource: key.arn, context }, opts) === 'Allow'
    );
  }
  const caller = requester.caller;
  const identity = caller.identity;
  const principalArns = [identity.arn, ...(identity.sessionContext ? [identity.sessionContext.sessionIssuer.arn] : [])];
  const fullContext = {
    ...context,
    'kms:CallerAccount': caller.accountId,
    'aws:PrincipalAccount': caller.accountId,
    'aws:PrincipalArn': principalArns[principalArns.length - 1],
  };
  const viaAccount = evaluateResourcePolicy(policy, {
    principal: { accountId: caller.accountId, arns: principalArns },
    action,
    resource: key.arn,
    context: fullContext,
  });
  if (viaAccount !== 'Allow') return false; // ExplicitDeny, or nothing grants this account or principal
  const iam = evaluate(caller.policies, action, key.arn);
  if (iam === 'ExplicitDeny') return false;
  if (iam === 'Allow') return true;
  // Without an IAM grant only a statement naming the principal itself, in the key's own account, suffices.
  if (caller.accountId !== key.accountId) return false;
  const direct = evaluateResourcePolicy(policy, {
    principal: { accountId: 'none', arns: principalArns },
    action,
    resource: key.arn,
    context: fullContext,
  });
  return direct === 'Allow';
}
