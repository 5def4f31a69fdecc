import { compactSeconds } from './digest-time';

/**
 * CloudTrail's digest key layout (spec §5.1):
 * `[<prefix>/]AWSLogs/[<o-id>/]<acct>/CloudTrail-Digest/<region>/<YYYY>/<MM>/<DD>/<acct>_CloudTrail-Digest_<region>_<trail>_<home>_<YYYYMMDDTHHMMSSZ>.json.gz`
 * (backfill: `…Z_backfill.json.gz`). The date is that of the digest end time.
 */
export interface DigestKeyParts {
  prefix: string | null;
  /** Organization trails only. */
  organizationId: string | null;
  accountId: string;
  /** Source region. */
  region: string;
  trailName: string;
  homeRegion: string;
  endTime: Date;
  backfill?: boolean;
}

const clean = (prefix: string | null) => (prefix ? prefix.replace(/^\/+|\/+$/g, '') : '');

/** `[<prefix>/]AWSLogs/[<o-id>/]<acct>/CloudTrail-Digest/<region>` — the folder validate-logs lists. */
export function digestFolder(p: Pick<DigestKeyParts, 'prefix' | 'organizationId' | 'accountId' | 'region'>): string {
  const prefix = clean(p.prefix);
  return [
    ...(prefix ? [prefix] : []),
    'AWSLogs',
    ...(p.organizationId ? [p.organizationId] : []),
    p.accountId,
    'CloudTrail-Digest',
    p.region,
  ].join('/');
}

export function digestKey(p: DigestKeyParts): string {
  const stamp = compactSeconds(p.endTime);
  const date = `${stamp.slice(0, 4)}/${stamp.slice(4, 6)}/${stamp.slice(6, 8)}`;
  const name = `${p.accountId}_CloudTrail-Digest_${p.region}_${p.trailName}_${p.homeRegion}_${stamp}${p.backfill ? '_backfill' : ''}.json.gz`;
  return `${digestFolder(p)}/${date}/${name}`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** The regex validate-logs recognises a trail's digests by (spec §5.1, newer CLI form). */
export function digestKeyPattern(
  p: Pick<DigestKeyParts, 'prefix' | 'organizationId' | 'accountId' | 'region' | 'trailName' | 'homeRegion'>,
): RegExp {
  return new RegExp(
    `^${escape(digestFolder(p))}/\\d+/\\d+/\\d+/${escape(p.accountId)}_CloudTrail\\-Digest_${escape(p.region)}_${escape(p.trailName)}_${escape(p.homeRegion)}_.+(?:_backfill)?\\.json\\.gz$`,
  );
}

export const isBackfillKey = (key: string) => key.endsWith('_backfill.json.gz');

/** The 16-character timestamp of a digest key (`[-24:-8]`, or `[-33:-17]` for backfill keys). */
export function digestKeyStamp(key: string): string {
  return isBackfillKey(key) ? key.slice(-33, -17) : key.slice(-24, -8);
}
