import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/**
 * Level 6 (zlib's default). notes/measured-limits.md: level 6 compresses a 1,000-event file at
 * ~67k events/s per core against ~140k at level 1, and level 1 files are 24% larger. Delivery
 * CPU is not the bottleneck (the ingest ceiling is ~18-22k events/s, and gzip runs on libuv's
 * thread pool, off the event loop), while log files are kept for years and re-read by
 * validate-logs and queries: the bytes are paid for forever, the CPU once. See README.md.
 */
export const GZIP_LEVEL = 6;

/**
 * Caps per log file. CloudTrail keeps files ≤ 50 MB compressed (spec §5.2); capping the
 * uncompressed JSON at 50 MiB guarantees that whatever the ratio. The record cap bounds memory
 * and the work one crash can make us redo.
 */
export const MAX_RECORDS_PER_FILE = 2000;
export const MAX_UNCOMPRESSED_BYTES_PER_FILE = 50 * 1024 * 1024;

export interface LogFileBody {
  /** The gzip object written to the bucket. */
  gzipped: Buffer;
  /** Hex SHA-256 of the uncompressed JSON (digest files list this hash). */
  sha256: string;
  /** Hex SHA-256 of the gzip object itself (OpenTrail's digests also sign it: s3ObjectHashValue). */
  objectSha256: string;
  uncompressedSize: number;
}

/** Byte cost of one record inside the body (the record plus its separating comma). */
export const recordCost = (recordBytes: number) => recordBytes + 1;

/**
 * `{"Records":[…]}` from stored records (each already one serialised JSON object). Deterministic:
 * the same records in the same order give the same bytes, so a rewrite after a crash stores the
 * very same object.
 */
export async function buildLogFileBody(records: string[], level = GZIP_LEVEL): Promise<LogFileBody> {
  const json = Buffer.from(`{"Records":[${records.join(',')}]}`, 'utf8');
  const gzipped = await gzipAsync(json, { level });
  return {
    gzipped,
    sha256: createHash('sha256').update(json).digest('hex'),
    objectSha256: createHash('sha256').update(gzipped).digest('hex'),
    uncompressedSize: json.length,
  };
}
