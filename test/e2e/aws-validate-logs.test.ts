import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AwsClients, awsKeys } from '../helpers/aws-cli';
import { recordAs, waitFor } from '../helpers/delivery';
import { sampleEvent } from '../helpers/events';
import { call, createUserSession, policyJson } from '../helpers/iam-ops';
import { trailKeyPolicy } from '../helpers/kms';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { cloudTrailBucketPolicy } from '../helpers/trails';
import { isoSeconds } from '../../src/integrity/digest-time';
import { startWorkers } from '../../workers/main';

jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The end-to-end proof: everything set up with the AWS CLI itself (bucket, bucket policy,
 * KMS key, trail with log file validation), then the AWS CLI's own `aws cloudtrail validate-logs`
 * walks the digest chain with CloudTrail and S3 both at AWS_ENDPOINT_URL: ListObjects and
 * GetBucketLocation for the digests, GetObject (SSE-KMS decrypted for the admin) for each log file.
 */
describe('aws cloudtrail validate-logs against OpenTrail (CloudTrail and S3 at one endpoint)', () => {
  let app: TestApp;
  let clients: AwsClients;
  let env: Record<string, string>;
  let workers: { close(): Promise<void> };
  let account: string;
  let trailArn: string;
  let startTime: string;
  const bucket = 'validate-logs-cli-trail';
  const aws = async (...args: string[]) => {
    const result = await clients.cli(args, env);
    return { ...result, json: result.code === 0 && result.stdout.trim() ? JSON.parse(result.stdout) : null };
  };
  const ok = async (...args: string[]) => {
    const result = await aws(...args);
    if (result.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${result.stderr}`);
    return result;
  };
  const validate = () =>
    clients.python(
      [
        '-m',
        'awscli',
        'cloudtrail',
        'validate-logs',
        '--trail-arn',
        trailArn,
        '--start-time',
        startTime,
        '--verbose',
        '--region',
        'us-east-1',
      ],
      env,
    );

  beforeAll(async () => {
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '1', DIGEST_INTERVAL_SECONDS: '2', LOG_LEVEL: 'error' });
    account = app.admin.accountId;
    clients = new AwsClients(app.baseUrl);
    fs.writeFileSync(path.join(clients.dir, 'config'), '[default]\ns3 =\n    addressing_style = path\n');
    env = { ...awsKeys(app.admin.accessKeyId, app.admin.secretAccessKey), AWS_ENDPOINT_URL: app.baseUrl };

    await ok('s3api', 'create-bucket', '--bucket', bucket);
    await ok('s3api', 'put-bucket-policy', '--bucket', bucket, '--policy', cloudTrailBucketPolicy(bucket, [account]));
    const key = (await ok('kms', 'create-key', '--policy', trailKeyPolicy(account), '--description', 'trail logs')).json.KeyMetadata;
    const trail = await ok(
      'cloudtrail',
      'create-trail',
      '--name',
      'validated',
      '--s3-bucket-name',
      bucket,
      '--enable-log-file-validation',
      '--kms-key-id',
      key.Arn,
    );
    trailArn = trail.json.TrailARN;
    expect(trail.json).toMatchObject({ LogFileValidationEnabled: true, KmsKeyId: key.Arn });
    startTime = isoSeconds(new Date(Date.now() - 60_000));
    workers = await startWorkers(app.services);
    await ok('cloudtrail', 'start-logging', '--name', 'validated');
    for (let i = 0; i < 3; i++) {
      await recordAs(app.services, account, app.admin.organizationId, [sampleEvent({}, 5), sampleEvent({}, 4)]);
      await sleep(1500);
    }
    await waitFor('digests naming log files', async () => {
      const { rows } = await app.db.pool.query(`SELECT count(*)::int AS n FROM digests WHERE log_file_count > 0`);
      return rows[0].n >= 2;
    });
    await ok('cloudtrail', 'stop-logging', '--name', 'validated');
  });

  afterAll(async () => {
    await workers?.close();
    await app?.close();
    clients?.close();
  });

  it('lists the log files with `aws s3 ls --recursive` and reads one, decrypted, with `aws s3 cp … -`', async () => {
    const listed = await clients.python(
      ['-m', 'awscli', 's3', 'ls', `s3://${bucket}/AWSLogs/`, '--recursive', '--region', 'us-east-1'],
      env,
    );
    expect(listed.stderr).toBe('');
    const keys = listed.stdout
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).pop()!);
    const logs = keys.filter((k) => k.startsWith(`AWSLogs/${account}/CloudTrail/us-east-1/`) && k.endsWith('.json.gz'));
    const digests = keys.filter((k) => k.startsWith(`AWSLogs/${account}/CloudTrail-Digest/us-east-1/`));
    expect(logs.length).toBeGreaterThan(0);
    expect(digests.length).toBeGreaterThan(0);

    // The CLI writes the gzip bytes to its stdout; a Python parent passes them on in base64.
    const cp = `s3://${bucket}/${logs[0]}`;
    const out = await clients.python(
      [
        '-c',
        'import base64, subprocess, sys; r = subprocess.run([sys.executable, "-m", "awscli", "s3", "cp", sys.argv[1], "-", "--region", "us-east-1"], capture_output=True); sys.stderr.write(r.stderr.decode()); print(base64.b64encode(r.stdout).decode()); sys.exit(r.returncode)',
        cp,
      ],
      env,
    );
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    const records = JSON.parse(gunzipSync(Buffer.from(out.stdout.trim(), 'base64')).toString('utf8')).Records;
    expect(records.length).toBeGreaterThan(0);

    const head = await ok('s3api', 'head-object', '--bucket', bucket, '--key', digests[0]);
    expect(head.json.Metadata).toMatchObject({ 'signature-algorithm': 'SHA256withRSA', signature: expect.stringMatching(/^[0-9a-f]+$/) });
  });

  it('refuses the SSE-KMS log files to a caller who may read the bucket but not kms:Decrypt the key', async () => {
    const reader = await createUserSession(app, await app.login(app.admin), 's3-only-reader');
    await call(
      app,
      'putUserPolicy',
      { userName: 's3-only-reader', policyName: 's3', policyDocument: policyJson({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) },
      await app.login(app.admin),
    );
    const readerEnv = { ...awsKeys(reader.accessKeyId, reader.secretAccessKey), AWS_ENDPOINT_URL: app.baseUrl };
    const { rows } = await app.db.pool.query(`SELECT object_key AS key FROM trail_log_files WHERE state = 'delivered' LIMIT 1`);
    const denied = await clients.cli(
      ['s3api', 'get-object', '--bucket', bucket, '--key', rows[0].key, path.join(clients.dir, 'out')],
      readerEnv,
    );
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/AccessDenied/);
    // Listing is not decryption: the same caller lists the bucket.
    expect((await clients.cli(['s3api', 'list-objects-v2', '--bucket', bucket, '--max-keys', '1'], readerEnv)).code).toBe(0);
  });

  it('reports every digest and log file valid, then a deleted log file INVALID: not found', async () => {
    const valid = await validate();
    expect(valid.stderr).toBe('');
    expect(valid.code).toBe(0);
    // Every log file the digests name was fetched and hashed: those are the files delivered.
    const checked = [...valid.stdout.matchAll(new RegExp(`Log file\\ts3://${bucket}/(\\S+)\\tvalid`, 'g'))].map((m) => m[1]);
    const { rows } = await app.db.pool.query(`SELECT object_key AS key FROM trail_log_files WHERE state = 'delivered'`);
    expect(checked.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.key)).toEqual(expect.arrayContaining(checked));
    const n = checked.length;
    expect(valid.stdout).toContain(`\n${n}/${n} log files valid`);
    expect(valid.stdout).toMatch(/\n(\d+)\/\1 digest files valid/);
    expect(valid.stdout).not.toMatch(/INVALID/);

    const deleted = checked[0];
    await ok('s3api', 'delete-object', '--bucket', bucket, '--key', deleted);
    const after = await validate();
    expect(after.code).not.toBe(0);
    // The CLI writes what is INVALID to stderr, the summary to stdout.
    expect(after.stderr).toContain(`Log file\ts3://${bucket}/${deleted}\tINVALID: not found`);
    expect(after.stdout).toContain(`${n - 1}/${n} log files valid, 1/${n} log files INVALID`);
  });
});
