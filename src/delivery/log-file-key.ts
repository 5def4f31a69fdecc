import { randomInt } from 'node:crypto';

/**
 * CloudTrail's log file key layout (spec §5.1):
 * `[<prefix>/]AWSLogs/[<o-id>/]<acct>/CloudTrail/<region>/<YYYY>/<MM>/<DD>/<acct>_CloudTrail_<region>_<YYYYMMDD>T<HHmm>Z_<unique16>.json.gz`
 * The date is the UTC delivery time (minute precision); `unique16` only prevents overwrites.
 */
/** Log files and Insights files differ only by this word, in the folder and in the name (spec §5.1). */
export type LogFileKind = 'CloudTrail' | 'CloudTrail-Insight';

export interface LogFileKeyParts {
  prefix: string | null;
  /** Set for organization trails only. */
  organizationId: string | null;
  /** The account whose events the file holds. */
  accountId: string;
  /** Source region of the events. */
  region: string;
  deliveredAt: Date;
  unique: string;
  /** Default `CloudTrail`. */
  kind?: LogFileKind;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** 16 random characters of [A-Za-z0-9], as CloudTrail's file name suffix. */
export function uniqueSuffix(): string {
  let out = '';
  for (let i = 0; i < 16; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function logFileKey(p: LogFileKeyParts): string {
  const d = p.deliveredAt;
  const yyyy = String(d.getUTCFullYear());
  const mm = pad(d.getUTCMonth() + 1);
  const dd = pad(d.getUTCDate());
  const stamp = `${yyyy}${mm}${dd}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
  // A prefix is stored without leading/trailing slashes by the trails module; strip defensively so
  // a key never starts with '/' or contains '//'.
  const prefix = p.prefix ? p.prefix.replace(/^\/+|\/+$/g, '') : '';
  const kind = p.kind ?? 'CloudTrail';
  const parts = [
    ...(prefix ? [prefix] : []),
    'AWSLogs',
    ...(p.organizationId ? [p.organizationId] : []),
    p.accountId,
    kind,
    p.region,
    yyyy,
    mm,
    dd,
    `${p.accountId}_${kind}_${p.region}_${stamp}_${p.unique}.json.gz`,
  ];
  return parts.join('/');
}

/** The regex AWS's processing library uses to recognise log files (spec §5.1). */
export const LOG_FILE_NAME = /.+_CloudTrail_[\w-]+_\d{8}T\d{4}Z_\w+\.json\.gz$/;

/** The same for Insights files. */
export const INSIGHT_FILE_NAME = /.+_CloudTrail-Insight_[\w-]+_\d{8}T\d{4}Z_\w+\.json\.gz$/;
