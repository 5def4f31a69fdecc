import { execFile } from 'node:child_process';
import { createHash, createPublicKey, randomUUID, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sampleEvent } from '../helpers/events';
import { insertMemberAccount, recordAs, waitFor } from '../helpers/delivery';
import { flipOneByte, LIST_PUBLIC_KEYS, readObject, tamper, trailDigests, VALIDATE, writeObject } from '../helpers/integrity';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { MANAGED, createUserSession } from '../helpers/iam-ops';
import { createTrailBucket, type Session, trailCall } from '../helpers/trails';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { isoSeconds } from '../../src/integrity/digest-time';
import { SigningKeyService } from '../../src/integrity/signing-keys.service';
import { digestRepository } from '../../src/integrity/digest.repository';
import { logFileKey, uniqueSuffix } from '../../src/delivery/log-file-key';
import { startWorkers } from '../../workers/main';

jest.setTimeout(240_000);

const CLI = path.resolve(__dirname, '../../dist/src/cli/opentrail.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The AWS CLI's check, written again from spec §6.4/§6.5 without OpenTrail's code: the DER from
 * listPublicKeys loaded as PKCS#1, the four-line string, RSA PKCS#1 v1.5 SHA-256.
 */
function awsCliAccepts(
  gz: Buffer,
  metadata: Record<string, string>,
  bucket: string,
  key: string,
  keys: Array<{ value: string; fingerprint: string }>,
): boolean {
  const raw = gunzipSync(gz);
  const d = JSON.parse(raw.toString('utf8'));
  if (d.digestS3Bucket !== bucket || d.digestS3Object !== key) return false;
  const k = keys.find((x) => x.fingerprint === d.digestPublicKeyFingerprint);
  if (!k) return false;
  const der = Buffer.from(k.value, 'base64');
  if (createHash('md5').update(der).digest('hex') !== k.fingerprint) return false;
  const toSign = `${d.digestEndTime}\n${d.digestS3Bucket}/${d.digestS3Object}\n${createHash('sha256').update(raw).digest('hex')}\n${d.previousDigestSignature ?? 'null'}`;
  return verify(
    'sha256',
    Buffer.from(toSign),
    createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
    Buffer.from(metadata.signature, 'hex'),
  );
}

function runCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('validate-logs CLI, organization trails, deleted trails, backfill, signing keys', () => {
  let app: TestApp;
  let admin: Session;
  let mgmt: string;
  let member: string;
  let orgId: string;
  let workers: { close(): Promise<void> };
  let env: Record<string, string>;
  let startTime: string;
  const bucket = 'org-integrity';
  const orgArn = () => `arn:aws:cloudtrail:us-east-1:${mgmt}:trail/org-trail`;
  const soloArn = () => `arn:aws:cloudtrail:us-east-1:${mgmt}:trail/solo`;
  const trailIdOf = async (name: string) =>
    (await app.db.pool.query(`SELECT trail_id FROM digest_chains WHERE trail_name = $1 LIMIT 1`, [name])).rows[0].trail_id as string;

  beforeAll(async () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test compiles it) first`);
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '1', DIGEST_INTERVAL_SECONDS: '2', LOG_LEVEL: 'error' });
    admin = { token: await app.login(app.admin), region: 'us-east-1' };
    mgmt = app.admin.accountId;
    orgId = app.admin.organizationId;
    member = await insertMemberAccount(app.db, orgId, 'member-one');
    await createTrailBucket(app, admin, bucket, [mgmt, orgId]);
    await trailCall(
      app,
      'createTrail',
      { name: 'org-trail', s3BucketName: bucket, isOrganizationTrail: true, enableLogFileValidation: true },
      admin,
    );
    await trailCall(app, 'createTrail', { name: 'solo', s3BucketName: bucket, enableLogFileValidation: true }, admin);
    startTime = isoSeconds(new Date(Date.now() - 60_000));
    workers = await startWorkers(app.services);
    await trailCall(app, 'startLogging', { name: 'org-trail' }, admin);
    await trailCall(app, 'startLogging', { name: 'solo' }, admin);
    for (let i = 0; i < 4; i++) {
      await recordAs(app.services, member, orgId, [sampleEvent({ awsRegion: 'us-east-1' }, 5), sampleEvent({ awsRegion: 'us-east-1' }, 4)]);
      await recordAs(app.services, mgmt, orgId, [sampleEvent({ awsRegion: 'us-east-1' }, 5)]);
      await sleep(1500);
    }
    // Both trails have digests with files for the member (org trail) and the owner.
    await waitFor('digests with files', async () => {
      const { rows } = await app.db.pool.query(`SELECT count(DISTINCT account_id)::int AS n FROM digests WHERE log_file_count > 0`);
      return rows[0].n >= 2;
    });
    env = {
      OPENTRAIL_ENDPOINT: `${app.baseUrl}/graphql`,
      OPENTRAIL_ACCESS_KEY_ID: app.admin.accessKeyId,
      OPENTRAIL_SECRET_ACCESS_KEY: app.admin.secretAccessKey,
      OPENTRAIL_REGION: 'us-east-1',
    };
  });

  afterAll(async () => {
    await workers?.close();
    await app?.close();
  });

  it('organization trails: one chain per member account, keys with the o-id; each digest passes an independent AWS CLI check', async () => {
    const trailId = await trailIdOf('org-trail');
    const all = await trailDigests(app, trailId);
    const accounts = new Set(all.map((d) => d.json.awsAccountId));
    expect(accounts).toEqual(new Set([mgmt, member]));
    for (const d of all) {
      expect(d.key.startsWith(`AWSLogs/${orgId}/${d.json.awsAccountId}/CloudTrail-Digest/us-east-1/`)).toBe(true);
      for (const f of d.logFiles) expect(f.key.startsWith(`AWSLogs/${orgId}/${d.json.awsAccountId}/CloudTrail/us-east-1/`)).toBe(true);
    }
    const res = await app.gql(
      LIST_PUBLIC_KEYS,
      { input: { startTime, endTime: isoSeconds(new Date(Date.now() + 7200_000)) } },
      { token: admin.token, region: 'us-east-1' },
    );
    const keys = res.data.listPublicKeys.publicKeyList;
    for (const d of all) {
      const obj = await readObject(app, d.bucket, d.key);
      expect(awsCliAccepts(obj.body, obj.metadata, d.bucket, d.key, keys)).toBe(true);
      // …and the same check fails on a one-byte change.
      expect(
        awsCliAccepts(
          gzipSync(Buffer.from(gunzipSync(obj.body).toString().replace('"logFiles":[', '"logFiles": ['))),
          obj.metadata,
          d.bucket,
          d.key,
          keys,
        ),
      ).toBe(false);
    }
  });

  it('CLI: all valid (verbose), exit 0; an organization trail needs --account-id', async () => {
    const r = await runCli(['validate-logs', '--trail-arn', orgArn(), '--start-time', startTime, '--account-id', member, '--verbose'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^Validating log files for trail ${orgArn().replace(/[/]/g, '\\/')} between ${startTime} and \\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`,
      ),
    );
    expect(lines[1]).toBe('');
    expect(
      lines.filter((l) => l.startsWith('Digest file\t')).every((l) => l.includes(`/AWSLogs/${orgId}/${member}/`) && l.endsWith('\tvalid')),
    ).toBe(true);
    expect(r.stdout).toMatch(
      /\nResults requested for .* to .*\nResults found for .* to .*:\n\n(\d+)\/\1 digest files valid\n(\d+)\/\2 log files valid\n$/,
    );

    const noAccount = await runCli(['validate-logs', '--trail-arn', orgArn(), '--start-time', startTime], env);
    expect(noAccount.code).toBe(255);
    expect(noAccount.stderr).toContain("Missing required parameter for organization trail: '--account-id'");
  });

  it('CLI: a tampered log file is reported on stderr and exits 1; not verbose prints no valid lines', async () => {
    const trailId = await trailIdOf('solo');
    const d = (await trailDigests(app, trailId)).find((x) => x.logFiles.length > 0)!;
    const f = d.logFiles[0];
    const restore = await tamper(app, f.bucket, f.key, flipOneByte);
    try {
      const r = await runCli(['validate-logs', '--trail-arn', soloArn(), '--start-time', startTime], env);
      expect(r.code).toBe(1);
      // Not verbose: nothing was printed since the header's blank line, so no leading blank line.
      expect(r.stderr).toBe(`Log file\ts3://${f.bucket}/${f.key}\tINVALID: hash value doesn't match\n\n`);
      expect(r.stdout).not.toContain('\tvalid');
      expect(r.stdout).toMatch(/\d+\/(\d+) log files valid, 1\/\1 log files INVALID\n$/);
    } finally {
      await restore();
    }
  });

  it('CLI: credentials from a JSON file like the bootstrap one', async () => {
    const file = path.join(app.config.dataDir, 'cli-credentials.json');
    fs.writeFileSync(file, JSON.stringify({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey }), {
      mode: 0o600,
    });
    const { OPENTRAIL_ACCESS_KEY_ID: _a, OPENTRAIL_SECRET_ACCESS_KEY: _s, ...rest } = env;
    const r = await runCli(['validate-logs', '--trail-arn', soloArn(), '--start-time', startTime, '--credentials-file', file], {
      ...rest,
      OPENTRAIL_ACCESS_KEY_ID: '',
      OPENTRAIL_SECRET_ACCESS_KEY: '',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/digest files valid/);
  });

  it('CLI: bad arguments, bad credentials', async () => {
    expect((await runCli(['validate-logs', '--start-time', startTime], env)).code).toBe(2);
    const arn = await runCli(['validate-logs', '--trail-arn', 'nope', '--start-time', startTime], env);
    expect(arn.code).toBe(255);
    expect(arn.stderr).toContain('Invalid trail ARN provided: nope');
    const creds = await runCli(['validate-logs', '--trail-arn', soloArn(), '--start-time', startTime], {
      ...env,
      OPENTRAIL_SECRET_ACCESS_KEY: 'wrong',
    });
    expect(creds.code).toBe(255);
  });

  it('a log file committed after its window was digested gets a backfill digest, which validates', async () => {
    const trailId = await trailIdOf('solo');
    const [window] = (
      await app.db.pool.query(`SELECT * FROM digests WHERE trail_id = $1 AND NOT backfill ORDER BY end_time DESC LIMIT 1`, [trailId])
    ).rows;
    const json = Buffer.from(JSON.stringify({ Records: [sampleEvent({ awsRegion: 'us-east-1' })] }));
    const key = logFileKey({
      prefix: null,
      organizationId: null,
      accountId: mgmt,
      region: 'us-east-1',
      deliveredAt: window.start_time,
      unique: uniqueSuffix(),
    });
    await writeObject(app, bucket, key, gzipSync(json));
    // A delivery whose transaction took its delivered_at inside the window but committed after the digest.
    await app.db.pool.query(
      `INSERT INTO trail_log_files (id, trail_id, trail_account_id, account_id, region, bucket, object_key, state, event_count, sha256, oldest_event_time, newest_event_time, delivered_at)
       VALUES ($1, $2, $3, $3, 'us-east-1', $4, $5, 'delivered', 1, $6, $7, $7, $8)`,
      [
        randomUUID(),
        trailId,
        mgmt,
        bucket,
        key,
        createHash('sha256').update(json).digest('hex'),
        window.start_time,
        new Date(window.start_time.getTime() + 500),
      ],
    );
    const backfill = await waitFor('a backfill digest', async () => (await trailDigests(app, trailId, true))[0]);
    expect(backfill.key).toBe(window.object_key.replace(/\.json\.gz$/, '_backfill.json.gz'));
    expect(backfill.logFiles).toEqual([{ bucket, key }]);
    expect(backfill.json.digestStartTime).toBe(isoSeconds(window.start_time));
    expect((await readObject(app, bucket, backfill.key)).metadata['backfill-generation-timestamp']).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
    );
    const res = await app.gql(VALIDATE, { input: { trailArn: soloArn(), startTime } }, { token: admin.token, region: 'us-east-1' });
    const v = res.data.validateLogs;
    expect(v).toMatchObject({ valid: true, validBackfillDigests: 1, invalidBackfillDigests: 0 });
    expect(v.results.filter((r: any) => r.backfill).map((r: any) => r.line)).toEqual([
      `(backfill) Digest file\ts3://${bucket}/${backfill.key}\tvalid`,
      `(backfill) Log file\ts3://${bucket}/${key}\tvalid`,
    ]);
    expect(v.summary).toMatch(/\n1\/1 backfill digest files valid\n/);
  });

  it('a bucket change continues the chain into the new bucket; validation follows it back', async () => {
    const trailId = await trailIdOf('solo');
    await createTrailBucket(app, admin, 'org-integrity-2', [mgmt]);
    await trailCall(app, 'updateTrail', { name: 'solo', s3BucketName: 'org-integrity-2' }, admin);
    const first = await waitFor('a digest in the new bucket', async () => {
      const { rows } = await app.db.pool.query(
        `SELECT object_key FROM digests WHERE trail_id = $1 AND bucket = 'org-integrity-2' ORDER BY end_time LIMIT 1`,
        [trailId],
      );
      return rows[0]?.object_key as string | undefined;
    });
    const json = JSON.parse(gunzipSync((await readObject(app, 'org-integrity-2', first)).body).toString());
    expect(json.previousDigestS3Bucket).toBe(bucket);
    const res = await app.gql(VALIDATE, { input: { trailArn: soloArn(), startTime } }, { token: admin.token, region: 'us-east-1' });
    const v = res.data.validateLogs;
    const all = await trailDigests(app, trailId);
    expect(v).toMatchObject({ valid: true, validDigests: all.length });
    expect(v.results.filter((r: any) => r.kind === 'DIGEST').map((r: any) => r.s3Bucket)).toEqual(all.map((d) => d.bucket));
    const status = await app.gql(
      `query($input: TrailNameInput!) { getTrailStatus(input: $input) { latestDigestDeliveryTime latestDigestDeliveryError } }`,
      { input: { name: 'solo' } },
      admin,
    );
    expect(status.data.getTrailStatus.latestDigestDeliveryTime).not.toBeNull();
    expect(status.data.getTrailStatus.latestDigestDeliveryError).toBeNull();
  });

  it('validateLogs reads as the caller: other tenants and callers without s3 read rights get AccessDenied', async () => {
    const other = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'intruder'));
    const token = await app.login(other);
    const hidden = await app.gql(VALIDATE, { input: { trailArn: soloArn(), startTime } }, { token, region: 'us-east-1' });
    expect(hidden.errors?.[0].extensions?.code).toBe('TrailNotFoundException');
    const forced = await app.gql(VALIDATE, { input: { trailArn: soloArn(), startTime, s3Bucket: bucket } }, { token, region: 'us-east-1' });
    expect(forced.errors?.[0].extensions?.code).toBe('AccessDenied');
    const reader = await createUserSession(app, admin.token, 'trail-reader', [MANAGED.cloudTrailReadOnly]);
    const denied = await app.gql(VALIDATE, { input: { trailArn: soloArn(), startTime } }, { token: reader.token, region: 'us-east-1' });
    expect(denied.errors?.[0]).toMatchObject({ extensions: { code: 'AccessDeniedException' } });
    expect(denied.errors?.[0].message).toContain('s3:ListBucket');
    const full = await createUserSession(app, admin.token, 'trail-admin', [MANAGED.cloudTrailFull]);
    expect(
      (await app.gql(VALIDATE, { input: { trailArn: soloArn(), startTime } }, { token: full.token, region: 'us-east-1' })).data.validateLogs
        .valid,
    ).toBe(true);
  });

  it('deleting a trail writes its final digest; the chain still validates with --s3-bucket', async () => {
    const trailId = await trailIdOf('solo');
    const before = (await trailDigests(app, trailId)).length;
    await trailCall(app, 'deleteTrail', { name: 'solo' }, admin);
    await waitFor('the final digest', async () => {
      const { rows } = await app.db.pool.query(
        `SELECT count(*)::int AS n FROM digest_chains WHERE trail_id = $1 AND (active OR stop_at IS NOT NULL)`,
        [trailId],
      );
      return rows[0].n === 0;
    });
    const after = await trailDigests(app, trailId);
    expect(after.length).toBeGreaterThan(before);
    const r = await runCli(['validate-logs', '--trail-arn', soloArn(), '--start-time', startTime, '--s3-bucket', 'org-integrity-2'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${after.length}/${after.length} digest files valid`);
  });

  it('turning validation off writes a final digest; turning it on again starts a new chain', async () => {
    const trailId = await trailIdOf('org-trail');
    const chainStarts = async () =>
      (await trailDigests(app, trailId)).filter((d) => d.json.awsAccountId === member && d.json.previousDigestS3Object === null).length;
    expect(await chainStarts()).toBe(1);
    await trailCall(app, 'updateTrail', { name: 'org-trail', enableLogFileValidation: false }, admin);
    await waitFor('the final digests', async () => {
      const { rows } = await app.db.pool.query(
        `SELECT count(*)::int AS n FROM digest_chains WHERE trail_id = $1 AND (active OR stop_at IS NOT NULL)`,
        [trailId],
      );
      return rows[0].n === 0;
    });
    await sleep(2500);
    const { rows: idle } = await app.db.pool.query(`SELECT max(end_time) AS last FROM digests WHERE trail_id = $1`, [trailId]);
    await sleep(2500);
    const { rows: still } = await app.db.pool.query(`SELECT max(end_time) AS last FROM digests WHERE trail_id = $1`, [trailId]);
    expect(still[0].last).toEqual(idle[0].last); // nothing while validation is off
    await trailCall(app, 'updateTrail', { name: 'org-trail', enableLogFileValidation: true }, admin);
    await waitFor('a new chain', async () => (await chainStarts()) === 2);
    const r = await runCli(['validate-logs', '--trail-arn', orgArn(), '--start-time', startTime, '--account-id', member], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^No log files were delivered by CloudTrail between \S+ and \S+\n\n$/);
  });

  it('old digest rows are pruned, keeping the last link of each chain (the objects stay)', async () => {
    const trailId = await trailIdOf('solo');
    const objects = await trailDigests(app, trailId);
    const client = await app.db.pool.connect();
    try {
      await digestRepository.pruneBefore(client, { trailId, accountId: mgmt, region: 'us-east-1' }, new Date(Date.now() + 3600_000));
    } finally {
      client.release();
    }
    const { rows } = await app.db.pool.query(`SELECT backfill, object_key FROM digests WHERE trail_id = $1 ORDER BY backfill`, [trailId]);
    expect(rows.map((r) => r.backfill)).toEqual([false, true]);
    expect(rows[0].object_key).toBe(objects[0].key);
    const orphans = await app.db.pool.query(
      `SELECT count(*)::int AS n FROM digest_log_files l WHERE NOT EXISTS (SELECT 1 FROM digests d WHERE d.id = l.digest_id)`,
    );
    expect(orphans.rows[0].n).toBe(0);
    for (const d of objects) expect(await app.services.storage.readServiceObject(d.bucket, d.key)).not.toBeNull();
  });

  it('a deleted trail’s finished chains are forgotten after 8 days (rows only)', async () => {
    const trailId = await trailIdOf('solo');
    await app.services.digests.trailChanged(trailId);
    expect((await app.db.pool.query(`SELECT count(*)::int AS n FROM digest_chains WHERE trail_id = $1`, [trailId])).rows[0].n).toBe(1);
    await app.db.pool.query(`UPDATE digest_chains SET updated_at = now() - interval '9 days' WHERE trail_id = $1`, [trailId]);
    await app.services.digests.trailChanged(trailId);
    for (const table of ['digest_chains', 'digests']) {
      expect((await app.db.pool.query(`SELECT count(*)::int AS n FROM ${table} WHERE trail_id = $1`, [trailId])).rows[0].n).toBe(0);
    }
    const orphans = await app.db.pool.query(
      `SELECT count(*)::int AS n FROM digest_log_files l WHERE NOT EXISTS (SELECT 1 FROM digests d WHERE d.id = l.digest_id)`,
    );
    expect(orphans.rows[0].n).toBe(0);
  });

  it('signing keys: concurrent creation of the same slot yields one key; private keys are sealed', async () => {
    const a = new SigningKeyService(app.db.pool, app.services.masterKey, { rotationSeconds: 3600, validitySeconds: 7200 });
    const b = new SigningKeyService(app.db.pool, app.services.masterKey, { rotationSeconds: 3600, validitySeconds: 7200 });
    const at = new Date('2030-01-01T00:30:00Z');
    const [ka, kb] = await Promise.all([a.signerAt('eu-west-3', at), b.signerAt('eu-west-3', at)]);
    expect(ka.fingerprint).toBe(kb.fingerprint);
    const { rows } = await app.db.pool.query(`SELECT private_key_sealed FROM signing_keys WHERE region = 'eu-west-3'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].private_key_sealed.includes(Buffer.from('-----BEGIN'))).toBe(false);
    expect(rows[0].private_key_sealed.includes(ka.privateKey.export({ type: 'pkcs8', format: 'der' }).subarray(0, 64))).toBe(false);
  });
});
