import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { isoSeconds } from './digest-time';

const gzipAsync = promisify(gzip);

export const SIGNATURE_ALGORITHM = 'SHA256withRSA';
export const HASH_ALGORITHM = 'SHA-256';

export interface DigestLogFile {
  bucket: string;
  key: string;
  /** Hex SHA-256 of the uncompressed log file. */
  sha256: string;
  /** Hex SHA-256 of the gzip object as delivered; null for files delivered before it was recorded. */
  objectSha256?: string | null;
  oldestEventTime: Date;
  newestEventTime: Date;
}

export interface PreviousDigest {
  bucket: string;
  key: string;
  sha256: string;
  signature: string;
}

export interface DigestContent {
  accountId: string;
  startTime: Date;
  endTime: Date;
  bucket: string;
  key: string;
  fingerprint: string;
  /** null for a digest that starts a chain. */
  previous: PreviousDigest | null;
  logFiles: DigestLogFile[];
}

/**
 * The digest JSON (spec §6.2) with CloudTrail's field names and order. `newestEventTime` /
 * `oldestEventTime` span all listed files and are null when none are listed; the five
 * `previous*` fields are all null in a starting digest.
 */
export function digestJson(d: DigestContent): string {
  let oldest: Date | null = null;
  let newest: Date | null = null;
  for (const f of d.logFiles) {
    if (oldest === null || f.oldestEventTime < oldest) oldest = f.oldestEventTime;
    if (newest === null || f.newestEventTime > newest) newest = f.newestEventTime;
  }
  const p = d.previous;
  return JSON.stringify({
    awsAccountId: d.accountId,
    digestStartTime: isoSeconds(d.startTime),
    digestEndTime: isoSeconds(d.endTime),
    digestS3Bucket: d.bucket,
    digestS3Object: d.key,
    digestPublicKeyFingerprint: d.fingerprint,
    digestSignatureAlgorithm: SIGNATURE_ALGORITHM,
    newestEventTime: newest && isoSeconds(newest),
    oldestEventTime: oldest && isoSeconds(oldest),
    previousDigestS3Bucket: p ? p.bucket : null,
    previousDigestS3Object: p ? p.key : null,
    previousDigestHashValue: p ? p.sha256 : null,
    previousDigestHashAlgorithm: p ? HASH_ALGORITHM : null,
    previousDigestSignature: p ? p.signature : null,
    logFiles: d.logFiles.map((f) => ({
      s3Bucket: f.bucket,
      s3Object: f.key,
      hashValue: f.sha256,
      hashAlgorithm: HASH_ALGORITHM,
      newestEventTime: isoSeconds(f.newestEventTime),
      oldestEventTime: isoSeconds(f.oldestEventTime),
      // OpenTrail's one addition to CloudTrail's digest format (docs/adr/0003): the hash of the
      // object as stored, signed with the rest. The AWS CLI reads only the keys it knows.
      ...(f.objectSha256 ? { s3ObjectHashValue: f.objectSha256 } : {}),
    })),
  });
}

/**
 * The string CloudTrail signs (spec §6.4): four lines joined by LF, no trailing newline. Uses the
 * values exactly as they appear in the JSON and the hash of the exact uncompressed bytes.
 */
export function signingString(
  fields: { digestEndTime: string; digestS3Bucket: string; digestS3Object: string; previousDigestSignature: string | null },
  uncompressedSha256: string,
): string {
  return [
    fields.digestEndTime,
    `${fields.digestS3Bucket}/${fields.digestS3Object}`,
    uncompressedSha256,
    fields.previousDigestSignature === null ? 'null' : fields.previousDigestSignature,
  ].join('\n');
}

export interface BuiltDigest {
  json: Buffer;
  gzipped: Buffer;
  sha256: string;
  /** What is signed (spec §6.4). */
  toSign: string;
}

/** Builds the bytes of a digest and its string to sign; signing is the caller's (it holds the key). */
export async function buildDigest(d: DigestContent): Promise<BuiltDigest> {
  const json = Buffer.from(digestJson(d), 'utf8');
  const sha256 = createHash('sha256').update(json).digest('hex');
  const toSign = signingString(
    {
      digestEndTime: isoSeconds(d.endTime),
      digestS3Bucket: d.bucket,
      digestS3Object: d.key,
      previousDigestSignature: d.previous?.signature ?? null,
    },
    sha256,
  );
  return { json, gzipped: await gzipAsync(json), sha256, toSign };
}
