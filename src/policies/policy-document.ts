import { OpenTrailError } from '../common/errors';
import { duplicateKeyMessage, parseStrictJson } from './strict-json';

/** An IAM-style policy statement. Conditions are not supported and are rejected on input. */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  /** Only in trust policies: who may assume the role. */
  Principal?: { AWS?: string[]; Service?: string[] } | '*';
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

const MAX_POLICY_CHARS = 10_240;
const ACTION_PATTERN = /^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$/;

function malformed(message: string): OpenTrailError {
  return new OpenTrailError('MalformedPolicyDocumentException', message);
}

function stringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v.length > 0)) {
    throw malformed(`${field} must be a non-empty string or list of strings`);
  }
  return list as string[];
}

/**
 * Parses and validates a policy document given as a JSON string or object, normalising single
 * strings to lists. Throws MalformedPolicyDocumentException naming the problem.
 */
export function parsePolicyDocument(input: unknown, opts: { trustPolicy?: boolean } = {}): PolicyDocument {
  let raw: unknown = input;
  if (typeof input === 'string') {
    if (input.length > MAX_POLICY_CHARS) throw malformed(`Policy document exceeds ${MAX_POLICY_CHARS} characters`);
    const parsed = parseStrictJson(input);
    if ('error' in parsed) {
      throw malformed(parsed.error === 'duplicate' ? duplicateKeyMessage(parsed.duplicate) : 'Policy document is not valid JSON');
    }
    raw = parsed.value;
  } else if (JSON.stringify(input ?? null).length > MAX_POLICY_CHARS) {
    throw malformed(`Policy document exceeds ${MAX_POLICY_CHARS} characters`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw malformed('Policy document must be a JSON object');
  const doc = raw as Record<string, unknown>;
  const version = doc.Version ?? '2012-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw malformed('Version must be 2012-10-17');
  const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  if (statements.length === 0) throw malformed('Statement is required');
  return {
    Version: version as string,
    Statement: statements.map((s, i) => parseStatement(s, i, opts.trustPolicy === true)),
  };
}

function parseStatement(value: unknown, index: number, trustPolicy: boolean): PolicyStatement {
  if (typeof value !== 'object' || value === null) throw malformed(`Statement ${index} must be an object`);
  const s = value as Record<string, unknown>;
  const known = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal']);
  for (const key of Object.keys(s)) {
    if (key === 'Condition') throw malformed(`Statement ${index}: Condition is not supported`);
    if (!known.has(key)) throw malformed(`Statement ${index}: unknown field ${key}`);
  }
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(`Statement ${index}: Effect must be Allow or Deny`);
  const statement: PolicyStatement = { Effect: s.Effect };
  if (s.Sid !== undefined) {
    if (typeof s.Sid !== 'string') throw malformed(`Statement ${index}: Sid must be a string`);
    statement.Sid = s.Sid;
  }
  statement.Action = stringList(s.Action, `Statement ${index}: Action`);
  statement.NotAction = stringList(s.NotAction, `Statement ${index}: NotAction`);
  if (!statement.Action === !statement.NotAction) throw malformed(`Statement ${index}: exactly one of Action or NotAction is required`);
  for (const action of [...(statement.Action ?? []), ...(statement.NotAction ?? [])]) {
    if (!ACTION_PATTERN.test(action)) throw malformed(`Statement ${index}: invalid action ${action}`);
  }
  if (trustPolicy) {
    if (s.Principal === undefined) throw malformed(`Statement ${index}: Principal is required in a trust policy`);
    statement.Principal = parsePrincipal(s.Principal, index);
  } else {
    if (s.Principal !== undefined) throw malformed(`Statement ${index}: Principal is not allowed in an identity policy`);
    statement.Resource = stringList(s.Resource, `Statement ${index}: Resource`);
    statement.NotResource = stringList(s.NotResource, `Statement ${index}: NotResource`);
    if (!statement.Resource === !statement.NotResource)
      throw malformed(`Statement ${index}: exactly one of Resource or NotResource is required`);
  }
  return statement;
}

function parsePrincipal(value: unknown, index: number): PolicyStatement['Principal'] {
  if (value === '*') return '*';
  if (typeof value !== 'object' || value === null) throw malformed(`Statement ${index}: Principal must be "*" or an object`);
  const p = value as Record<string, unknown>;
  for (const key of Object.keys(p)) {
    if (key !== 'AWS' && key !== 'Service') throw malformed(`Statement ${index}: unsupported principal type ${key}`);
  }
  return {
    AWS: stringList(p.AWS, `Statement ${index}: Principal.AWS`),
    Service: stringList(p.Service, `Statement ${index}: Principal.Service`),
  };
}
