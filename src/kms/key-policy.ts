import { arns } from '../common/arn';
import type { Caller } from '../common/request-context';
import { evaluate } from '../policies/policy-evaluator';
import { type BucketPolicy, type BucketPolicyStatement, evaluateBucketPolicy, type Principal } from '../storage/bucket-policy';
import { KmsErrors } from './kms.errors';

/**
 * Key policies: resource policies on one key, evaluated with the same machinery as bucket
 * policies (principals, wildcards, String/Arn conditions). As in KMS, the key policy is the
 * primary control: a statement naming the account root (`arn:aws:iam::<acct>:root`) delegates to
 * that account's IAM policies, which must then also allow; a statement naming the principal
 * itself needs no IAM grant in the key's own account.
 */
export type KeyPolicy = BucketPolicy;

export const DEFAULT_POLICY_NAME = 'default';
const MAX_POLICY_BYTES = 32 * 1024;
const OPERATORS = ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];

/** KMS's default key policy: the owner account's root may do everything, i.e. IAM decides. */
export function defaultKeyPolicy(accountId: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Id: 'key-default-1',
    Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: arns.accountRoot(accountId) }, Action: 'kms:*', Resource: '*' }],
  };
}

const malformed = KmsErrors.malformedPolicy;

function strings(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v.length > 0)) {
    throw malformed(`${field} must be a non-empty string or list of strings`);
  }
  return list as string[];
}

/** Parses a key policy (JSON text); throws MalformedPolicyDocumentException naming the problem. */
export function parseKeyPolicy(text: string): { policy: KeyPolicy; document: unknown } {
  if (typeof text !== 'string' || Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) throw malformed('The key policy must be at most 32 KB');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw malformed('The key policy is not valid JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw malformed('The key policy must be a JSON object');
  const doc = raw as Record<string, unknown>;
  for (const key of Object.keys(doc)) if (!['Version', 'Id', 'Statement'].includes(key)) throw malformed(`Unknown field ${key}`);
  const version = doc.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw malformed('Version must be 2012-10-17');
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw malformed('Id must be a string');
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  if (list.length === 0) throw malformed('Statement is required');
  return { policy: { Version: version as string, Statement: list.map(parseStatement) }, document: raw };
}

function parseStatement(value: unknown, i: number): BucketPolicyStatement {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`Statement ${i} must be an object`);
  const s = value as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!['Sid', 'Effect', 'Principal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'].includes(key)) throw malformed(`Statement ${i}: unknown field ${key}`);
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(`Statement ${i}: Effect must be Allow or Deny`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw malformed(`Statement ${i}: Sid must be a string`);
  const statement: BucketPolicyStatement = { Effect: s.Effect, Principal: parsePrincipal(s.Principal, i) };
  if (s.Sid !== undefined) statement.Sid = s.Sid as string;
  statement.Action = strings(s.Action, `Statement ${i}: Action`);
  statement.NotAction = strings(s.NotAction, `Statement ${i}: NotAction`);
  if (!statement.Action === !statement.NotAction) throw malformed(`Statement ${i}: exactly one of Action or NotAction is required`);
  for (const action of [...(statement.Action ?? []), ...(statement.NotAction ?? [])]) {
    if (action !== '*' && !/^kms:[A-Za-z0-9*?]+$/i.test(action)) throw malformed(`Statement ${i}: invalid action ${action}`);
  }
  statement.Resource = strings(s.Resource, `Statement ${i}: Resource`);
  statement.NotResource = strings(s.NotResource, `Statement ${i}: NotResource`);
  if (!statement.Resource === !statement.NotResource) throw malformed(`Statement ${i}: exactly one of Resource or NotResource is required`);
  if (s.Condition !== undefined) statement.Condition = parseCondition(s.Condition, i);
  return statement;
}

function parsePrincipal(value: unknown, i: number): Principal {
  if (value === undefined) throw malformed(`Statement ${i}: Principal is required`);
  if (value === '*') return '*';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`Statement ${i}: Principal must be "*" or an object`);
  const p = value as Record<string, unknown>;
  for (const key of Object.keys(p)) if (key !== 'AWS' && key !== 'Service') throw malformed(`Statement ${i}: unsupported principal type ${key}`);
  const principal = { AWS: strings(p.AWS, `Statement ${i}: Principal.AWS`), Service: strings(p.Service, `Statement ${i}: Principal.Service`) };
  if (!principal.AWS && !principal.Service) throw malformed(`Statement ${i}: Principal names nobody`);
  for (const aws of principal.AWS ?? []) {
    if (aws !== '*' && !/^\d{12}$/.test(aws) && !/^arn:aws:(iam|sts)::\d{12}:\S+$/.test(aws)) throw malformed(`Policy contains a statement with one or more invalid principals: ${aws}`);
  }
  return principal;
}

function parseCondition(value: unknown, i: number): Record<string, Record<string, string[]>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`Statement ${i}: Condition must be an object`);
  const out: Record<string, Record<string, string[]>> = {};
  for (const [operator, block] of Object.entries(value as Record<string, unknown>)) {
    const base = operator.endsWith('IfExists') ? operator.slice(0, -'IfExists'.length) : operator;
    if (!OPERATORS.includes(base)) throw malformed(`Statement ${i}: unsupported condition operator ${operator}`);
    if (typeof block !== 'object' || block === null || Array.isArray(block)) throw malformed(`Statement ${i}: ${operator} must be an object`);
    out[operator] = {};
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) out[operator][key] = strings(values, `Statement ${i}: ${operator}.${key}`)!;
  }
  return out;
}

/** Who uses a key: the CloudTrail service (writing log files), or an authenticated caller. */
export type KeyRequester = { service: string } | { caller: Caller };

/**
 * KMS authorization of one action on a key: key policy AND (for a grant through an account root,
 * or any cross-account use) the caller's IAM policies; an explicit Deny in either wins.
 */
export function keyPolicyAllows(policy: KeyPolicy, key: { arn: string; accountId: string }, requester: KeyRequester, action: string, context: Record<string, string> = {}): boolean {
  if ('service' in requester) {
    return evaluateBucketPolicy(policy, { principal: { service: requester.service }, action, resource: key.arn, context }) === 'Allow';
  }
  const caller = requester.caller;
  const identity = caller.identity;
  const principalArns = [identity.arn, ...(identity.sessionContext ? [identity.sessionContext.sessionIssuer.arn] : [])];
  const fullContext = { ...context, 'kms:CallerAccount': caller.accountId, 'aws:PrincipalAccount': caller.accountId, 'aws:PrincipalArn': principalArns[principalArns.length - 1] };
  const viaAccount = evaluateBucketPolicy(policy, { principal: { accountId: caller.accountId, arns: principalArns }, action, resource: key.arn, context: fullContext });
  if (viaAccount !== 'Allow') return false; // ExplicitDeny, or nothing grants this account or principal
  const iam = evaluate(caller.policies, action, key.arn);
  if (iam === 'ExplicitDeny') return false;
  if (iam === 'Allow') return true;
  // Without an IAM grant only a statement naming the principal itself, in the key's own account, suffices.
  if (caller.accountId !== key.accountId) return false;
  const direct = evaluateBucketPolicy(policy, { principal: { accountId: 'none', arns: principalArns }, action, resource: key.arn, context: fullContext });
  return direct === 'Allow';
}
