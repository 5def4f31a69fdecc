import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { buildDigest, digestJson, signingString } from '../../src/integrity/digest-body';
import { digestFolder, digestKey, digestKeyPattern, digestKeyStamp } from '../../src/integrity/digest-key';
import { parseLenient } from '../../src/integrity/digest-time';
import { fingerprintOf, loadPublicKeyDer } from '../../src/integrity/signing-keys.service';
import { entryLine, summaryText, ValidationPrinter } from '../../src/integrity/validation-output';
import { Progress } from '../../src/integrity/validate-logs.command';

const end = new Date('2015-08-17T15:01:31Z');
const start = new Date('2015-08-17T14:01:31Z');
const base = {
  prefix: null,
  organizationId: null,
  accountId: '111122223333',
  region: 'us-east-2',
  trailName: 'my-trail',
  homeRegion: 'us-east-2',
  endTime: end,
};

describe('digest keys (spec §5.1)', () => {
  it('matches the documented example', () => {
    expect(digestKey(base)).toBe(
      'AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_my-trail_us-east-2_20150817T150131Z.json.gz',
    );
  });

  it('prefix, organization id, source vs home region, backfill suffix', () => {
    const key = digestKey({
      ...base,
      prefix: 'logs/a',
      organizationId: 'o-exampleorgid',
      accountId: '444444444444',
      region: 'eu-west-1',
      homeRegion: 'us-east-1',
      backfill: true,
    });
    expect(key).toBe(
      'logs/a/AWSLogs/o-exampleorgid/444444444444/CloudTrail-Digest/eu-west-1/2015/08/17/444444444444_CloudTrail-Digest_eu-west-1_my-trail_us-east-1_20150817T150131Z_backfill.json.gz',
    );
    expect(digestKeyStamp(key)).toBe('20150817T150131Z');
    expect(digestKeyStamp(digestKey(base))).toBe('20150817T150131Z');
    expect(digestFolder({ prefix: '/p/', organizationId: null, accountId: '111122223333', region: 'us-east-2' })).toBe(
      'p/AWSLogs/111122223333/CloudTrail-Digest/us-east-2',
    );
  });

  it('the date folders are those of the end time (UTC)', () => {
    expect(digestKey({ ...base, endTime: new Date('2024-01-01T00:00:05Z') })).toContain(
      '/2024/01/01/111122223333_CloudTrail-Digest_us-east-2_my-trail_us-east-2_20240101T000005Z.json.gz',
    );
  });

  it("validate-logs' recognition regex accepts ours and rejects other trails' and log files", () => {
    const re = digestKeyPattern(base);
    expect(re.test(digestKey(base))).toBe(true);
    expect(re.test(digestKey({ ...base, backfill: true }))).toBe(true);
    expect(re.test(digestKey({ ...base, trailName: 'other' }))).toBe(false);
    expect(re.test(digestKey({ ...base, homeRegion: 'us-west-2' }))).toBe(false);
    expect(
      re.test(
        'AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/111122223333_CloudTrail_us-east-2_20150817T1445Z_9nYN7gp2eWAJHIfT.json.gz',
      ),
    ).toBe(false);
  });
});

describe('digest JSON (spec §6.2)', () => {
  const file = (key: string, oldest: string, newest: string) => ({
    bucket: 'my-bucket',
    key,
    sha256: 'ab'.repeat(32),
    oldestEventTime: new Date(oldest),
    newestEventTime: new Date(newest),
  });

  it('field names and order; a starting, empty digest has nulls', () => {
    const json = JSON.parse(
      digestJson({
        accountId: '111122223333',
        startTime: start,
        endTime: end,
        bucket: 'my-bucket',
        key: digestKey(base),
        fingerprint: 'f'.repeat(32),
        previous: null,
        logFiles: [],
      }),
    );
    expect(json).toEqual({
      awsAccountId: '111122223333',
      digestStartTime: '2015-08-17T14:01:31Z',
      digestEndTime: '2015-08-17T15:01:31Z',
      digestS3Bucket: 'my-bucket',
      digestS3Object: digestKey(base),
      digestPublicKeyFingerprint: 'f'.repeat(32),
      digestSignatureAlgorithm: 'SHA256withRSA',
      newestEventTime: null,
      oldestEventTime: null,
      previousDigestS3Bucket: null,
      previousDigestS3Object: null,
      previousDigestHashValue: null,
      previousDigestHashAlgorithm: null,
      previousDigestSignature: null,
      logFiles: [],
    });
    expect(Object.keys(json)[0]).toBe('awsAccountId');
    expect(Object.keys(json)[14]).toBe('logFiles');
  });

  it('log file entries and the overall oldest/newest; previous digest fields', () => {
    const json = JSON.parse(
      digestJson({
        accountId: '111122223333',
        startTime: start,
        endTime: end,
        bucket: 'my-bucket',
        key: 'k',
        fingerprint: 'f'.repeat(32),
        previous: { bucket: 'old-bucket', key: 'prev', sha256: 'cd'.repeat(32), signature: 'ef'.repeat(256) },
        logFiles: [
          file('a', '2015-08-17T14:42:27Z', '2015-08-17T14:52:27Z'),
          file('b', '2015-08-17T13:00:00.900Z', '2015-08-17T14:10:00Z'),
        ],
      }),
    );
    expect(json.oldestEventTime).toBe('2015-08-17T13:00:00Z');
    expect(json.newestEventTime).toBe('2015-08-17T14:52:27Z');
    expect(json.previousDigestS3Bucket).toBe('old-bucket');
    expect(json.previousDigestHashAlgorithm).toBe('SHA-256');
    expect(json.logFiles[0]).toEqual({
      s3Bucket: 'my-bucket',
      s3Object: 'a',
      hashValue: 'ab'.repeat(32),
      hashAlgorithm: 'SHA-256',
      newestEventTime: '2015-08-17T14:52:27Z',
      oldestEventTime: '2015-08-17T14:42:27Z',
    });
    expect(Object.keys(json.logFiles[0])).toEqual([
      's3Bucket',
      's3Object',
      'hashValue',
      'hashAlgorithm',
      'newestEventTime',
      'oldestEventTime',
    ]);
  });

  it('signing string: four LF-joined lines, no trailing newline, "null" for a starting digest (spec §6.4)', async () => {
    expect(signingString({ digestEndTime: 'E', digestS3Bucket: 'b', digestS3Object: 'k/o', previousDigestSignature: null }, 'h')).toBe(
      'E\nb/k/o\nh\nnull',
    );
    const built = await buildDigest({
      accountId: '111122223333',
      startTime: start,
      endTime: end,
      bucket: 'my-bucket',
      key: 'k',
      fingerprint: 'f'.repeat(32),
      previous: null,
      logFiles: [],
    });
    expect(gunzipSync(built.gzipped).equals(built.json)).toBe(true);
    expect(built.sha256).toBe(createHash('sha256').update(built.json).digest('hex'));
    expect(built.toSign).toBe(`2015-08-17T15:01:31Z\nmy-bucket/k\n${built.sha256}\nnull`);
  });
});

describe('keys and parsing', () => {
  it('PKCS#1 DER public keys begin MIIBCgKCAQEA; fingerprint = MD5 of the DER; SPKI also loads', () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const der = publicKey.export({ type: 'pkcs1', format: 'der' });
    expect(der.toString('base64').startsWith('MIIBCgKCAQEA')).toBe(true);
    expect(der.length).toBe(270);
    expect(fingerprintOf(der)).toBe(createHash('md5').update(der).digest('hex'));
    const sig = sign('sha256', Buffer.from('x'), privateKey);
    expect(verify('sha256', Buffer.from('x'), loadPublicKeyDer(der), sig)).toBe(true);
    expect(verify('sha256', Buffer.from('x'), loadPublicKeyDer(publicKey.export({ type: 'spki', format: 'der' })), sig)).toBe(true);
  });

  it('lenient times: no zone means UTC', () => {
    expect(parseLenient('2024-03-02')!.toISOString()).toBe('2024-03-02T00:00:00.000Z');
    expect(parseLenient('2024-03-02T10:15')!.toISOString()).toBe('2024-03-02T10:15:00.000Z');
    expect(parseLenient('2024-03-02T10:15:00+02:00')!.toISOString()).toBe('2024-03-02T08:15:00.000Z');
    expect(parseLenient('yesterday')).toBeNull();
  });
});

describe('validate-logs output (spec §6.8)', () => {
  const summary = {
    trailArn: 'arn:aws:cloudtrail:us-east-2:111111111111:trail/t',
    startTime: new Date('2015-08-31T22:00:00Z'),
    endTime: new Date('2015-09-01T19:17:29Z'),
    foundStartTime: new Date('2015-08-31T22:17:28Z'),
    foundEndTime: new Date('2015-09-01T20:17:28Z'),
    validDigests: 22,
    invalidDigests: 1,
    validBackfillDigests: 0,
    invalidBackfillDigests: 0,
    validLogs: 63,
    invalidLogs: 0,
  };

  it('the documented summary, byte for byte', () => {
    expect(summaryText(summary)).toBe(
      'Results requested for 2015-08-31T22:00:00Z to 2015-09-01T19:17:29Z\nResults found for 2015-08-31T22:17:28Z to 2015-09-01T20:17:28Z:\n\n22/23 digest files valid, 1/23 digest files INVALID\n63/63 log files valid\n',
    );
    expect(summaryText({ ...summary, validDigests: 0, invalidDigests: 0, validLogs: 0 })).toBe(
      'Results requested for 2015-08-31T22:00:00Z to 2015-09-01T19:17:29Z\nNo digests found\n',
    );
    expect(summaryText({ ...summary, validDigests: 0, foundStartTime: null, foundEndTime: null, validLogs: 0 })).toContain(
      'No valid digests found in range\n\n0/1 digest files valid, 1/1 digest files INVALID\n',
    );
  });

  it('failures on stderr with blank lines; successes on stdout only when verbose; backfill prefix', () => {
    let out = '';
    let err = '';
    const p = new ValidationPrinter(
      (s) => (out += s),
      (s) => (err += s),
      true,
    );
    p.header(summary.trailArn, summary.startTime, summary.endTime);
    p.entry({ kind: 'digest', backfill: false, bucket: 'b', key: 'd1', valid: true, result: 'valid' });
    p.entry({ kind: 'log', backfill: false, bucket: 'b', key: 'l1', valid: false, result: 'INVALID: not found' });
    p.entry({ kind: 'log', backfill: false, bucket: 'b', key: 'l2', valid: false, result: "INVALID: hash value doesn't match" });
    p.summary({ ...summary, validDigests: 1, invalidDigests: 0, validLogs: 0, invalidLogs: 2 });
    expect(out).toBe(
      'Validating log files for trail arn:aws:cloudtrail:us-east-2:111111111111:trail/t between 2015-08-31T22:00:00Z and 2015-09-01T19:17:29Z\n\n' +
        'Digest file\ts3://b/d1\tvalid\n' +
        'Results requested for 2015-08-31T22:00:00Z to 2015-09-01T19:17:29Z\nResults found for 2015-08-31T22:17:28Z to 2015-09-01T20:17:28Z:\n\n1/1 digest files valid\n0/2 log files valid, 2/2 log files INVALID\n',
    );
    expect(err).toBe("\nLog file\ts3://b/l1\tINVALID: not found\n\nLog file\ts3://b/l2\tINVALID: hash value doesn't match\n\n");
    expect(entryLine({ kind: 'digest', backfill: true, bucket: 'b', key: 'k', valid: true, result: 'valid' })).toBe(
      '(backfill) Digest file\ts3://b/k\tvalid',
    );
  });
});

describe('validate-logs progress bar', () => {
  it('draws on a terminal and clears itself before other output; nothing when not a terminal', () => {
    let written = '';
    const tty = new Progress({ isTTY: true, write: ((s: string) => ((written += s), true)) as any });
    tty.update(3, 10);
    expect(written).toBe(`\r[${'#'.repeat(9)}${' '.repeat(21)}] 3/10 digest files`);
    tty.clear();
    expect(written.endsWith('\r\x1b[K')).toBe(true);
    let piped = '';
    const pipe = new Progress({ isTTY: false, write: ((s: string) => ((piped += s), true)) as any });
    pipe.update(3, 10);
    pipe.clear();
    expect(piped).toBe('');
  });
});
