import { wildcardMatch } from '../policies/policy-evaluator';
import { StorageErrors } from './storage.errors';

/**
 * Bucket policies: resource-based IAM policies with principals and conditions (the identity-policy
 * parser in src/policies rejects both). Enough of IAM to evaluate CloudTrail's bucket policy
 * (spec §5.3) and cross-account grants: Principal (Service/AWS/*), Effect, Action/NotAction,
 * Resource/NotResource with wildcards, and the String/Arn condition operators.
 */
export type Principal = '*' | { AWS?: string[]; Service?: string[] };

export interface BucketPolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal: Principal;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  /** operator → condition key → accepted values (any may match). */
  Condition?: Record<string, Record<string, string[]>>;
}

export interface BucketPolicy {
  Version: string;
  Id?: string;
  Statement: BucketPolicyStatement[];
}

/** Who is asking: the CloudTrail service, or an IAM principal of some account. */
export type RequestPrincipal = { service: string } | { accountId: string; arns: string[] };

export interface BucketRequest {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  /** Condition keys of the request (names are case-insensitive). */
  context: Record<string, string>;
}

export type BucketDecision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

const MAX_POLICY_BYTES = 20 * 1024;
const OPERATORS = ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];

const malformed = (why: string) => StorageErrors.malformedPolicy(why);

function strings(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v.length > 0)) {
    throw malformed(`${field} must be a non-empty string or list of strings`);
  }
  return list as string[];
}

/** Parses a bucket policy for `bucket`; throws MalformedPolicy naming the problem. */
export function parseBucketPolicy(text: string, bucket: string): BucketPolicy {
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) throw malformed('Policies must be 20 KB or smaller');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw malformed('Policies must be valid JSON and the first byte must be \'{\'');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw malformed('Policies must be a JSON object');
  const doc = raw as Record<string, unknown>;
  for (const key of Object.keys(doc)) if (!['Version', 'Id', 'Statement'].includes(key)) throw malformed(`Unknown field ${key}`);
  const version = doc.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw malformed('Version must be 2012-10-17 or 2008-10-17');
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw malformed('Id must be a string');
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  if (list.length === 0) throw malformed('Missing required field Statement');
  const policy: BucketPolicy = { Version: version as string, Statement: list.map((s, i) => parseStatement(s, i, bucket)) };
  if (doc.Id !== undefined) policy.Id = doc.Id as string;
  return policy;
}

function parseStatement(value: unknown, i: number, bucket: string): BucketPolicyStatement {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`Statement ${i} must be an object`);
  const s = value as Record<string, unknown>;
  const known = ['Sid', 'Effect', 'Principal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];
  for (const key of Object.keys(s)) if (!known.includes(key)) throw malformed(`Statement ${i}: unknown field ${key}`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(`Statement ${i}: Effect must be Allow or Deny`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw malformed(`Statement ${i}: Sid must be a string`);
  const statement: BucketPolicyStatement = { Effect: s.Effect, Principal: parsePrincipal(s.Principal, i) };
  if (s.Sid !== undefined) statement.Sid = s.Sid as string;
  statement.Action = strings(s.Action, `Statement ${i}: Action`);
  statement.NotAction = strings(s.NotAction, `Statement ${i}: NotAction`);
  if (!statement.Action === !statement.NotAction) throw malformed(`Statement ${i}: exactly one of Action or NotAction is required`);
  for (const action of [...(statement.Action ?? []), ...(statement.NotAction ?? [])]) {
    if (action !== '*' && !/^s3:[A-Za-z0-9*?]+$/i.test(action)) throw malformed(`Policy has invalid action: ${action}`);
  }
  statement.Resource = strings(s.Resource, `Statement ${i}: Resource`);
  statement.NotResource = strings(s.NotResource, `Statement ${i}: NotResource`);
  if (!statement.Resource === !statement.NotResource) throw malformed(`Statement ${i}: exactly one of Resource or NotResource is required`);
  // As S3 does: a bucket policy may only speak about its own bucket and its objects.
  const own = `arn:aws:s3:::${bucket}`;
  for (const r of [...(statement.Resource ?? []), ...(statement.NotResource ?? [])]) {
    if (r !== own && !r.startsWith(`${own}/`)) throw malformed(`Policy has invalid resource: ${r}`);
  }
  if (s.Condition !== undefined) statement.Condition = parseCondition(s.Condition, i);
  return statement;
}

function parsePrincipal(value: unknown, i: number): Principal {
  if (value === undefined) throw malformed(`Statement ${i}: Missing required field Principal`);
  if (value === '*') return '*';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`Statement ${i}: Principal must be "*" or an object`);
  const p = value as Record<string, unknown>;
  for (const key of Object.keys(p)) if (key !== 'AWS' && key !== 'Service') throw malformed(`Statement ${i}: unsupported principal type ${key}`);
  const principal = { AWS: strings(p.AWS, `Statement ${i}: Principal.AWS`), Service: strings(p.Service, `Statement ${i}: Principal.Service`) };
  if (!principal.AWS && !principal.Service) throw malformed(`Statement ${i}: Principal names nobody`);
  for (const aws of principal.AWS ?? []) {
    if (aws !== '*' && !/^\d{12}$/.test(aws) && !/^arn:aws:(iam|sts)::\d{12}:\S+$/.test(aws)) throw malformed(`Invalid principal in policy: ${aws}`);
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
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      out[operator][key] = strings(values, `Statement ${i}: ${operator}.${key}`)!;
    }
  }
  return out;
}

function principalMatches(p: Principal, who: RequestPrincipal): boolean {
  if (p === '*') return true;
  if ('service' in who) return (p.Service ?? []).includes(who.service);
  return (p.AWS ?? []).some(
    (entry) => entry === '*' || entry === who.accountId || entry === `arn:aws:iam::${who.accountId}:root` || who.arns.includes(entry),
  );
}

function conditionHolds(operator: string, key: string, accepted: string[], context: Map<string, string>): boolean {
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const negated = base.includes('Not');
  const actual = context.get(key.toLowerCase());
  // IAM: a missing key fails a positive operator and satisfies a negated one.
  if (actual === undefined) return ifExists || negated;
  const exact = base === 'StringEquals' || base === 'StringNotEquals';
  const matched = accepted.some((v) => (exact ? v === actual : wildcardMatch(v, actual, false)));
  return negated ? !matched : matched;
}

function statementApplies(s: BucketPolicyStatement, req: BucketRequest, context: Map<string, string>): boolean {
  if (!principalMatches(s.Principal, req.principal)) return false;
  const actionMatches = s.Action
    ? s.Action.some((p) => wildcardMatch(p, req.action, true))
    : !(s.NotAction ?? []).some((p) => wildcardMatch(p, req.action, true));
  if (!actionMatches) return false;
  const resourceMatches = s.Resource
    ? s.Resource.some((p) => wildcardMatch(p, req.resource, false))
    : !(s.NotResource ?? []).some((p) => wildcardMatch(p, req.resource, false));
  if (!resourceMatches) return false;
  // Every operator and every key must hold (AND); any value of a key may match (OR).
  return Object.entries(s.Condition ?? {}).every(([operator, block]) =>
    Object.entries(block).every(([key, values]) => conditionHolds(operator, key, values, context)),
  );
}

/** IAM evaluation for one request against a bucket policy: explicit Deny wins, then Allow. */
export function evaluateBucketPolicy(policy: BucketPolicy | null, req: BucketRequest): BucketDecision {
  if (!policy) return 'ImplicitDeny';
  const context = new Map(Object.entries(req.context).map(([k, v]) => [k.toLowerCase(), v]));
  let allowed = false;
  for (const s of policy.Statement) {
    if (!statementApplies(s, req, context)) continue;
    if (s.Effect === 'Deny') return 'ExplicitDeny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}
