import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { buildDigest, type PreviousDigest } from '../../src/integrity/digest-body';
import { digestKey } from '../../src/integrity/digest-key';
import { fingerprintOf } from '../../src/integrity/signing-keys.service';
import type { SourceObject, SourcePublicKey, TrailLocation, ValidationSource } from '../../src/integrity/validation-source';
import { validateLogs, type ValidationEntry } from '../../src/integrity/validator';
import { entryLine } from '../../src/integrity/validation-output';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const der = publicKey.export({ type: 'pkcs1', format: 'der' });
const fingerprint = fingerprintOf(der);
const ACCOUNT = '111122223333';
const ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/t`;
const HOUR = 3600_000;
const T0 = Date.UTC(2026, 0, 1, 0, 0, 0);

/** An in-memory bucket store behind the ValidationSource interface (pages of 2 keys, to exercise paging). */
class MemorySource implements ValidationSource {
  objects = new Map<string, SourceObject>();
  keys: SourcePublicKey[] = [{ fingerprint, value: der }];
  constructor(public trail: TrailLocation | null) {}
  async describeTrail(): Promise<TrailLocation | null> {
    return this.trail;
  }
  async listKeys(bucket: string, prefix: string, startAfter: string | null) {
    const all = [...this.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/${prefix}`))
      .map((k) => k.slice(bucket.length + 1))
      .sort();
    const after = all.filter((k) => startAfter === null || k > startAfter);
    return { keys: after.slice(0, 2), more: after.length > 2 };
  }
  async getObject(bucket: string, key: string) {
    return this.objects.get(`${bucket}/${key}`) ?? null;
  }
  async listPublicKeys() {
    return this.keys;
  }
  put(bucket: string, key: string, body: Buffer, metadata: Record<string, string> = {}) {
    this.objects.set(`${bucket}/${key}`, { body, metadata });
  }
}

async function digest(
  src: MemorySource,
  bucket: string,
  hour: number,
  previous: PreviousDigest | null,
  opts: { backfill?: boolean; mutate?: (json: any) => any } = {},
): Promise<PreviousDigest> {
  const start = new Date(T0 + hour * HOUR);
  const end = new Date(T0 + (hour + 1) * HOUR);
  const logJson = Buffer.from(JSON.stringify({ Records: [{ eventID: `e${hour}` }] }));
  const logKey = `AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/01/01/${ACCOUNT}_CloudTrail_us-east-1_20260101T0000Z_${String(hour).padStart(16, 'x')}.json.gz`;
  src.put(bucket, logKey, gzipSync(logJson));
  const key = digestKey({
    prefix: null,
    organizationId: null,
    accountId: ACCOUNT,
    region: 'us-east-1',
    trailName: 't',
    homeRegion: 'us-east-1',
    endTime: end,
    backfill: opts.backfill,
  });
  const built = await buildDigest({
    accountId: ACCOUNT,
    startTime: start,
    endTime: end,
    bucket,
    key,
    fingerprint,
    previous,
    logFiles: [
      { bucket, key: logKey, sha256: createHash('sha256').update(logJson).digest('hex'), oldestEventTime: start, newestEventTime: start },
    ],
  });
  const signature = sign('sha256', Buffer.from(built.toSign), privateKey).toString('hex');
  const json = opts.mutate ? Buffer.from(JSON.stringify(opts.mutate(JSON.parse(built.json.toString())))) : built.json;
  const metadata: Record<string, string> = { signature, 'signature-algorithm': 'SHA256withRSA' };
  if (opts.backfill) metadata['backfill-generation-timestamp'] = new Date(end.getTime() + HOUR).toISOString().replace(/\.\d{3}Z$/, 'Z');
  src.put(bucket, key, gzipSync(json), metadata);
  return { bucket, key, sha256: built.sha256, signature };
}

async function run(src: MemorySource, over: Partial<Parameters<typeof validateLogs>[1]> = {}) {
  const entries: ValidationEntry[] = [];
  const summary = await validateLogs(
    src,
    { trailArn: ARN, startTime: new Date(T0), endTime: new Date(T0 + 10 * HOUR), region: null, ...over },
    { onEntry: (e) => entries.push(e) },
  );
  return { summary, lines: entries.map(entryLine) };
}

const trailIn = (bucket: string): TrailLocation => ({ bucket, prefix: null, isOrganizationTrail: false, organizationId: null });

describe('validator (the AWS CLI algorithm) over an in-memory source', () => {
  it('a chain across a bucket change is followed back into the old bucket (listing re-read)', async () => {
    const src = new MemorySource(trailIn('new-b'));
    const d1 = await digest(src, 'old-b', 0, null);
    const d2 = await digest(src, 'old-b', 1, d1);
    const d3 = await digest(src, 'new-b', 2, d2);
    const { summary, lines } = await run(src);
    expect(lines.filter((l) => l.startsWith('Digest'))).toEqual([d3, d2, d1].map((d) => `Digest file\ts3://${d.bucket}/${d.key}\tvalid`));
    expect(summary).toMatchObject({ validDigests: 3, validLogs: 3, invalidDigests: 0, invalidLogs: 0 });
    // The CLI's quirk: the oldest digest starting *after* the requested start (d2; d1 starts at it).
    expect(summary.foundStartTime).toEqual(new Date(T0 + HOUR));
    expect(summary.foundEndTime).toEqual(new Date(T0 + 3 * HOUR));
  });

  it('a digest that cannot be read (access, network) ends the run instead of counting as INVALID', async () => {
    class DeniedSource extends MemorySource {
      override async getObject(bucket: string, key: string) {
        if (key.includes('CloudTrail-Digest')) throw Object.assign(new Error('Access Denied'), { code: 'AccessDeniedException' });
        return super.getObject(bucket, key);
      }
    }
    const src = new DeniedSource(trailIn('b'));
    await digest(src, 'b', 1, null);
    await expect(run(src)).rejects.toThrow('Access Denied');
  });

  it('a public key that does not load: Unable to load PKCS #1 key', async () => {
    const src = new MemorySource(trailIn('b'));
    const d1 = await digest(src, 'b', 0, null);
    src.keys = [{ fingerprint, value: Buffer.from('not a key') }];
    const { lines } = await run(src);
    expect(lines).toEqual([`Digest file\ts3://b/${d1.key}\tINVALID: Unable to load PKCS #1 key with fingerprint ${fingerprint}`]);
  });

  it('a required field missing: invalid format; a backfill digest without its generation time: invalid format', async () => {
    const src = new MemorySource(trailIn('b'));
    const d1 = await digest(src, 'b', 0, null, { mutate: (j) => ({ ...j, digestStartTime: undefined }) });
    const b1 = await digest(src, 'b', 3, null, { backfill: true });
    src.put('b', b1.key, src.objects.get(`b/${b1.key}`)!.body, { signature: b1.signature, 'signature-algorithm': 'SHA256withRSA' });
    const { summary, lines } = await run(src);
    expect(lines).toEqual([
      `Digest file\ts3://b/${d1.key}\tINVALID: invalid format`,
      `(backfill) Digest file\ts3://b/${b1.key}\tINVALID: invalid format`,
    ]);
    expect(summary).toMatchObject({ invalidDigests: 1, invalidBackfillDigests: 1 });
  });

  it('backfill digests are walked after the regular chain, prefixed (backfill)', async () => {
    const src = new MemorySource(trailIn('b'));
    const d1 = await digest(src, 'b', 0, null);
    const b1 = await digest(src, 'b', 0, null, { backfill: true });
    const { summary, lines } = await run(src);
    expect(lines[0]).toBe(`Digest file\ts3://b/${d1.key}\tvalid`);
    expect(lines[2]).toBe(`(backfill) Digest file\ts3://b/${b1.key}\tvalid`);
    expect(lines[3]).toMatch(/^\(backfill\) Log file\ts3:\/\/b\/.*\tvalid$/);
    expect(summary).toMatchObject({ validDigests: 1, validBackfillDigests: 1, validLogs: 2 });
  });

  it('fatal errors: bad ARN, time range, unknown trail, organization trail without account, no public keys', async () => {
    const src = new MemorySource(trailIn('b'));
    await expect(run(src, { trailArn: 'arn:aws:cloudtrail:us-east-1:1:trail/t' })).rejects.toThrow(
      'Invalid trail ARN provided: arn:aws:cloudtrail:us-east-1:1:trail/t',
    );
    await expect(run(src, { startTime: new Date(T0 + 20 * HOUR) })).rejects.toThrow(
      'Invalid time range specified: start-time must occur before end-time',
    );
    await expect(run(new MemorySource(null))).rejects.toThrow(`A trail could not be found for ${ARN}`);
    await expect(
      run(new MemorySource({ bucket: 'b', prefix: null, isOrganizationTrail: true, organizationId: 'o-abcdefghij' })),
    ).rejects.toThrow("Missing required parameter for organization trail: '--account-id'");
    src.keys = [];
    await expect(run(src)).rejects.toThrow('No public keys found between 2026-01-01T00:00:00Z and 2026-01-01T10:00:00Z');
  });

  it('a bound on the digests listed (the API’s, for work done inside a request)', async () => {
    const src = new MemorySource(trailIn('b'));
    const d1 = await digest(src, 'b', 0, null);
    await digest(src, 'b', 1, d1);
    await expect(run(src, { maxDigests: 1 })).rejects.toThrow('The range lists 2 digest files; validateLogs checks at most 1 per call.');
    expect((await run(src, { maxDigests: 2 })).summary.validDigests).toBe(2);
  });

  it('nothing listed: no entries, and the summary says No digests found', async () => {
    const { summary, lines } = await run(new MemorySource(trailIn('empty')));
    expect(lines).toEqual([]);
    expect(summary.validDigests + summary.invalidDigests).toBe(0);
  });
});
