import { isIP } from 'node:net';
import type { ContextKeySelector, MaxEventSize } from '../event-data-store.entity';
import { LakeErrors } from '../lake.errors';

/**
 * PutEventConfiguration's rules for event data stores (spec §4.5), and the enrichment it turns on:
 * pure functions, used by the service (validation) and the Lake router (size limit, eventContext).
 */

const KB = 1024;
/** The largest event, as its stored JSON in UTF-8, a store takes: Standard 256 KB, Large 1 MB. */
export const MAX_EVENT_BYTES: Record<MaxEventSize, number> = { Standard: 256 * KB, Large: 1024 * KB };
export const MAX_CONTEXT_KEY_SELECTORS = 2;
export const MAX_CONTEXT_KEYS = 50;
export const MAX_CONTEXT_KEY_LENGTH = 128;

export const isMaxEventSize = (v: unknown): v is MaxEventSize => v === 'Standard' || v === 'Large';

/** Bytes of a record as stored (the size CloudTrail compares with MaxEventSize). */
export const eventBytes = (json: string): number => Buffer.byteLength(json, 'utf8');

type Identity = {
  type?: string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  userName?: string;
  invokedBy?: string;
  sessionContext?: { sessionIssuer?: { arn?: string }; attributes?: { mfaAuthenticated?: string; creationDate?: string } };
};
type EnrichableRecord = {
  userIdentity?: Identity;
  eventTime?: string;
  awsRegion?: string;
  sourceIPAddress?: string;
  tlsDetails?: unknown;
  resources?: Array<{ ARN?: string }> | null;
  requestParameters?: unknown;
  responseElements?: unknown;
};

const PRINCIPAL_TYPES: Record<string, string> = {
  Root: 'Account',
  IAMUser: 'User',
  AssumedRole: 'AssumedRole',
  FederatedUser: 'FederatedUser',
  AWSService: 'Service',
};

/**
 * The IAM global condition keys an enriched event can carry (RequestContext selectors), each
 * with how its value follows from what the request presented, as the authorization step saw it.
 * A key the request had no value for is left out of the event, as CloudTrail does ("the key was
 * not relevant to the IAM policy evaluation for that action"). `aws:PrincipalOrgID` is the
 * organization of the principal's account at routing time (handed in by the router).
 */
const REQUEST_CONTEXT_KEYS: Record<string, (r: EnrichableRecord, orgId: string | null) => string | undefined> = {
  'aws:PrincipalArn': (r) => r.userIdentity?.sessionContext?.sessionIssuer?.arn ?? r.userIdentity?.arn,
  'aws:PrincipalAccount': (r) => r.userIdentity?.accountId,
  'aws:PrincipalOrgID': (_r, orgId) => orgId ?? undefined,
  'aws:PrincipalType': (r) => PRINCIPAL_TYPES[r.userIdentity?.type ?? ''],
  'aws:PrincipalIsAWSService': (r) => (r.userIdentity?.type === undefined ? undefined : String(r.userIdentity.type === 'AWSService')),
  'aws:PrincipalServiceName': (r) => (r.userIdentity?.type === 'AWSService' ? r.userIdentity.invokedBy : undefined),
  'aws:userid': (r) => {
    const id = r.userIdentity;
    if (id?.type === 'Root') return id.accountId;
    return id?.type === 'IAMUser' || id?.type === 'AssumedRole' || id?.type === 'FederatedUser' ? id.principalId : undefined;
  },
  'aws:username': (r) => (r.userIdentity?.type === 'IAMUser' ? r.userIdentity.userName : undefined),
  'aws:SourceIp': (r) => (typeof r.sourceIPAddress === 'string' && isIP(r.sourceIPAddress) !== 0 ? r.sourceIPAddress : undefined),
  'aws:RequestedRegion': (r) => r.awsRegion,
  'aws:SecureTransport': (r) => (r.tlsDetails ? 'true' : undefined),
  'aws:ViaAWSService': (r) =>
    r.userIdentity ? String(typeof r.userIdentity.invokedBy === 'string' && r.userIdentity.type !== 'AWSService') : undefined,
  'aws:MultiFactorAuthPresent': (r) => r.userIdentity?.sessionContext?.attributes?.mfaAuthenticated,
  'aws:TokenIssueTime': (r) => r.userIdentity?.sessionContext?.attributes?.creationDate,
  'aws:CurrentTime': (r) => r.eventTime,
  'aws:EpochTime': (r) => {
    const t = r.eventTime ? Date.parse(r.eventTime) : NaN;
    return Number.isFinite(t) ? String(Math.floor(t / 1000)) : undefined;
  },
};
const CANONICAL_KEYS = new Map(Object.keys(REQUEST_CONTEXT_KEYS).map((k) => [k.toLowerCase(), k]));

/** The supported RequestContext keys, in the spelling events carry them (the README lists them). */
export const SUPPORTED_REQUEST_CONTEXT_KEYS: readonly string[] = Object.keys(REQUEST_CONTEXT_KEYS);

/**
 * Checks ContextKeySelectors as CloudTrail's model bounds them (≤ 2 selectors, one per Type, 1–50
 * keys of 1–128 characters, no repeats) and returns them with RequestContext keys in their
 * canonical spelling (condition key names are case-insensitive). InvalidParameterException otherwise.
 */
export function validateContextKeySelectors(input: unknown): ContextKeySelector[] {
  if (!Array.isArray(input)) throw LakeErrors.invalidParameter('ContextKeySelectors must be a list.');
  if (input.length > MAX_CONTEXT_KEY_SELECTORS)
    throw LakeErrors.invalidParameter(`ContextKeySelectors holds at most ${MAX_CONTEXT_KEY_SELECTORS} selectors; got ${input.length}.`);
  const out: ContextKeySelector[] = [];
  for (const s of input as Array<{ Type?: unknown; Equals?: unknown }>) {
    if (s?.Type !== 'TagContext' && s?.Type !== 'RequestContext')
      throw LakeErrors.invalidParameter(
        `ContextKeySelector Type must be TagContext or RequestContext; got ${String(s?.Type).slice(0, 64)}.`,
      );
    if (out.some((o) => o.Type === s.Type)) throw LakeErrors.invalidParameter(`ContextKeySelectors has more than one ${s.Type} selector.`);
    if (!Array.isArray(s.Equals) || s.Equals.length < 1 || s.Equals.length > MAX_CONTEXT_KEYS)
      throw LakeErrors.invalidParameter(`The ${s.Type} selector's Equals must list 1 to ${MAX_CONTEXT_KEYS} keys.`);
    const keys: string[] = [];
    for (const key of s.Equals as unknown[]) {
      if (typeof key !== 'string' || key.length < 1 || key.length > MAX_CONTEXT_KEY_LENGTH)
        throw LakeErrors.invalidParameter(`Each ${s.Type} key must be 1 to ${MAX_CONTEXT_KEY_LENGTH} characters.`);
      const k = s.Type === 'RequestContext' ? canonicalRequestKey(key) : key;
      if (keys.includes(k)) throw LakeErrors.invalidParameter(`The ${s.Type} selector lists ${k} more than once.`);
      keys.push(k);
    }
    out.push({ Type: s.Type, Equals: keys });
  }
  return out;
}

function canonicalRequestKey(key: string): string {
  const canonical = CANONICAL_KEYS.get(key.toLowerCase());
  if (canonical) return canonical;
  if (/^aws:principaltag\//i.test(key))
    throw LakeErrors.invalidParameter(
      `${key} is not supported: OpenTrail principals carry no tags, so aws:PrincipalTag keys never have a value.`,
    );
  throw LakeErrors.invalidParameter(
    `${key} is not a supported IAM global condition key for enriched events. Supported: ${SUPPORTED_REQUEST_CONTEXT_KEYS.join(', ')}.`,
  );
}

const ARN = /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:\d{12}:\S+$/;

/**
 * ARNs of the resources involved in the call the record describes: its `resources` and the ARNs
 * its request parameters and response elements name (CloudTrail's own management events, and
 * OpenTrail's self-audit records, carry no `resources`: the resource is in the request). The
 * router looks up the tags of those that belong to the event's account.
 */
export function involvedArns(record: EnrichableRecord): string[] {
  const out = new Set<string>();
  for (const r of Array.isArray(record.resources) ? record.resources : [])
    if (typeof r?.ARN === 'string' && ARN.test(r.ARN)) out.add(r.ARN);
  const walk = (v: unknown, depth: number) => {
    if (out.size >= 50) return;
    if (typeof v === 'string') {
      if (v.length <= 2048 && ARN.test(v)) out.add(v);
    } else if (depth < 4 && v && typeof v === 'object') {
      for (const x of Array.isArray(v) ? v : Object.values(v)) walk(x, depth + 1);
    }
  };
  walk(record.requestParameters, 0);
  walk(record.responseElements, 0);
  return [...out];
}

export type ResourceTags = Map<string, Array<{ Key: string; Value: string | null }>>;

/**
 * The `eventContext` an event gains in a store with these selectors: `requestContext` (the
 * selected IAM global condition keys that have a value) and `tagContext.resourceTags` (per involved
 * resource, its tags whose keys are selected). Null when nothing selected applies.
 */
export function eventContextOf(
  record: EnrichableRecord,
  selectors: ContextKeySelector[],
  tags: { resources: ResourceTags; principalOrgId: string | null },
): Record<string, unknown> | null {
  const context: Record<string, unknown> = {};
  const request = selectors.find((s) => s.Type === 'RequestContext');
  if (request) {
    const values: Record<string, string> = {};
    for (const key of request.Equals) {
      const value = REQUEST_CONTEXT_KEYS[key]?.(record, tags.principalOrgId);
      if (typeof value === 'string' && value !== '') values[key] = value;
    }
    if (Object.keys(values).length) context.requestContext = values;
  }
  const tagKeys = selectors.find((s) => s.Type === 'TagContext')?.Equals;
  if (tagKeys) {
    const resourceTags: Array<{ arn: string; tags: Record<string, string> }> = [];
    for (const arn of involvedArns(record)) {
      const selected: Record<string, string> = {};
      for (const t of tags.resources.get(arn) ?? []) if (tagKeys.includes(t.Key)) selected[t.Key] = t.Value ?? '';
      if (Object.keys(selected).length) resourceTags.push({ arn, tags: selected });
    }
    if (resourceTags.length) context.tagContext = { resourceTags };
  }
  return Object.keys(context).length ? context : null;
}

/** Only management and data events are enriched (spec §2: not network activity, Insights or integrations). */
export const ENRICHED_CATEGORIES = new Set(['Management', 'Data']);
