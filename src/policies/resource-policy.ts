import { wildcardMatch } from './policy-evaluator';
import { duplicateKeyMessage, parseStrictJson } from './strict-json';

/**
 * Resource-based policies (bucket policies, key policies): IAM statements with principals and
 * conditions, which the identity-policy parser (policy-document.ts) rejects. Enough of IAM for
 * CloudTrail's bucket and key policies (spec §5.3, §7) and cross-account grants: Principal
 * (Service/AWS/*), Effect, Action/NotAction, Resource/NotResource with wildcards, and the
 * String/Arn condition operators. Each resource type supplies its own limits and wording.
 */
export type Principal = '*' | { AWS?: string[]; Service?: string[] };

export interface ResourcePolicyStatement {
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

export interface ResourcePolicy {
  Version: string;
  Id?: string;
  Statement: ResourcePolicyStatement[];
}

/** Who is asking: a service principal, or an IAM principal of some account. */
export type RequestPrincipal = { service: string } | { accountId: string; arns: string[] };

export interface ResourceRequest {
  principal: RequestPrincipal;
  action: string;
  resource: string;
  /** Condition keys of the request (names are case-insensitive). */
  context: Record<string, string>;
}

export type ResourcePolicyDecision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/**
 * The account (and its organization) a service principal acts for. Every tenant shares
 * `cloudtrail.amazonaws.com`, so a grant to the service alone would let any tenant make the
 * service write or encrypt for it (the confused deputy). Evaluated `boundTo` a source, an Allow
 * counts only from a statement that names that account or organization in a source condition.
 */
export interface ServiceSource {
  accountId: string;
  organizationId: string | null;
}

export interface EvaluationOptions {
  boundTo?: ServiceSource;
}

/**
 * Condition keys that carry the source of a service request: aws:SourceAccount, aws:SourceArn
 * (the trail or data store ARN, which holds the account), aws:SourceOrgID, and the encryption
 * context CloudTrail sends to KMS (`aws:cloudtrail:arn` = the trail ARN).
 */
const SOURCE_KEYS = new Set(['aws:sourceaccount', 'aws:sourcearn', 'aws:sourceorgid', 'kms:encryptioncontext:aws:cloudtrail:arn']);

/** What differs between resource types: size, actions, allowed resources and the error wording. */
export interface ResourcePolicyRules {
  maxBytes: number;
  /** Actions must be `<service>:<name>` (or `*`). */
  service: string;
  malformed(why: string): Error;
  /** Throws (via malformed) when a statement names a resource this policy may not speak about. */
  checkResource?(resource: string, statement: number): void;
  messages: {
    tooLarge: string;
    notJson: string;
    notObject: string;
    badVersion: string;
    missingStatement: string;
    invalidAction(action: string, statement: number): string;
    missingPrincipal(statement: number): string;
    invalidPrincipal(principal: string): string;
  };
}

const OPERATORS = ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];
const STATEMENT_FIELDS = ['Sid', 'Effect', 'Principal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'];

/** Parses a resource policy (JSON text); throws `rules.malformed` naming the problem. */
export function parseResourcePolicy(text: string, rules: ResourcePolicyRules): { policy: ResourcePolicy; document: unknown } {
  const { malformed, messages } = rules;
  if (typeof text !== 'string' || Buffer.byteLength(text, 'utf8') > rules.maxBytes) throw malformed(messages.tooLarge);
  const parsed = parseStrictJson(text);
  if ('error' in parsed) throw malformed(parsed.error === 'duplicate' ? duplicateKeyMessage(parsed.duplicate) : messages.notJson);
  const raw = parsed.value;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw malformed(messages.notObject);
  const doc = raw as Record<string, unknown>;
  for (const key of Object.keys(doc)) if (!['Version', 'Id', 'Statement'].includes(key)) throw malformed(`Unknown field ${key}`);
  const version = doc.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw malformed(messages.badVersion);
  if (doc.Id !== undefined && typeof doc.Id !== 'string') throw malformed('Id must be a string');
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  if (list.length === 0) throw malformed(messages.missingStatement);
  const policy: ResourcePolicy = { Version: version as string, Statement: list.map((s, i) => parseStatement(s, i, rules)) };
  if (doc.Id !== undefined) policy.Id = doc.Id as string;
  return { policy, document: raw };
}

function strings(value: unknown, field: string, rules: ResourcePolicyRules): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v.length > 0)) {
    throw rules.malformed(`${field} must be a non-empty string or list of strings`);
  }
  return list as string[];
}

function parseStatement(value: unknown, i: number, rules: ResourcePolicyRules): ResourcePolicyStatement {
  const { malformed } = rules;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`Statement ${i} must be an object`);
  const s = value as Record<string, unknown>;
  for (const key of Object.keys(s)) if (!STATEMENT_FIELDS.includes(key)) throw malformed(`Statement ${i}: unknown field ${key}`);
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(`Statement ${i}: Effect must be Allow or Deny`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') throw malformed(`Statement ${i}: Sid must be a string`);
  const statement: ResourcePolicyStatement = { Effect: s.Effect, Principal: parsePrincipal(s.Principal, i, rules) };
  if (s.Sid !== undefined) statement.Sid = s.Sid as string;
  statement.Action = strings(s.Action, `Statement ${i}: Action`, rules);
  statement.NotAction = strings(s.NotAction, `Statement ${i}: NotAction`, rules);
  if (!statement.Action === !statement.NotAction) throw malformed(`Statement ${i}: exactly one of Action or NotAction is required`);
  const actionPattern = new RegExp(`^${rules.service}:[A-Za-z0-9*?]+$`, 'i');
  for (const action of [...(statement.Action ?? []), ...(statement.NotAction ?? [])]) {
    if (action !== '*' && !actionPattern.test(action)) throw malformed(rules.messages.invalidAction(action, i));
  }
  statement.Resource = strings(s.Resource, `Statement ${i}: Resource`, rules);
  statement.NotResource = strings(s.NotResource, `Statement ${i}: NotResource`, rules);
  if (!statement.Resource === !statement.NotResource) throw malformed(`Statement ${i}: exactly one of Resource or NotResource is required`);
  if (rules.checkResource) for (const r of [...(statement.Resource ?? []), ...(statement.NotResource ?? [])]) rules.checkResource(r, i);
  if (s.Condition !== undefined) statement.Condition = parseCondition(s.Condition, i, rules);
  return statement;
}

function parsePrincipal(value: unknown, i: number, rules: ResourcePolicyRules): Principal {
  const { malformed } = rules;
  if (value === undefined) throw malformed(rules.messages.missingPrincipal(i));
  if (value === '*') return '*';
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`Statement ${i}: Principal must be "*" or an object`);
  const p = value as Record<string, unknown>;
  for (const key of Object.keys(p))
    if (key !== 'AWS' && key !== 'Service') throw malformed(`Statement ${i}: unsupported principal type ${key}`);
  const principal = {
    AWS: strings(p.AWS, `Statement ${i}: Principal.AWS`, rules),
    Service: strings(p.Service, `Statement ${i}: Principal.Service`, rules),
  };
  if (!principal.AWS && !principal.Service) throw malformed(`Statement ${i}: Principal names nobody`);
  for (const aws of principal.AWS ?? []) {
    if (aws !== '*' && !/^\d{12}$/.test(aws) && !/^arn:aws:(iam|sts)::\d{12}:\S+$/.test(aws))
      throw malformed(rules.messages.invalidPrincipal(aws));
  }
  return principal;
}

function parseCondition(value: unknown, i: number, rules: ResourcePolicyRules): Record<string, Record<string, string[]>> {
  const { malformed } = rules;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(`Statement ${i}: Condition must be an object`);
  const out: Record<string, Record<string, string[]>> = {};
  for (const [operator, block] of Object.entries(value as Record<string, unknown>)) {
    const base = operator.endsWith('IfExists') ? operator.slice(0, -'IfExists'.length) : operator;
    if (!OPERATORS.includes(base)) throw malformed(`Statement ${i}: unsupported condition operator ${operator}`);
    if (typeof block !== 'object' || block === null || Array.isArray(block))
      throw malformed(`Statement ${i}: ${operator} must be an object`);
    out[operator] = {};
    for (const [key, values] of Object.entries(block as Record<string, unknown>)) {
      out[operator][key] = strings(values, `Statement ${i}: ${operator}.${key}`, rules)!;
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

function valueMatches(base: string, accepted: string, actual: string): boolean {
  return base === 'StringEquals' || base === 'StringNotEquals' ? accepted === actual : wildcardMatch(accepted, actual, false);
}

function conditionHolds(operator: string, key: string, accepted: string[], context: Map<string, string>): boolean {
  const ifExists = operator.endsWith('IfExists');
  const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
  const negated = base.includes('Not');
  const actual = context.get(key.toLowerCase());
  // IAM: a missing key fails a positive operator and satisfies a negated one.
  if (actual === undefined) return ifExists || negated;
  const matched = accepted.some((v) => valueMatches(base, v, actual));
  return negated ? !matched : matched;
}

/**
 * Each one-character change of `id` (past `keep` leading characters), cycling through `alphabet`.
 * A pattern that still matches one of them does not pin `id`: a `*` or `?` covers that character.
 */
function variantsOf(id: string, alphabet: string, keep: number): string[] {
  const out: string[] = [];
  for (let i = keep; i < id.length; i++) {
    const at = alphabet.indexOf(id[i]);
    out.push(id.slice(0, i) + alphabet[(at + 1) % alphabet.length] + id.slice(i + 1));
  }
  return out;
}

/**
 * Whether a statement names the source: one of its positive (not negated, not IfExists) conditions
 * on a source key has a value that matches the request and matches none of the requests that differ
 * only in one character of the account id (or of the organization id). Wildcards over the account
 * (`arn:aws:cloudtrail:*:*:trail/*`), names a tenant can choose (`…:trail/Main`) and negations pin
 * nothing; `111122223333`, `arn:aws:cloudtrail:*:111122223333:trail/*` or the organization id do.
 */
function namesSource(s: ResourcePolicyStatement, context: Map<string, string>, source: ServiceSource): boolean {
  const ids: Array<[id: string, variants: string[]]> = [[source.accountId, variantsOf(source.accountId, '0123456789', 0)]];
  if (source.organizationId)
    ids.push([source.organizationId, variantsOf(source.organizationId, 'abcdefghijklmnopqrstuvwxyz0123456789', 2)]);
  for (const [operator, block] of Object.entries(s.Condition ?? {})) {
    if (operator.endsWith('IfExists') || operator.includes('Not')) continue;
    for (const [key, values] of Object.entries(block)) {
      const actual = context.get(key.toLowerCase());
      if (actual === undefined || !SOURCE_KEYS.has(key.toLowerCase())) continue;
      for (const value of values) {
        if (!valueMatches(operator, value, actual)) continue;
        for (const [id, variants] of ids) {
          if (actual.includes(id) && variants.every((v) => !valueMatches(operator, value, actual.split(id).join(v)))) return true;
        }
      }
    }
  }
  return false;
}

function statementApplies(s: ResourcePolicyStatement, req: ResourceRequest, context: Map<string, string>): boolean {
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

/**
 * IAM evaluation of one request against a resource policy: explicit Deny wins, then Allow. With
 * `boundTo`, only Allow statements that name that source (namesSource) grant; every Deny applies.
 */
export function evaluateResourcePolicy(
  policy: ResourcePolicy | null,
  req: ResourceRequest,
  opts: EvaluationOptions = {},
): ResourcePolicyDecision {
  if (!policy) return 'ImplicitDeny';
  const context = new Map(Object.entries(req.context).map(([k, v]) => [k.toLowerCase(), v]));
  let allowed = false;
  for (const s of policy.Statement) {
    if (!statementApplies(s, req, context)) continue;
    if (s.Effect === 'Deny') return 'ExplicitDeny';
    if (!opts.boundTo || namesSource(s, context, opts.boundTo)) allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}
