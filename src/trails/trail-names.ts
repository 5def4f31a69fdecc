import type { CloudTrailResourceType } from '../common/cloudtrail-resources';
import { PARTITION } from '../common/arn';
import { isKnownRegion } from '../regions/region-catalog';
import { TrailErrors } from './trail.errors';

/** Input rules of spec §1.4, pure, with CloudTrail's observed messages. */

const NAME_CHARS = /^[A-Za-z0-9._-]+$/;
const ALNUM = /[A-Za-z0-9]/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const TRAIL_ARN = /^arn:([a-z-]+):cloudtrail:([a-z0-9-]+):(\d{12}):trail\/(.+)$/;

/** Throws InvalidTrailNameException unless `name` is a valid trail name. */
export function validateTrailName(name: string): void {
  if (name.length < 3) {
    throw TrailErrors.invalidName(
      `Trail name too short. Minimum allowed length: 3 characters. Specified name length: ${name.length} characters.`,
    );
  }
  if (name.length > 128) {
    throw TrailErrors.invalidName(
      `Trail name too long. Maximum allowed length: 128 characters. Specified name length: ${name.length} characters.`,
    );
  }
  if (!ALNUM.test(name[0])) throw TrailErrors.invalidName('Trail name must starts with a letter or number.');
  if (!ALNUM.test(name[name.length - 1])) throw TrailErrors.invalidName('Trail name must ends with a letter or number.');
  if (!NAME_CHARS.test(name)) {
    throw TrailErrors.invalidName(
      'Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).',
    );
  }
  if (/[._-]{2}/.test(name)) {
    throw TrailErrors.invalidName('Trail name cannot contain adjacent periods (.), hyphens (-), or underscores (_).');
  }
  if (IPV4.test(name)) throw TrailErrors.invalidName('Trail name must not be formatted as an IP address.');
}

export interface ParsedTrailArn {
  region: string;
  accountId: string;
  name: string;
}

export const isArnLike = (value: string) => value.startsWith('arn:');

/** Parses a trail ARN; CloudTrailARNInvalidException when it is not one. */
export function parseTrailArn(arn: string): ParsedTrailArn {
  const m = TRAIL_ARN.exec(arn);
  if (!m || m[1] !== PARTITION || !isKnownRegion(m[2])) throw TrailErrors.arnInvalid(arn.slice(0, 256));
  validateTrailName(m[4]);
  return { region: m[2], accountId: m[3], name: m[4] };
}

export const trailArn = (region: string, accountId: string, name: string) =>
  `arn:${PARTITION}:cloudtrail:${region}:${accountId}:trail/${name}`;
/** Trails as operations name them; any `arn:` value is passed on for the service to parse and refuse. */
export const TRAIL_RESOURCE: CloudTrailResourceType = { type: 'trail', id: '[A-Za-z0-9._-]{1,128}', anyArn: true };

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** S3 bucket naming rules (InvalidS3BucketNameException). */
export function validateBucketName(name: string): void {
  const ok = BUCKET.test(name) && !name.includes('..') && !name.includes('.-') && !name.includes('-.') && !IPV4.test(name);
  if (!ok) throw TrailErrors.s3BucketName(name.slice(0, 256));
}

/** Returns the prefix as stored (no trailing slash, empty → null); InvalidS3PrefixException past 200. */
export function normaliseS3Prefix(prefix: string | null | undefined): string | null {
  if (prefix === undefined || prefix === null || prefix === '') return null;
  if (prefix.length > 200) throw TrailErrors.s3Prefix(prefix.length);
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed === '' ? null : trimmed;
}

const SNS_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const SNS_ARN = /^arn:[a-z-]+:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;

/** A topic name, or the name/region/account of a topic ARN (InvalidSnsTopicNameException). */
export function parseSnsTopic(value: string): { name: string; region: string | null; accountId: string | null } {
  if (value.length <= 256 && SNS_NAME.test(value)) return { name: value, region: null, accountId: null };
  const m = value.length <= 256 ? SNS_ARN.exec(value) : null;
  if (!m) throw TrailErrors.snsTopicName(value.slice(0, 256));
  return { name: m[3], region: m[1], accountId: m[2] };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MRK = /^mrk-[0-9a-f]{32}$/;
const KEY_ARN =
  /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ALIAS_NAME = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
const ALIAS_ARN = /^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:(alias\/[A-Za-z0-9/_-]{1,250})$/;

/**
 * Format check of a KMS key id and its normalised ARN form (spec §1.4): a UUID becomes the key
 * ARN in the trail's region and owner account, `alias/x` the alias ARN; ARNs are kept. Whether
 * the key exists is not checked here (no KMS yet).
 */
export function normaliseKmsKeyId(keyId: string, region: string, accountId: string): string {
  const aliasOf = (alias: string) => {
    if (alias.slice('alias/'.length).startsWith('aws')) throw TrailErrors.kmsKeyId(keyId);
    return alias;
  };
  if (UUID.test(keyId) || MRK.test(keyId)) return `arn:${PARTITION}:kms:${region}:${accountId}:key/${keyId}`;
  if (KEY_ARN.test(keyId)) return keyId;
  if (ALIAS_NAME.test(keyId)) return `arn:${PARTITION}:kms:${region}:${accountId}:${aliasOf(keyId)}`;
  const alias = ALIAS_ARN.exec(keyId);
  if (alias) {
    aliasOf(alias[1]);
    return keyId;
  }
  throw TrailErrors.kmsKeyId(keyId.slice(0, 256));
}

const LOG_GROUP_ARN = /^arn:[a-z-]+:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_\-/.#]{1,512}:\*$/;
const ROLE_ARN = /^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** The CloudWatch Logs pair: both or neither; each in its ARN format. */
export function validateCloudWatchLogs(groupArn: string | null, roleArn: string | null): void {
  if (groupArn === null && roleArn === null) return;
  if (groupArn === null || !LOG_GROUP_ARN.test(groupArn)) throw TrailErrors.logGroupArn();
  if (roleArn === null || !ROLE_ARN.test(roleArn)) throw TrailErrors.logsRoleArn();
}
