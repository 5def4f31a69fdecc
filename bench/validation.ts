/**
 * `node dist/bench/run.js validation`: log file validation throughput (validateLogs' algorithm,
 * in-process, as the caller) over a trail with BENCH_VALIDATION_MB (default 1024) MB of
 * uncompressed log files, beside plain hashing of the same files measured in the same run:
 * (a) read (StorageService.readServiceObject) + gunzip + SHA-256 of every stored file, one after another, and (b) SHA-256 alone over
 * the uncompressed bytes already in memory. Also digests/s: validating a chain of empty digests
 * (BENCH_VALIDATION_EMPTY_DIGESTS, default 1000), and the digest worker catching up both periods.
 *
 * The data goes in through the code paths, not the API: log files are written with
 * StorageService.putServiceObject and recorded as delivered trail_log_files rows spread over past
 * hours; DigestService.processChain then writes the hourly digests of that period.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { Client } from 'pg';
import { openDatabase, rootLogger } from '../src/app/boot';
import { closeServices, createServices } from '../src/app/services';
import type { RequestContext } from '../src/common/request-context';
import { loadConfig } from '../src/config';
import { GZIP_LEVEL, MAX_RECORDS_PER_FILE } from '../src/delivery/log-file-body';
import { logFileKey, uniqueSuffix } from '../src/delivery/log-file-key';
import { isoSeconds } from '../src/integrity/digest-time';
import { createMetrics } from '../src/observability/metrics';
import { bootstrapIfEmpty } from '../src/organizations/organization-bootstrap';
import { MasterKey } from '../src/crypto/master-key';
import { AccessKeySecrets } from '../src/principals/access-key-secrets';
import { parsePolicyDocument } from '../src/policies/policy-document';
import { BucketEntity } from '../src/storage/bucket.entity';
import { TrailEntity } from '../src/trails/trail.entity';
import { fmt, type Row } from './lib/stats';
import { syntheticEvent } from './lib/synthetic-events';
import { deleteRedisPrefix } from '../src/common/redis-prefix';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);
const MB = 1024 * 1024;
const FILES_PER_HOUR = 12; // a 5-minute delivery cadence

export async function benchValidation(server: string): Promise<Row[]> {
  const targetBytes = Number(process.env.BENCH_VALIDATION_MB ?? 1024) * MB;
  const suffix = randomBytes(4).toString('hex');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-bench-validation-'));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: `${server}/opentrail_bench_validation_${suffix}`,
    REDIS_PREFIX: `bench-validation-${suffix}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
  });
  const db = await openDatabase(config, rootLogger(config));
  const admin = (await bootstrapIfEmpty(
    db.dataSource,
    config.bootstrapCredentialsFile,
    new AccessKeySecrets(MasterKey.fromConfig(config)),
  ))!;
  const services = createServices(config, db, rootLogger(config), createMetrics());
  const account = admin.accountId;
  const bucket = 'bench-validation';
  try {
    await db.dataSource.getRepository(BucketEntity).save({
      name: bucket,
      accountId: account,
      region: 'us-east-1',
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'cloudtrail.amazonaws.com' },
            Action: 's3:PutObject',
            Resource: `arn:aws:s3:::${bucket}/*`,
            Condition: { StringEquals: { 'aws:SourceAccount': account } },
          },
        ],
      } as unknown as BucketEntity['policy'],
    });
    await services.storage.objects.createBucket(bucket);
    const trail = await db.dataSource.getRepository(TrailEntity).save({
      accountId: account,
      organizationId: null,
      name: 'bench',
      homeRegion: 'us-east-1',
      isMultiRegionTrail: false,
      isOrganizationTrail: false,
      includeGlobalServiceEvents: true,
      isLogging: false,
      logFileValidationEnabled: true,
      s3BucketName: bucket,
      trailArn: `arn:aws:cloudtrail:us-east-1:${account}:trail/bench`,
    });

    // 1. Log files: full-size files (2,000 records) from a pool of records, each file a different rotation.
    const pool = Array.from({ length: MAX_RECORDS_PER_FILE }, (_, i) =>
      JSON.stringify(syntheticEvent(account, 'us-east-1', new Date(Date.UTC(2026, 0, 1) + i * 1000), i)),
    );
    const poolBytes = pool.reduce((n, r) => n + r.length + 1, 0);
    const fileCount = Math.max(1, Math.ceil(targetBytes / poolBytes));
    const hours = Math.ceil(fileCount / FILES_PER_HOUR) + 1;
    const periodStart = new Date(Math.floor((Date.now() - hours * 3600_000 - 7200_000) / 1000) * 1000);
    console.error(
      `validation bench: writing ${fmt(fileCount)} log files (${fmt((fileCount * poolBytes) / MB)} MB uncompressed) over ${hours} h…`,
    );
    const rows: unknown[][] = [];
    let uncompressedBytes = 0;
    let storedBytes = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < fileCount) {
          const i = next++;
          const shift = (i * 7919) % pool.length;
          const json = Buffer.from(`{"Records":[${pool.slice(shift).concat(pool.slice(0, shift)).join(',')}]}`, 'utf8');
          const gz = await gzipAsync(json, { level: GZIP_LEVEL });
          const deliveredAt = new Date(periodStart.getTime() + Math.floor((i * 3600_000) / FILES_PER_HOUR) + 1000);
          const key = logFileKey({
            prefix: null,
            organizationId: null,
            accountId: account,
            region: 'us-east-1',
            deliveredAt,
            unique: uniqueSuffix(),
          });
          await services.storage.putServiceObject(bucket, key, gz, {
            contentType: 'application/json',
            contentEncoding: 'gzip',
            source: { accountId: account, arns: [] },
          });
          rows.push([
            randomUUID(),
            key,
            createHash('sha256').update(json).digest('hex'),
            gz.length,
            json.length,
            deliveredAt,
            createHash('sha256').update(gz).digest('hex'),
          ]);
          uncompressedBytes += json.length;
          storedBytes += gz.length;
        }
      }),
    );
    await db.pool.query(
      `INSERT INTO trail_log_files (id, trail_id, trail_account_id, account_id, region, bucket, object_key, state, event_count, sha256, byte_size, uncompressed_size,
                                    oldest_event_time, newest_event_time, delivered_at, object_sha256)
       SELECT id, $1, $2, $2, 'us-east-1', $3, key, 'delivered', $4, sha, bytes, raw, at - interval '5 minutes', at, at, osha
       FROM unnest($5::uuid[], $6::text[], $7::text[], $8::int[], $9::int[], $10::timestamptz[], $11::text[]) AS f(id, key, sha, bytes, raw, at, osha)`,
      [trail.id, account, bucket, MAX_RECORDS_PER_FILE, ...[0, 1, 2, 3, 4, 5, 6].map((c) => rows.map((r) => r[c]))],
    );

    // 2. Digests of the period: the chain starts at periodStart; the worker catches up every hour.
    await db.pool.query(
      `INSERT INTO digest_chains (trail_id, account_id, region, trail_account_id, trail_arn, trail_name, home_region, bucket, key_prefix, organization_id, active, next_start, chain_broken)
       VALUES ($1, $2, 'us-east-1', $2, $3, 'bench', 'us-east-1', $4, NULL, NULL, true, $5, true)`,
      [trail.id, account, trail.trailArn, bucket, periodStart],
    );
    const d0 = process.hrtime.bigint();
    let digests = 0;
    for (;;) {
      const r = await services.digests.processChain({ trailId: trail.id, accountId: account, region: 'us-east-1' });
      digests += r.digests;
      if (r.digests === 0) break;
    }
    const digestSeconds = Number(process.hrtime.bigint() - d0) / 1e9;

    // 3. Validation as the admin, over the whole period: OpenTrail's default (signed object hashes),
    //    then the AWS CLI's way (inflate and hash every file) over the same digests.
    const ctx: RequestContext = {
      requestId: randomUUID(),
      region: 'us-east-1',
      sourceIp: '127.0.0.1',
      userAgent: 'bench',
      host: 'localhost',
      caller: {
        identity: {
          type: 'IAMUser',
          principalId: 'AIDABENCH',
          arn: `arn:aws:iam::${account}:user/admin`,
          accountId: account,
          accessKeyId: admin.accessKeyId,
          userName: 'admin',
        },
        accountId: account,
        organizationId: admin.organizationId,
        policies: [parsePolicyDocument({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] })],
        principalRef: { kind: 'user', id: randomUUID() },
        sourceAccessKeyId: admin.accessKeyId,
      },
    };
    const timedValidation = async (cloudTrailHashesOnly: boolean) => {
      const v0 = process.hrtime.bigint();
      const { summary } = await services.integrity.validateLogs(ctx, {
        trailArn: trail.trailArn,
        startTime: isoSeconds(periodStart),
        endTime: isoSeconds(new Date()),
        cloudTrailHashesOnly,
      });
      const seconds = Number(process.hrtime.bigint() - v0) / 1e9;
      if (summary.invalidDigests + summary.invalidLogs > 0 || summary.validLogs !== fileCount) {
        throw new Error(`validation found ${summary.validLogs}/${fileCount} valid log files, ${summary.invalidDigests} invalid digests`);
      }
      return { summary, seconds };
    };
    const { summary, seconds: validateSeconds } = await timedValidation(false);
    const { seconds: cliWaySeconds } = await timedValidation(true);

    // 4. Baselines over the same stored files: (a) read + gunzip + SHA-256, one at a time; (b) SHA-256
    //    alone of the uncompressed bytes in memory; (c) SHA-256 alone of the stored bytes in memory.
    const keys = rows.map((r) => r[1] as string);
    let hashSeconds = 0;
    let storedHashSeconds = 0;
    const a0 = process.hrtime.bigint();
    for (const key of keys) {
      const obj = await services.storage.readServiceObject(bucket, key);
      const s0 = process.hrtime.bigint();
      createHash('sha256').update(obj!.body).digest('hex');
      storedHashSeconds += Number(process.hrtime.bigint() - s0) / 1e9;
      const json = await gunzipAsync(obj!.body);
      const h0 = process.hrtime.bigint();
      createHash('sha256').update(json).digest('hex');
      hashSeconds += Number(process.hrtime.bigint() - h0) / 1e9;
    }
    const readHashSeconds = Number(process.hrtime.bigint() - a0) / 1e9;

    // 5. Digest verification alone: a second trail whose chain has only empty digests.
    const emptyHours = Number(process.env.BENCH_VALIDATION_EMPTY_DIGESTS ?? 1000);
    const quiet = await db.dataSource.getRepository(TrailEntity).save({
      accountId: account,
      organizationId: null,
      name: 'bench-quiet',
      homeRegion: 'us-east-1',
      isMultiRegionTrail: false,
      isOrganizationTrail: false,
      includeGlobalServiceEvents: true,
      isLogging: false,
      logFileValidationEnabled: true,
      s3BucketName: bucket,
      trailArn: `arn:aws:cloudtrail:us-east-1:${account}:trail/bench-quiet`,
    });
    const quietStart = new Date(Math.floor((Date.now() - (emptyHours + 1) * 3600_000) / 1000) * 1000);
    await db.pool.query(
      `INSERT INTO digest_chains (trail_id, account_id, region, trail_account_id, trail_arn, trail_name, home_region, bucket, key_prefix, organization_id, active, next_start, chain_broken)
       VALUES ($1, $2, 'us-east-1', $2, $3, 'bench-quiet', 'us-east-1', $4, NULL, NULL, true, $5, true)`,
      [quiet.id, account, quiet.trailArn, bucket, quietStart],
    );
    const e0 = process.hrtime.bigint();
    let emptyDigests = 0;
    for (;;) {
      const r = await services.digests.processChain({ trailId: quiet.id, accountId: account, region: 'us-east-1' });
      emptyDigests += r.digests;
      if (r.digests === 0) break;
    }
    const emptyWriteSeconds = Number(process.hrtime.bigint() - e0) / 1e9;
    const q0 = process.hrtime.bigint();
    const quietResult = await services.integrity.validateLogs(ctx, {
      trailArn: quiet.trailArn,
      startTime: isoSeconds(quietStart),
      endTime: isoSeconds(new Date()),
    });
    const quietSeconds = Number(process.hrtime.bigint() - q0) / 1e9;
    if (quietResult.summary.validDigests !== emptyDigests || quietResult.summary.invalidDigests > 0)
      throw new Error(`quiet chain: ${quietResult.summary.validDigests}/${emptyDigests} digests valid`);

    const mbps = (bytes: number, s: number) => bytes / MB / s;
    const validRate = mbps(uncompressedBytes, validateSeconds);
    const cliWayRate = mbps(uncompressedBytes, cliWaySeconds);
    const readHashRate = mbps(uncompressedBytes, readHashSeconds);
    const hashRate = mbps(uncompressedBytes, hashSeconds);
    const storedHashRate = mbps(storedBytes, storedHashSeconds);
    return [
      {
        benchmark: `validateLogs: ${fmt(fileCount)} log files, ${fmt(uncompressedBytes / MB)} MB uncompressed / ${fmt(storedBytes / MB)} MB stored, ${fmt(summary.validDigests)} digests`,
        measured: `${fmt(validRate)} MB/s of log files (${fmt(mbps(storedBytes, validateSeconds))} MB/s stored), ${fmt(summary.validDigests / validateSeconds, 1)} digests/s`,
        baseline: `${fmt(hashRate)} MB/s plain SHA-256 of the same log files, in memory`,
        ratio: `${fmt(validRate / hashRate, 2)}x`,
        target: '>= 0.7x',
      },
      {
        benchmark: 'same, stored bytes: validateLogs vs plain SHA-256 of the stored objects',
        measured: `${fmt(mbps(storedBytes, validateSeconds))} MB/s stored`,
        baseline: `${fmt(storedHashRate)} MB/s SHA-256 of the stored bytes, in memory`,
        ratio: `${fmt(mbps(storedBytes, validateSeconds) / storedHashRate, 2)}x`,
        target: 'reported',
      },
      {
        benchmark: 'validateLogs the AWS CLI way (--cloudtrail-hashes-only: inflate + hash every file)',
        measured: `${fmt(cliWayRate)} MB/s of log files, ${fmt(summary.validDigests / cliWaySeconds, 1)} digests/s`,
        baseline: `${fmt(readHashRate)} MB/s read + gunzip + SHA-256, sequential`,
        ratio: `${fmt(cliWayRate / readHashRate, 2)}x`,
        target: `reported (${fmt(cliWayRate / hashRate, 2)}x plain SHA-256: inflating bounds it)`,
      },
      {
        benchmark: `validateLogs of a chain of ${fmt(emptyDigests)} empty digests (fetch, gunzip, verify, walk)`,
        measured: `${fmt(emptyDigests / quietSeconds)} digests/s`,
        baseline: '',
        ratio: '',
        target: 'reported',
      },
      {
        benchmark: `digest worker catching up: ${fmt(hours)} windows listing ${fmt(fileCount)} files / ${fmt(emptyDigests)} empty windows`,
        measured: `${fmt(digests / digestSeconds, 1)} / ${fmt(emptyDigests / emptyWriteSeconds, 1)} digests/s`,
        baseline: '',
        ratio: '',
        target: 'reported',
      },
    ];
  } finally {
    await closeServices(services);
    await db.close();
    const client = new Client({ connectionString: `${server}/postgres` });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "opentrail_bench_validation_${suffix}" WITH (FORCE)`);
    await client.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
    await deleteRedisPrefix(config.redisUrl, config.redisPrefix);
  }
}
