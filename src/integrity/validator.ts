import { createHash, type KeyObject, verify } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { signingString } from './digest-body';
import { digestFolder, digestKey, digestKeyPattern, digestKeyStamp, isBackfillKey } from './digest-key';
import { compactSeconds, isoSeconds, parseCompact } from './digest-time';
import { IntegrityErrors } from './integrity.errors';
import { loadPublicKeyDer } from './signing-keys.service';
import type { SourceObject, SourcePublicKey, ValidationSource } from './validation-source';

const gunzipAsync = promisify(gunzip);

export interface ValidateLogsArgs {
  trailArn: string;
  startTime: Date;
  endTime: Date;
  /** Source region (the caller's region; CloudTrail CLI: --region, else the home region). */
  region: string | null;
  s3Bucket?: string | null;
  s3Prefix?: string | null;
  accountId?: string | null;
  /** Refuse ranges listing more digests than this (the API runs inline; the CLI has no bound). */
  maxDigests?: number;
  /**
   * Accept a log file whose bytes hash to the digest's signed s3ObjectHashValue without inflating
   * it (default true; OpenTrail's digests carry that hash, CloudTrail's do not). Anything else
   * takes the AWS CLI's path: gunzip and compare hashValue, with its outcome wording.
   */
  objectHashShortcut?: boolean;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

export type EntryKind = 'digest' | 'log' | 'gap';

/** One reported outcome, in the order the AWS CLI reports it. */
export interface ValidationEntry {
  kind: EntryKind;
  backfill: boolean;
  bucket: string | null;
  key: string | null;
  valid: boolean;
  /** The result text: `valid`, `INVALID: …`, or the gap sentence. */
  result: string;
}

export interface ValidationSummary {
  trailArn: string;
  startTime: Date;
  endTime: Date;
  foundStartTime: Date | null;
  foundEndTime: Date | null;
  validDigests: number;
  invalidDigests: number;
  validBackfillDigests: number;
  invalidBackfillDigests: number;
  validLogs: number;
  invalidLogs: number;
}

export interface ValidationCallbacks {
  onEntry?(entry: ValidationEntry): void;
  /** Progress: digests processed so far, of the keys listed (a moving estimate). */
  onProgress?(done: number, listed: number): void;
}

const TRAIL_ARN = /^arn:.+:cloudtrail:.+:\d{12}:trail\/.+$/;
/** Log files of one digest are fetched and hashed this many at a time (reported in listed order). */
const LOG_CONCURRENCY = 6;

class DigestError extends Error {}

interface LoadedDigest {
  json: Record<string, any>;
  startTime: Date;
  endTime: Date;
}

/**
 * The `aws cloudtrail validate-logs` algorithm, step by step as spec §6.7 describes it (including
 * its non-checks), over a ValidationSource. Reports every digest and log file through `onEntry`.
 */
export async function validateLogs(
  source: ValidationSource,
  args: ValidateLogsArgs,
  cb: ValidationCallbacks = {},
): Promise<ValidationSummary> {
  if (args.startTime > args.endTime)
    throw IntegrityErrors.invalidTimeRange('Invalid time range specified: start-time must occur before end-time');
  if (!TRAIL_ARN.test(args.trailArn)) throw IntegrityErrors.trailArnInvalid(args.trailArn);
  const arnParts = args.trailArn.split(':');
  const homeRegion = arnParts[3];
  const trailName = args.trailArn.slice(args.trailArn.lastIndexOf('/') + 1);
  const accountId = args.accountId || arnParts[4];
  const sourceRegion = args.region || homeRegion;

  let bucket: string;
  let prefix: string | null = args.s3Prefix || null;
  let organizationId: string | null = null;
  if (args.s3Bucket) {
    // Quirk kept from the CLI: with --s3-bucket the trail is not described, so no o-id segment.
    bucket = args.s3Bucket;
  } else {
    const trail = await source.describeTrail(args.trailArn);
    if (!trail) throw IntegrityErrors.trailNotFound(args.trailArn);
    bucket = trail.bucket;
    // As in the CLI: without --s3-bucket the trail's own prefix is used (--s3-prefix is ignored).
    prefix = trail.prefix;
    if (trail.isOrganizationTrail) {
      if (!args.accountId) throw IntegrityErrors.missingAccountId();
      organizationId = trail.organizationId;
    }
  }

  const layout = { prefix, organizationId, accountId, region: sourceRegion, trailName, homeRegion };
  const summary: ValidationSummary = {
    trailArn: args.trailArn,
    startTime: args.startTime,
    endTime: args.endTime,
    foundStartTime: args.startTime,
    foundEndTime: null,
    validDigests: 0,
    invalidDigests: 0,
    validBackfillDigests: 0,
    invalidBackfillDigests: 0,
    validLogs: 0,
    invalidLogs: 0,
  };
  const emit = (e: ValidationEntry) => cb.onEntry?.(e);

  const listDigests = async (fromBucket: string): Promise<{ regular: string[]; backfill: string[] }> => {
    const pattern = digestKeyPattern(layout);
    const folder = digestFolder(layout);
    const startStamp = compactSeconds(args.startTime);
    const stopStamp = compactSeconds(new Date(args.endTime.getTime() + 3600_000));
    let marker: string | null = digestKey({ ...layout, endTime: new Date(args.startTime.getTime() - 60_000) });
    const regular: string[] = [];
    const backfill: string[] = [];
    for (;;) {
      const page = await source.listKeys(fromBucket, folder, marker);
      for (const key of page.keys) {
        if (!pattern.test(key)) continue;
        const stamp = digestKeyStamp(key);
        if (stamp > stopStamp) return { regular, backfill };
        if (stamp >= startStamp) (isBackfillKey(key) ? backfill : regular).push(key);
      }
      if (!page.more || page.keys.length === 0) return { regular, backfill };
      marker = page.keys[page.keys.length - 1];
    }
  };

  const keyMap = new Map<string, SourcePublicKey>();
  const addKeys = (keys: SourcePublicKey[]) => keys.forEach((k) => keyMap.set(k.fingerprint, k));
  addKeys(await source.listPublicKeys(args.startTime, new Date(args.endTime.getTime() + 2 * 3600_000)));
  if (keyMap.size === 0) throw IntegrityErrors.noPublicKeys(isoSeconds(args.startTime), isoSeconds(args.endTime));

  let processed = 0;
  let listedTotal = 0;
  // Parsed once per key: verifying with a KeyObject is ~40k/s, re-parsing the DER each time far less.
  const parsedKeys = new Map<string, KeyObject>();

  const loadDigest = async (
    fromBucket: string,
    key: string,
    backfill: boolean,
    backfillKeys: Map<string, SourcePublicKey>,
  ): Promise<LoadedDigest | null> => {
    const object = await source.getObject(fromBucket, key);
    if (!object) return null;
    let raw: Buffer;
    let json: Record<string, any>;
    try {
      raw = await gunzipAsync(object.body);
      json = JSON.parse(raw.toString('utf8'));
      if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error('not an object');
    } catch {
      throw new DigestError('invalid format');
    }
    const meta = object.metadata;
    if (meta.signature === undefined || meta['signature-algorithm'] === undefined) throw new DigestError('signature verification failed');
    if (backfill && meta['backfill-generation-timestamp'] === undefined) throw new DigestError('invalid format');
    for (const field of [
      'digestPublicKeyFingerprint',
      'digestS3Bucket',
      'digestS3Object',
      'previousDigestSignature',
      'digestEndTime',
      'digestStartTime',
    ]) {
      if (!(field in json)) throw new DigestError('invalid format');
    }
    if (json.digestS3Bucket !== fromBucket || json.digestS3Object !== key)
      throw new DigestError('has been moved from its original location');
    const fingerprint = String(json.digestPublicKeyFingerprint);
    const keys = backfill ? backfillKeys : keyMap;
    if (backfill && !keys.has(fingerprint)) {
      const generated = new Date(meta['backfill-generation-timestamp']);
      if (!Number.isNaN(generated.getTime())) {
        for (const k of await source.listPublicKeys(new Date(generated.getTime() - 3600_000), new Date(generated.getTime() + 3600_000)))
          keys.set(k.fingerprint, k);
      }
    }
    const publicKey = keys.get(fingerprint);
    if (!publicKey) throw new DigestError(`public key not found in region ${homeRegion} for fingerprint ${fingerprint}`);
    let keyObject = parsedKeys.get(fingerprint);
    if (!keyObject) {
      try {
        keyObject = loadPublicKeyDer(publicKey.value);
      } catch {
        throw new DigestError(`Unable to load PKCS #1 key with fingerprint ${fingerprint}`);
      }
      parsedKeys.set(fingerprint, keyObject);
    }
    const toSign = signingString(
      {
        digestEndTime: String(json.digestEndTime),
        digestS3Bucket: String(json.digestS3Bucket),
        digestS3Object: String(json.digestS3Object),
        previousDigestSignature: json.previousDigestSignature ?? null,
      },
      createHash('sha256').update(raw).digest('hex'),
    );
    const signature = Buffer.from(String(meta.signature), 'hex');
    if (!verify('sha256', Buffer.from(toSign, 'utf8'), keyObject, signature)) throw new DigestError('signature verification failed');
    const startTime = new Date(json.digestStartTime);
    const endTime = new Date(json.digestEndTime);
    if (Number.isNaN(startTime.getTime()) || Number.isNaN(endTime.getTime())) throw new DigestError('invalid format');
    return { json, startTime, endTime };
  };

  const validateLogFile = async (entry: any): Promise<ValidationEntry> => {
    const logBucket = String(entry?.s3Bucket);
    const logKey = String(entry?.s3Object);
    const result = (valid: boolean, text: string): ValidationEntry => ({
      kind: 'log',
      backfill: false,
      bucket: logBucket,
      key: logKey,
      valid,
      result: text,
    });
    if (typeof entry?.s3Bucket !== 'string' || typeof entry?.s3Object !== 'string') return result(false, 'INVALID: invalid format');
    let object: SourceObject | null;
    try {
      object = await source.getObject(logBucket, logKey);
    } catch (err) {
      // As in the CLI: a location the storage refuses as malformed is the digest's fault (invalid
      // format); any other storage error (AccessDenied, NoSuchBucket …) aborts the run.
      const code = (err as { code?: string }).code;
      if (code === 'InvalidObjectKey' || code === 'InvalidBucketName') return result(false, 'INVALID: invalid format');
      throw err;
    }
    if (!object) return result(false, 'INVALID: not found');
    // The digest was verified before its log files: a match with its signed object hash proves
    // these are the delivered bytes, hence the delivered content, without inflating them.
    const objectHash = entry.s3ObjectHashValue;
    if (
      args.objectHashShortcut !== false &&
      typeof objectHash === 'string' &&
      HEX_SHA256.test(objectHash) &&
      createHash('sha256').update(object.body).digest('hex') === objectHash
    ) {
      return result(true, 'valid');
    }
    let hash: string;
    try {
      hash = createHash('sha256')
        .update(await gunzipAsync(object.body))
        .digest('hex');
    } catch {
      return result(false, 'INVALID: invalid format');
    }
    return hash === entry.hashValue ? result(true, 'valid') : result(false, "INVALID: hash value doesn't match");
  };

  const validateLogFiles = async (logFiles: unknown[], backfill: boolean): Promise<void> => {
    const pending: Array<Promise<ValidationEntry>> = [];
    let next = 0;
    const flush = async () => {
      const e = await pending.shift()!;
      e.backfill = backfill;
      if (e.valid) summary.validLogs++;
      else summary.invalidLogs++;
      emit(e);
    };
    while (next < logFiles.length) {
      const check = validateLogFile(logFiles[next++]);
      check.catch(() => undefined); // awaited in order by flush; a later one failing first must not go unhandled
      pending.push(check);
      if (pending.length >= LOG_CONCURRENCY) await flush();
    }
    while (pending.length) await flush();
  };

  /**
   * The CLI's _track_found_times, quirks included: found start = the start of the last (oldest)
   * valid digest that starts after the requested start, else the requested start; found end =
   * the first (newest) valid digest's end, capped at the requested end.
   */
  const trackFound = (d: LoadedDigest) => {
    if (d.startTime > args.startTime) summary.foundStartTime = d.startTime;
    if (!summary.foundEndTime) summary.foundEndTime = d.endTime < args.endTime ? d.endTime : args.endTime;
  };

  /** DigestTraverser.traverse: newest to oldest, following previousDigest*, falling back on the listing. */
  const traverse = async (listed: string[], backfill: boolean): Promise<void> => {
    const keys = [...listed];
    const backfillKeys = new Map<string, SourcePublicKey>();
    const dateOf = (key: string) => parseCompact(digestKeyStamp(key));
    const nextOlder = (before: string | null): string | null => {
      if (before === null) return keys.pop() ?? null;
      const limit = dateOf(before);
      while (keys.length) {
        const k = keys.pop()!;
        const d = dateOf(k);
        if (d && limit && d < limit) return k;
      }
      return null;
    };
    let currentBucket = bucket;
    let key = nextOlder(null);
    if (!key) return;
    let lastStart = dateOf(key) ?? args.startTime;
    const invalid = (k: string, text: string) => {
      if (backfill) summary.invalidBackfillDigests++;
      else summary.invalidDigests++;
      emit({ kind: 'digest', backfill, bucket: currentBucket, key: k, valid: false, result: `INVALID: ${text}` });
    };
    while (key && args.startTime <= lastStart) {
      processed++;
      cb.onProgress?.(processed, listedTotal);
      let digest: LoadedDigest | null;
      try {
        digest = await loadDigest(currentBucket, key, backfill, backfillKeys);
      } catch (err) {
        // A digest that is there but wrong is INVALID; any other failure (access, network, an
        // expired session) ends the run, as in the AWS CLI (ValidationSource).
        if (!(err instanceof DigestError)) throw err;
        invalid(key, err.message);
        key = nextOlder(key);
        continue;
      }
      if (!digest) {
        invalid(key, 'not found');
        key = nextOlder(key);
        continue;
      }
      if (backfill) summary.validBackfillDigests++;
      else summary.validDigests++;
      if (!backfill) trackFound(digest);
      emit({ kind: 'digest', backfill, bucket: currentBucket, key, valid: true, result: 'valid' });
      await validateLogFiles(Array.isArray(digest.json.logFiles) ? digest.json.logFiles : [], backfill);
      lastStart = digest.startTime;
      const previousBucket = digest.json.previousDigestS3Bucket ?? null;
      const previousKey = digest.json.previousDigestS3Object ?? null;
      if (previousBucket === null || previousKey === null) {
        const older = nextOlder(key);
        if (older) {
          emit({
            kind: 'gap',
            backfill,
            bucket: null,
            key: null,
            valid: true,
            result: `No log files were delivered by CloudTrail between ${isoSeconds(dateOf(older)!)} and ${isoSeconds(lastStart)}`,
          });
        }
        key = older;
      } else {
        key = String(previousKey);
        if (previousBucket !== currentBucket) {
          currentBucket = String(previousBucket);
          const relisted = await listDigests(currentBucket);
          keys.splice(0, keys.length, ...(backfill ? relisted.backfill : relisted.regular));
        }
      }
    }
  };

  const { regular, backfill } = await listDigests(bucket);
  listedTotal = regular.length + backfill.length;
  if (args.maxDigests !== undefined && listedTotal > args.maxDigests) {
    throw IntegrityErrors.invalidTimeRange(
      `The range lists ${listedTotal} digest files; validateLogs checks at most ${args.maxDigests} per call. Narrow the range or use opentrail validate-logs.`,
    );
  }
  await traverse(regular, false);
  await traverse(backfill, true);
  return summary;
}
