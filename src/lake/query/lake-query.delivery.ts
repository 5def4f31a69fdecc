import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
import { OpenTrailError } from '../../common/errors';
import type { StorageService } from '../../storage/storage.service';
import type { ResultSigner } from './result-signer';

/** Rows per delivered `result_<n>.csv.gz` file. */
export const DELIVERY_FILE_ROWS = 100_000;
const URI = /^s3:\/\/([a-z0-9][.\-a-z0-9]{1,61}[a-z0-9])(\/.*)?$/;

export interface DeliveryTarget {
  bucket: string;
  prefix: string | null;
}

/** `s3://bucket[/prefix]` (spec §8.2.2); InvalidS3BucketNameException / InvalidS3PrefixException. */
export function parseDeliveryUri(uri: string): DeliveryTarget {
  // Checked before anything else reads it: a NUL cannot be stored in PostgreSQL text (it would
  // surface as InternalFailure), and control characters do not belong in object keys or messages.
  if (uri.length > 1024)
    throw new OpenTrailError('InvalidS3PrefixException', `The deliveryS3Uri is ${uri.length} characters long; at most 1024 are allowed.`);
  // eslint-disable-next-line no-control-regex -- the control characters are what it refuses
  if (/[\u0000-\u001f\u007f]/.test(uri))
    throw new OpenTrailError(
      'InvalidS3PrefixException',
      'The deliveryS3Uri must not contain control characters (such as NUL or line breaks).',
    );
  const m = URI.exec(uri);
  if (!m)
    throw new OpenTrailError(
      'InvalidS3BucketNameException',
      `The deliveryS3Uri ${uri.slice(0, 256)} is not a valid s3://bucket[/prefix] URI.`,
    );
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix.length > 200 || prefix.split('/').some((p) => p === '.' || p === '..')) {
    throw new OpenTrailError('InvalidS3PrefixException', `The prefix of deliveryS3Uri is not valid.`);
  }
  return { bucket: m[1], prefix: prefix || null };
}

/** One CSV field (RFC 4180); NULL is empty. */
function csvField(v: string | null): string {
  if (v === null) return '';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export type DeliveryStatus =
  'SUCCESS' | 'FAILED' | 'FAILED_SIGNING_FILE' | 'ACCESS_DENIED' | 'ACCESS_DENIED_SIGNING_FILE' | 'RESOURCE_NOT_FOUND';

/**
 * Writes a finished query's results as CloudTrail does (spec §8.2.2, §6.9): gzip CSV files
 * `result_1.csv.gz`, … under `<prefix>/AWSLogs/<acct>/CloudTrail-Lake/Query/<YYYY>/<MM>/<DD>/<query-id>/`,
 * then `result_sign.json` with the SHA-256 of each compressed file and the signature over the
 * space-joined hashes. Written as the CloudTrail service for the query's account and data stores
 * (aws:SourceAccount, aws:SourceArn = each store ARN): the bucket policy must allow it for them.
 */
export async function deliverResults(
  storage: StorageService,
  signer: ResultSigner,
  q: { id: string; accountId: string; region: string; columns: string[]; target: DeliveryTarget; completedAt: Date; storeArns: string[] },
  batches: AsyncIterable<Array<Array<string | null>>>,
): Promise<DeliveryStatus> {
  const day = q.completedAt.toISOString().slice(0, 10).replace(/-/g, '/');
  const dir = `${q.target.prefix ? `${q.target.prefix}/` : ''}AWSLogs/${q.accountId}/CloudTrail-Lake/Query/${day}/${q.id}/`;
  const files: Array<{ fileHashValue: string; fileName: string }> = [];
  const put = async (name: string, body: Buffer) =>
    storage.putServiceObject(q.target.bucket, dir + name, body, { source: { accountId: q.accountId, arns: q.storeArns } });
  let lines: string[] = [q.columns.map(csvField).join(',')];
  let rows = 0;
  const flush = async () => {
    const body = await gzipAsync(Buffer.from(lines.join('\n') + '\n', 'utf8'));
    const fileName = `result_${files.length + 1}.csv.gz`;
    await put(fileName, body);
    files.push({ fileHashValue: createHash('sha256').update(body).digest('hex'), fileName });
    lines = [q.columns.map(csvField).join(',')];
    rows = 0;
  };
  try {
    for await (const batch of batches) {
      for (const r of batch) {
        lines.push(r.map(csvField).join(','));
        if (++rows === DELIVERY_FILE_ROWS) await flush();
      }
    }
    if (rows > 0 || files.length === 0) await flush();
  } catch (err) {
    return deliveryFailure(err, false);
  }
  try {
    const signed = await signer.sign(q.region, q.completedAt, files.map((f) => f.fileHashValue).join(' '));
    const sign = {
      version: '1.0',
      region: q.region,
      files,
      hashAlgorithm: 'SHA-256',
      signatureAlgorithm: 'SHA256withRSA',
      queryCompleteTime: q.completedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      hashSignature: signed.signatureHex,
      publicKeyFingerprint: signed.fingerprint,
    };
    await put('result_sign.json', Buffer.from(JSON.stringify(sign), 'utf8'));
  } catch (err) {
    return deliveryFailure(err, true);
  }
  return 'SUCCESS';
}

function deliveryFailure(err: unknown, signing: boolean): DeliveryStatus {
  const code = (err as { code?: string }).code;
  if (code === 'NoSuchBucket') return 'RESOURCE_NOT_FOUND';
  if (code === 'AccessDenied') return signing ? 'ACCESS_DENIED_SIGNING_FILE' : 'ACCESS_DENIED';
  return signing ? 'FAILED_SIGNING_FILE' : 'FAILED';
}
