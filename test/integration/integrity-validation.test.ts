import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sampleEvent } from '../helpers/events';
import { recordAs, waitFor } from '../helpers/delivery';
import {
  expectedLines,
  flipOneByte,
  LIST_PUBLIC_KEYS,
  readObject,
  type StoredDigestRow,
  tamper,
  trailDigests,
  VALIDATE,
  writeObject,
} from '../helpers/integrity';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTrailBucket, type Session, trailCall } from '../helpers/trails';
import { isoSeconds } from '../../src/integrity/digest-time';
import { startWorkers } from '../../workers/main';

jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Real delivered output (workers running: delivery every 1 s, digests every 2 s, a new signing
 * key every 5 s), two chains of one trail (stop, restart), then validateLogs on untouched and on
 * tampered files: every outcome must be reported exactly as the AWS CLI's algorithm does.
 */
describe('integrity: digests of delivered log files validate; tampering is reported exactly', () => {
  let app: TestApp;
  let admin: Session;
  let account: string;
  let workers: { close(): Promise<void> };
  let trailArn: string;
  let trailId: string;
  let digests: StoredDigestRow[];
  let startTime: string;
  let endTime: string;
  const bucket = 'integrity-logs';
  const prefix = 'audit/p1';

  async function record(n: number): Promise<void> {
    await recordAs(
      app.services,
      account,
      app.admin.organizationId,
      Array.from({ length: n }, () => sampleEvent({ awsRegion: 'us-east-1' }, 5)),
    );
  }

  async function settled(): Promise<void> {
    await waitFor('digest chains to settle', async () => {
      const { rows } = await app.db.pool.query(
        `SELECT count(*)::int AS busy FROM digest_chains WHERE trail_id = $1 AND (active OR stop_at IS NOT NULL OR resume_at IS NOT NULL)`,
        [trailId],
      );
      return rows[0].busy === 0;
    });
  }

  async function validate(extra: Record<string, unknown> = {}) {
    const res = await app.gql(VALIDATE, { input: { trailArn, startTime, endTime, ...extra } }, { token: admin.token, region: 'us-east-1' });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data.validateLogs;
  }

  beforeAll(async () => {
    app = await startTestApp({
      DELIVERY_INTERVAL_SECONDS: '1',
      DIGEST_INTERVAL_SECONDS: '2',
      SIGNING_KEY_ROTATION_SECONDS: '5',
      SIGNING_KEY_VALIDITY_SECONDS: '10',
      LOG_LEVEL: 'error',
    });
    admin = { token: await app.login(app.admin), region: 'us-east-1' };
    account = app.admin.accountId;
    await createTrailBucket(app, admin, bucket, [account], prefix);
    const trail = await trailCall(
      app,
      'createTrail',
      { name: 'audited', s3BucketName: bucket, s3KeyPrefix: prefix, enableLogFileValidation: true },
      admin,
    );
    trailArn = trail.trailARN;
    trailId = (await app.db.pool.query(`SELECT id FROM trails WHERE trail_arn = $1`, [trailArn])).rows[0].id;
    startTime = isoSeconds(new Date(Date.now() - 60_000));
    workers = await startWorkers(app.services);

    // Chain 1: ~9 s of deliveries, then StopLogging (a final digest).
    await trailCall(app, 'startLogging', { name: 'audited' }, admin);
    for (let i = 0; i < 6; i++) {
      await record(5);
      await sleep(1500);
    }
    await trailCall(app, 'stopLogging', { name: 'audited' }, admin);
    await settled();
    await sleep(3000);
    // Chain 2 after a pause (a gap), then stop again.
    await trailCall(app, 'startLogging', { name: 'audited' }, admin);
    for (let i = 0; i < 4; i++) {
      await record(3);
      await sleep(1500);
    }
    // Quiet windows: nothing recorded (and no API calls), so some digests list no file.
    await sleep(5000);
    await trailCall(app, 'stopLogging', { name: 'audited' }, admin);
    await settled();
    endTime = isoSeconds(new Date());
    digests = await trailDigests(app, trailId);
  });

  afterAll(async () => {
    await workers?.close();
    await app?.close();
  });

  const withFiles = () => digests.filter((d) => d.logFiles.length > 0);

  it('writes digests with CloudTrail key layout, fields, chain links and signature metadata', async () => {
    expect(digests.length).toBeGreaterThanOrEqual(6);
    const starts = digests.filter((d) => d.json.previousDigestS3Object === null);
    expect(starts).toHaveLength(2); // one starting digest per chain
    for (const d of digests) {
      expect(d.key).toMatch(
        new RegExp(
          `^audit/p1/AWSLogs/${account}/CloudTrail-Digest/us-east-1/\\d{4}/\\d{2}/\\d{2}/${account}_CloudTrail-Digest_us-east-1_audited_us-east-1_\\d{8}T\\d{6}Z\\.json\\.gz$`,
        ),
      );
      expect(Object.keys(d.json)).toEqual([
        'awsAccountId',
        'digestStartTime',
        'digestEndTime',
        'digestS3Bucket',
        'digestS3Object',
        'digestPublicKeyFingerprint',
        'digestSignatureAlgorithm',
        'newestEventTime',
        'oldestEventTime',
        'previousDigestS3Bucket',
        'previousDigestS3Object',
        'previousDigestHashValue',
        'previousDigestHashAlgorithm',
        'previousDigestSignature',
        'logFiles',
      ]);
      const meta = (await readObject(app, d.bucket, d.key)).metadata;
      expect(meta['signature-algorithm']).toBe('SHA256withRSA');
      expect(meta.signature).toMatch(/^[0-9a-f]{512}$/);
    }
    // Chain links: each non-starting digest points at the one before it in time, with its signature.
    for (let i = 0; i < digests.length - 1; i++) {
      const d = digests[i];
      if (d.json.previousDigestS3Object === null) continue;
      const prev = digests[i + 1];
      expect(d.json.previousDigestS3Object).toBe(prev.key);
      expect(d.json.digestStartTime).toBe(prev.json.digestEndTime);
      expect(d.json.previousDigestSignature).toBe((await readObject(app, prev.bucket, prev.key)).metadata.signature);
    }
    // Empty windows still get digests; every listed log file is one delivered for this trail.
    expect(digests.some((d) => d.logFiles.length === 0)).toBe(true);
    expect(digests.some((d) => d.logFiles.length > 0)).toBe(true);
    // Every log file the trail delivered is listed by exactly one digest, including those of
    // events routed just before each StopLogging (the final digest waits for them).
    const { rows: cover } = await app.db.pool.query(
      `SELECT count(*)::int AS files, count(l.log_file_id)::int AS listed FROM trail_log_files f LEFT JOIN digest_log_files l ON l.log_file_id = f.id
       WHERE f.trail_id = $1 AND f.state = 'delivered'`,
      [trailId],
    );
    expect(cover[0].listed).toBe(cover[0].files);
    expect(digests.reduce((n, d) => n + d.logFiles.length, 0)).toBe(cover[0].files);
    // Each log file entry: CloudTrail's fields, then OpenTrail's signed hash of the stored object.
    for (const d of withFiles()) {
      for (const f of d.json.logFiles) {
        expect(Object.keys(f)).toEqual([
          's3Bucket',
          's3Object',
          'hashValue',
          'hashAlgorithm',
          'newestEventTime',
          'oldestEventTime',
          's3ObjectHashValue',
        ]);
        expect(f.s3ObjectHashValue).toBe(
          createHash('sha256')
            .update((await readObject(app, f.s3Bucket, f.s3Object)).body)
            .digest('hex'),
        );
      }
    }
    // The run spans several key rotations.
    expect(new Set(digests.map((d) => d.json.digestPublicKeyFingerprint)).size).toBeGreaterThanOrEqual(2);
  });

  it('untouched output: every digest and log file valid, the gap between the chains reported', async () => {
    const v = await validate();
    expect(v.results.map((r: any) => r.line)).toEqual(expectedLines(digests));
    const logs = digests.reduce((n, d) => n + d.logFiles.length, 0);
    expect(v).toMatchObject({ valid: true, validDigests: digests.length, invalidDigests: 0, validLogFiles: logs, invalidLogFiles: 0 });
    expect(v.summary).toBe(
      `Results requested for ${startTime} to ${endTime}\nResults found for ${digests[digests.length - 1].json.digestStartTime} to ${digests[0].json.digestEndTime}:\n\n` +
        `${digests.length}/${digests.length} digest files valid\n${logs}/${logs} log files valid\n`,
    );
  });

  it('the AWS CLI way (cloudTrailHashesOnly) reports the same on untouched output', async () => {
    const v = await validate({ cloudTrailHashesOnly: true });
    expect(v.results.map((r: any) => r.line)).toEqual(expectedLines(digests));
    expect(v.valid).toBe(true);
  });

  it('a log file recompressed with the same content: valid either way, as the AWS CLI judges content', async () => {
    const f = withFiles()[0].logFiles[0];
    const restore = await tamper(app, f.bucket, f.key, (gz) => gzipSync(gunzipSync(gz), { level: 1 }));
    try {
      for (const cloudTrailHashesOnly of [false, true]) {
        const v = await validate({ cloudTrailHashesOnly });
        expect(v.results.map((r: any) => r.line)).toEqual(expectedLines(digests));
      }
    } finally {
      await restore();
    }
  });

  it('listPublicKeys: PKCS#1 DER, MD5 fingerprints, 10 s windows overlapping (rotation every 5 s)', async () => {
    const res = await app.gql(LIST_PUBLIC_KEYS, { input: { startTime, endTime } }, { token: admin.token, region: 'us-east-1' });
    const keys = res.data.listPublicKeys.publicKeyList as Array<{
      value: string;
      fingerprint: string;
      validityStartTime: string;
      validityEndTime: string;
    }>;
    expect(keys.length).toBeGreaterThanOrEqual(2);
    for (const k of keys) {
      expect(k.value.startsWith('MIIBCgKCAQEA')).toBe(true);
      expect(Date.parse(k.validityEndTime) - Date.parse(k.validityStartTime)).toBe(10_000);
    }
    expect(Date.parse(keys[1].validityStartTime)).toBeLessThan(Date.parse(keys[0].validityEndTime));
    for (const fp of new Set(digests.map((d) => d.json.digestPublicKeyFingerprint))) expect(keys.map((k) => k.fingerprint)).toContain(fp);
    const bad = await app.gql(
      LIST_PUBLIC_KEYS,
      { input: { startTime: endTime, endTime: startTime } },
      { token: admin.token, region: 'us-east-1' },
    );
    expect(bad.errors?.[0].extensions?.code).toBe('InvalidTimeRangeException');
  });

  const line = (kind: string, b: string, k: string, result: string) => `${kind}\ts3://${b}/${k}\t${result}`;

  it('one changed byte in a log file: hash value doesn’t match, nothing else', async () => {
    const f = withFiles()[1].logFiles[0];
    const restore = await tamper(app, f.bucket, f.key, flipOneByte);
    try {
      const expected = expectedLines(digests).map((l) =>
        l === line('Log file', f.bucket, f.key, 'valid') ? line('Log file', f.bucket, f.key, "INVALID: hash value doesn't match") : l,
      );
      for (const cloudTrailHashesOnly of [false, true]) {
        const v = await validate({ cloudTrailHashesOnly });
        expect(v.results.map((r: any) => r.line)).toEqual(expected);
        expect(v).toMatchObject({ valid: false, invalidLogFiles: 1, invalidDigests: 0 });
      }
    } finally {
      await restore();
    }
  });

  it('a deleted log file: not found', async () => {
    const f = withFiles()[0].logFiles[0];
    const restore = await tamper(app, f.bucket, f.key, 'delete');
    try {
      const v = await validate();
      expect(v.results.map((r: any) => r.line)).toEqual(
        expectedLines(digests).map((l) =>
          l === line('Log file', f.bucket, f.key, 'valid') ? line('Log file', f.bucket, f.key, 'INVALID: not found') : l,
        ),
      );
      expect(v.invalidLogFiles).toBe(1);
    } finally {
      await restore();
    }
  });

  /** A digest in the middle of the first chain (it has a newer and an older digest in the same chain). */
  function middleDigest(): number {
    const i = digests.findIndex(
      (d, j) =>
        j > 0 &&
        d.json.previousDigestS3Object !== null &&
        digests[j - 1].json.previousDigestS3Object !== null &&
        digests[j + 1]?.json.previousDigestS3Object !== null &&
        j + 2 < digests.length,
    );
    expect(i).toBeGreaterThan(0);
    return i;
  }

  it('a deleted digest: not found; the walk goes on to the next older digest', async () => {
    const i = middleDigest();
    const d = digests[i];
    const restore = await tamper(app, d.bucket, d.key, 'delete');
    try {
      const v = await validate();
      const rest = digests.filter((_, j) => j !== i);
      const expected = expectedLines(digests.slice(0, i)).concat(
        line('Digest file', d.bucket, d.key, 'INVALID: not found'),
        expectedLines(digests.slice(i + 1)),
      );
      expect(v.results.map((r: any) => r.line)).toEqual(expected);
      expect(v).toMatchObject({ valid: false, invalidDigests: 1, validDigests: rest.length });
    } finally {
      await restore();
    }
  });

  it('two consecutive deleted digests: the first is not found and the walk resumes before the second (as the AWS CLI does)', async () => {
    const i = middleDigest();
    const [a, b] = [digests[i], digests[i + 1]];
    const restoreA = await tamper(app, a.bucket, a.key, 'delete');
    const restoreB = await tamper(app, b.bucket, b.key, 'delete');
    try {
      const v = await validate();
      // The CLI follows the chain to `a` (missing), then takes the next older key *in the listing*
      // — `b` is gone from it too — so `b` is never named and its log files are not checked.
      const expected = expectedLines(digests.slice(0, i)).concat(
        line('Digest file', a.bucket, a.key, 'INVALID: not found'),
        expectedLines(digests.slice(i + 2)),
      );
      expect(v.results.map((r: any) => r.line)).toEqual(expected);
      expect(v).toMatchObject({ valid: false, invalidDigests: 1, validDigests: digests.length - 2 });
    } finally {
      await restoreA();
      await restoreB();
    }
  });

  it('a modified digest: signature verification failed', async () => {
    const i = middleDigest();
    const d = digests[i];
    const restore = await tamper(app, d.bucket, d.key, (gz) =>
      gzipSync(Buffer.from(gunzipSync(gz).toString('utf8').replace('"awsAccountId":"', '"awsAccountId":" '))),
    );
    try {
      const v = await validate();
      const expected = expectedLines(digests.slice(0, i)).concat(
        line('Digest file', d.bucket, d.key, 'INVALID: signature verification failed'),
        expectedLines(digests.slice(i + 1)),
      );
      expect(v.results.map((r: any) => r.line)).toEqual(expected);
      expect(v.invalidDigests).toBe(1);
    } finally {
      await restore();
    }
  });

  it('a digest moved to another digest’s location: has been moved from its original location', async () => {
    const i = middleDigest();
    const [d, older] = [digests[i], digests[i + 1]];
    const olderObject = await readObject(app, older.bucket, older.key);
    const restore = await tamper(app, d.bucket, d.key, () => olderObject.body);
    try {
      await writeObject(app, d.bucket, d.key, olderObject.body, olderObject.metadata);
      const v = await validate();
      const expected = expectedLines(digests.slice(0, i)).concat(
        line('Digest file', d.bucket, d.key, 'INVALID: has been moved from its original location'),
        expectedLines(digests.slice(i + 1)),
      );
      expect(v.results.map((r: any) => r.line)).toEqual(expected);
    } finally {
      await restore();
    }
  });

  it('a log file that is not gzip: invalid format; a digest that is not gzip: invalid format', async () => {
    const i = middleDigest();
    const d = digests[i];
    const f = withFiles().find((x) => x !== d)!.logFiles[0];
    const restoreLog = await tamper(app, f.bucket, f.key, () => Buffer.from('{"Records":[]}'));
    const restoreDigest = await tamper(app, d.bucket, d.key, () => Buffer.from('not a gzip stream'));
    try {
      const v = await validate();
      const expected = expectedLines(digests.slice(0, i))
        .concat(line('Digest file', d.bucket, d.key, 'INVALID: invalid format'), expectedLines(digests.slice(i + 1)))
        .map((l) => (l === line('Log file', f.bucket, f.key, 'valid') ? line('Log file', f.bucket, f.key, 'INVALID: invalid format') : l));
      expect(v.results.map((r: any) => r.line)).toEqual(expected);
    } finally {
      await restoreLog();
      await restoreDigest();
    }
  });

  it('a digest without its signature metadata: signature verification failed', async () => {
    const i = middleDigest();
    const d = digests[i];
    const original = await readObject(app, d.bucket, d.key);
    await writeObject(app, d.bucket, d.key, original.body);
    try {
      const v = await validate();
      const expected = expectedLines(digests.slice(0, i)).concat(
        line('Digest file', d.bucket, d.key, 'INVALID: signature verification failed'),
        expectedLines(digests.slice(i + 1)),
      );
      expect(v.results.map((r: any) => r.line)).toEqual(expected);
    } finally {
      await writeObject(app, d.bucket, d.key, original.body, original.metadata);
    }
  });

  it('a signing key no longer listed: public key not found in region … for fingerprint …', async () => {
    const fp = digests[digests.length - 1].json.digestPublicKeyFingerprint as string;
    await app.db.pool.query(
      `UPDATE signing_keys SET valid_from = valid_from - interval '3650 days', valid_to = valid_to - interval '3650 days' WHERE fingerprint = $1`,
      [fp],
    );
    try {
      const v = await validate();
      const lines = v.results.map((r: any) => r.line) as string[];
      const affected = digests.filter((d) => d.json.digestPublicKeyFingerprint === fp);
      for (const d of affected)
        expect(lines).toContain(
          line('Digest file', d.bucket, d.key, `INVALID: public key not found in region us-east-1 for fingerprint ${fp}`),
        );
      expect(v.invalidDigests).toBe(affected.length);
    } finally {
      await app.db.pool.query(
        `UPDATE signing_keys SET valid_from = valid_from + interval '3650 days', valid_to = valid_to + interval '3650 days' WHERE fingerprint = $1`,
        [fp],
      );
    }
  });

  it('a window in the first chain: the walk starts at the newest digest listed (up to end + 1 h) and stops past the start', async () => {
    const secondChainStart = digests.findIndex((d) => d.json.previousDigestS3Object === null);
    const k = secondChainStart + 2;
    const d = digests[k];
    const v = await validate({ startTime: d.json.digestStartTime, endTime: d.json.digestEndTime });
    // Processed: every digest down to k, then k + 1 (lastStart = start still satisfies start <= lastStart).
    expect(v.results.map((r: any) => r.line)).toEqual(expectedLines(digests.slice(0, k + 2)));
    // The CLI's found range: start of the oldest valid digest starting after the requested start
    // (digest k - 1, which starts where k ends), end of the newest capped at the requested end.
    expect(v).toMatchObject({ valid: true, foundStartTime: d.json.digestEndTime, foundEndTime: d.json.digestEndTime });
  });

  it('argument errors are CloudTrail errors', async () => {
    const badArn = await app.gql(
      VALIDATE,
      { input: { trailArn: 'arn:aws:cloudtrail:us-east-1:12:trail/x', startTime } },
      { token: admin.token, region: 'us-east-1' },
    );
    expect(badArn.errors?.[0]).toMatchObject({
      message: 'Invalid trail ARN provided: arn:aws:cloudtrail:us-east-1:12:trail/x',
      extensions: { code: 'CloudTrailARNInvalidException' },
    });
    const range = await validate({ startTime: endTime, endTime: startTime }).catch((e: Error) => e.message);
    expect(range).toContain('Invalid time range specified: start-time must occur before end-time');
    const missing = await app.gql(
      VALIDATE,
      { input: { trailArn: trailArn.replace('audited', 'nope'), startTime } },
      { token: admin.token, region: 'us-east-1' },
    );
    expect(missing.errors?.[0]).toMatchObject({ extensions: { code: 'TrailNotFoundException' } });
  });
});
