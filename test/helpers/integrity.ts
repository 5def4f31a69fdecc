import { gunzipSync, gzipSync } from 'node:zlib';
import type { TestApp } from './test-app';
import { digestKeyStamp } from '../../src/integrity/digest-key';
import { isoSeconds, parseCompact } from '../../src/integrity/digest-time';

export const VALIDATE = `query($input: ValidateLogsInput!) { validateLogs(input: $input) {
  trailARN startTime endTime foundStartTime foundEndTime validDigests invalidDigests validBackfillDigests invalidBackfillDigests
  validLogFiles invalidLogFiles valid summary results { kind backfill s3Bucket s3Object valid result line } } }`;

export const LIST_PUBLIC_KEYS = `query($input: ListPublicKeysInput) { listPublicKeys(input: $input) { publicKeyList { value validityStartTime validityEndTime fingerprint } nextToken } }`;

export interface StoredDigestRow {
  id: string;
  bucket: string;
  key: string;
  startTime: Date;
  endTime: Date;
  backfill: boolean;
  json: Record<string, any>;
  logFiles: Array<{ bucket: string; key: string }>;
}

/** Every digest of a trail, newest first, with its JSON (read back from the store) and listed files. */
export async function trailDigests(app: TestApp, trailId: string, backfill = false): Promise<StoredDigestRow[]> {
  const { rows } = await app.db.pool.query(`SELECT * FROM digests WHERE trail_id = $1 AND backfill = $2 ORDER BY end_time DESC`, [
    trailId,
    backfill,
  ]);
  const out: StoredDigestRow[] = [];
  for (const r of rows) {
    const obj = await app.services.storage.readServiceObject(r.bucket, r.object_key);
    if (!obj) throw new Error(`digest ${r.object_key} missing`);
    const json = JSON.parse(gunzipSync(obj.body).toString('utf8'));
    out.push({
      id: r.id,
      bucket: r.bucket,
      key: r.object_key,
      startTime: r.start_time,
      endTime: r.end_time,
      backfill: r.backfill,
      json,
      logFiles: json.logFiles.map((f: any) => ({ bucket: f.s3Bucket, key: f.s3Object })),
    });
  }
  return out;
}

/** The lines validate-logs must report for untouched digests (newest first, gaps between chains). */
export function expectedLines(digests: StoredDigestRow[]): string[] {
  const lines: string[] = [];
  digests.forEach((d, i) => {
    lines.push(`Digest file\ts3://${d.bucket}/${d.key}\tvalid`);
    for (const f of d.logFiles) lines.push(`Log file\ts3://${f.bucket}/${f.key}\tvalid`);
    const older = digests[i + 1];
    if (d.json.previousDigestS3Object === null && older) {
      lines.push(
        `No log files were delivered by CloudTrail between ${isoSeconds(parseCompact(digestKeyStamp(older.key))!)} and ${isoSeconds(d.startTime)}`,
      );
    }
  });
  return lines;
}

/**
 * Replaces an object as someone with write access to the bucket would (keeping its metadata), or
 * deletes it; returns a function that restores it. Bytes are read and written through
 * StorageService, so whatever it does at rest (encryption) applies to the tampered object too.
 */
export async function tamper(
  app: TestApp,
  bucket: string,
  key: string,
  change: ((body: Buffer) => Buffer) | 'delete',
): Promise<() => Promise<void>> {
  const storage = app.services.storage;
  const original = await storage.readServiceObject(bucket, key);
  if (!original) throw new Error(`no object ${key}`);
  if (change === 'delete') await storage.objects.deleteObject(bucket, key);
  else await writeObject(app, bucket, key, change(original.body), original.metadata);
  return () => writeObject(app, bucket, key, original.body, original.metadata);
}

/** Writes an object's bytes and metadata into the object store as they are (a tampering bucket owner; the backend's SSE applies). */
export function writeObject(app: TestApp, bucket: string, key: string, body: Buffer, metadata: Record<string, string> = {}): Promise<void> {
  return app.services.storage.objects.putObject(bucket, key, body, { metadata, contentType: 'application/json', contentEncoding: 'gzip' });
}

/** An object's bytes as StorageService returns them. */
export async function readObject(app: TestApp, bucket: string, key: string) {
  const o = await app.services.storage.readServiceObject(bucket, key);
  if (!o) throw new Error(`no object ${key}`);
  return o;
}

/** Changes one byte of the uncompressed content (re-gzipped, so the file stays well-formed). */
export function flipOneByte(gz: Buffer): Buffer {
  const json = Buffer.from(gunzipSync(gz));
  const i = json.indexOf('"', 20) + 1;
  json[i] = json[i] === 0x41 ? 0x42 : 0x41;
  return gzipSync(json);
}
