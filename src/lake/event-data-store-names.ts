import { type CloudTrailResourceType, namedCloudTrailResource } from '../common/cloudtrail-resources';
import { arns } from '../common/arn';
import type { Caller, RequestMeta } from '../common/request-context';
import { normaliseKmsKeyId } from '../trails/trail-names';
import { TrailErrors } from '../trails/trail.errors';
import type { BillingMode } from './event-data-store.entity';
import { LakeErrors } from './lake.errors';
import type { ResourcePolicyGrants } from './resource-policies/lake-resource-policy';

/** Names, ARNs and the setting rules of event data stores (spec §8.1.1), pure. */

/** A store's policy shares its queries and description with other accounts (spec §8.2, §8.6). */
export const EVENT_DATA_STORE_POLICY_GRANTS: ResourcePolicyGrants = {
  service: 'cloudtrail',
  actions: [
    'cloudtrail:StartQuery',
    'cloudtrail:DescribeQuery',
    'cloudtrail:GetQueryResults',
    'cloudtrail:CancelQuery',
    'cloudtrail:ListQueries',
    'cloudtrail:GetEventDataStore',
  ],
};

const NAME = /^[a-zA-Z0-9._-]{3,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ARN = /^arn:[a-z-]+:cloudtrail:([a-z0-9-]+):(\d{12}):eventdatastore\/([0-9a-f-]{36})$/;

export const MIN_RETENTION_DAYS = 7;
export const MAX_RETENTION_DAYS: Record<BillingMode, number> = {
  EXTENDABLE_RETENTION_PRICING: 3653,
  FIXED_RETENTION_PRICING: 2557,
};
export const DEFAULT_RETENTION_DAYS: Record<BillingMode, number> = {
  EXTENDABLE_RETENTION_PRICING: 366,
  FIXED_RETENTION_PRICING: 2557,
};
export const BILLING_MODES: readonly BillingMode[] = ['EXTENDABLE_RETENTION_PRICING', 'FIXED_RETENTION_PRICING'];

export const eventDataStoreArn = (region: string, accountId: string, id: string) =>
  arns.cloudtrail(region, accountId, `eventdatastore/${id}`);
/** Event data stores as operations name them: by ARN or by ID. */
export const EVENT_DATA_STORE_RESOURCE: CloudTrailResourceType = { type: 'eventdatastore', id: '[0-9a-f-]{36}' };
const storeNamed = namedCloudTrailResource(EVENT_DATA_STORE_RESOURCE, 'store');
/** The store ARN a value authorizes, for operations that name a store or something else (trails' insight selectors). */
export const storeArnOf = (value: unknown, caller: Caller, meta: RequestMeta): string => storeNamed({ store: value }, caller, meta);

export function validateStoreName(name: string): void {
  if (!NAME.test(name)) {
    throw LakeErrors.invalidParameter(
      `Event data store name ${name.slice(0, 128)} is not valid: use 3 to 128 letters, digits, periods, underscores and hyphens.`,
    );
  }
}

/** An `EventDataStore` parameter: the ARN or its ID suffix. */
export interface StoreReference {
  id: string;
  region: string | null;
  accountId: string | null;
}

export function parseStoreReference(value: string): StoreReference {
  if (typeof value !== 'string' || value.length < 3 || value.length > 256) throw LakeErrors.arnInvalid(String(value));
  if (UUID.test(value)) return { id: value, region: null, accountId: null };
  const m = ARN.exec(value);
  if (!m || !UUID.test(m[3])) throw LakeErrors.arnInvalid(value);
  return { id: m[3], region: m[1], accountId: m[2] };
}

export function validateBillingMode(value: string): BillingMode {
  if (!(BILLING_MODES as readonly string[]).includes(value)) {
    throw LakeErrors.invalidParameter(
      `billingMode must be EXTENDABLE_RETENTION_PRICING or FIXED_RETENTION_PRICING; got ${value.slice(0, 64)}.`,
    );
  }
  return value as BillingMode;
}

export function validateRetention(days: number, mode: BillingMode): void {
  const max = MAX_RETENTION_DAYS[mode];
  if (!Number.isInteger(days) || days < MIN_RETENTION_DAYS || days > max) {
    throw LakeErrors.invalidParameter(
      `retentionPeriod must be ${MIN_RETENTION_DAYS} to ${max} days for billing mode ${mode}; got ${days}.`,
    );
  }
}

/**
 * A KmsKeyId's format (InvalidKmsKeyIdException), as a key or alias ARN; the key itself is checked
 * by the key service (EventDataStoreService.storeKey).
 */
export function normaliseStoreKmsKeyId(keyId: string, region: string, accountId: string): string {
  if (keyId.length < 1 || keyId.length > 350 || !/^[a-zA-Z0-9._/\-:]+$/.test(keyId)) {
    throw TrailErrors.kmsKeyId(keyId.slice(0, 256));
  }
  return normaliseKmsKeyId(keyId, region, accountId);
}
