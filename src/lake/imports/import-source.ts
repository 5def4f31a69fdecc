import { LOG_FILE_NAME } from '../../delivery/log-file-key';
import { isKnownRegion } from '../../regions/region-catalog';
import { LakeErrors } from '../lake.errors';
import type { S3ImportSource } from './lake-import.entity';

/** Parsing and file selection of an import source (spec §8.4), pure. */

const URI = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(\/.*)?$/;
const ROLE_ARN = /^arn:[a-z-]+:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export interface ParsedSource {
  source: S3ImportSource;
  bucket: string;
  /** Key prefix to list under ('' for the whole bucket), never starting with '/'. */
  prefix: string;
}

export function parseImportSource(
  input: { s3LocationUri?: string | null; s3BucketRegion?: string | null; s3BucketAccessRoleArn?: string | null } | null | undefined,
): ParsedSource {
  const uri = input?.s3LocationUri ?? '';
  const m = URI.exec(uri);
  if (!m || uri.length > 1024 || uri.includes('..'))
    throw LakeErrors.invalidImportSource(`s3LocationUri must be s3://<bucket>[/<prefix>]; got ${uri.slice(0, 256)}.`);
  const region = input?.s3BucketRegion ?? '';
  if (!isKnownRegion(region)) throw LakeErrors.invalidImportSource(`s3BucketRegion ${region.slice(0, 64)} is not a known region.`);
  const role = input?.s3BucketAccessRoleArn ?? '';
  if (!ROLE_ARN.test(role))
    throw LakeErrors.invalidImportSource('s3BucketAccessRoleArn must be an IAM role ARN (arn:aws:iam::<account-id>:role/<name>).');
  const prefix = (m[2] ?? '').replace(/^\/+/, '');
  return { source: { S3LocationUri: uri, S3BucketRegion: region, S3BucketAccessRoleArn: role }, bucket: m[1], prefix };
}

const KEY_DATE = /\/CloudTrail\/[a-z0-9-]+\/(\d{4})\/(\d{2})\/(\d{2})\/[^/]+$/;
const DAY_MS = 86_400_000;

/**
 * Whether a key is a trail log file the import reads: a CloudTrail log file name under a
 * `…/CloudTrail/<region>/YYYY/MM/DD/` path, delivered on a day that can hold events of the
 * range (a file is delivered after its events, so up to a day after the range's end is kept).
 */
export function selectsLogFile(key: string, start: Date | null, end: Date | null): boolean {
  if (!LOG_FILE_NAME.test(key)) return false;
  const m = KEY_DATE.exec(key);
  if (!m) return false;
  const day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (start && day + DAY_MS <= Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate())) return false;
  if (end && day > end.getTime() + DAY_MS) return false;
  return true;
}

/** The "prefix" a file counts under in the statistics: its day folder. */
export const prefixOf = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);
