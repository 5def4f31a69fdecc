import os from 'node:os';
import path from 'node:path';
import { isKnownRegion } from './regions/region-catalog';
import { parseAllowedHosts } from './common/webhooks/webhook-host-policy';

/**
 * The one configuration object. Every setting is read from the environment once, at boot,
 * validated, and documented here (the README table lists the same settings). A wrong value stops
 * start-up with a message naming the variable.
 */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  databasePoolSize: number;
  /**
   * How long a checkout may wait, for a new PostgreSQL connection or for a free one in a full
   * pool, before the work fails (a request with 503). Long: a busy pool is not an outage.
   */
  databaseConnectTimeoutMs: number;
  redisUrl: string;
  /**
   * Seed nodes of a Redis Cluster (REDIS_CLUSTER_NODES=host:port,...); empty = the one Redis at
   * REDIS_URL. With nodes, REDIS_URL still gives the credentials and TLS (rediss:) for every node,
   * and each queue's keys carry a hash tag so a queue lives in one slot (src/common/redis-client.ts).
   */
  redisClusterNodes: RedisNode[];
  redisPrefix: string;
  dataDir: string;
  homeRegion: string;
  bootstrapCredentialsFile: string;
  jwtSecret: string | null;
  /** Root key for encryption at rest (src/crypto/master-key.ts); null = a generated 0600 file in DATA_DIR. */
  masterKey: Buffer | null;
  sessionTtlSeconds: number;
  /** createSession attempts one access key id may make from one address before delays start. */
  signinFreeFailuresPerKeyAddress: number;
  /** createSession attempts one address (an IPv6 /64) may fail, over all key ids, before delays start. */
  signinFreeFailuresPerAddress: number;
  /** createSession attempts one access key id may fail, over all addresses, before delays start. */
  signinFreeFailuresPerKey: number;
  /** First sign-in delay past an allowance; it doubles with each further attempt up to the maximum. */
  signinBaseDelaySeconds: number;
  signinMaxDelaySeconds: number;
  /** Failed sign-ins are forgotten this long after the first of a run (a success forgets them at once). */
  signinFailureWindowSeconds: number;
  /** Calls with a failing bearer token one address gets recorded in full before they are sampled. */
  authFailureAuditFreePerAddress: number;
  logLevel: string;
  /**
   * Repeated failures of one kind (a lost database or Redis connection, retried by every client)
   * are written once and then summarised once per this many seconds while they go on.
   */
  logRepeatWindowSeconds: number;
  graphqlMaxDepth: number;
  graphqlMaxComplexity: number;
  /** Root fields (aliases count) one operation may have: each is one API call and one self-audit event. */
  graphqlMaxRootFields: number;
  /** Aliases anywhere in a document. */
  graphqlMaxAliases: number;
  /** Directives anywhere in a document. */
  graphqlMaxDirectives: number;
  /** Lexical tokens a document may have; parsing stops past it. */
  graphqlMaxTokens: number;
  /**
   * Request points per second one account may spend, sustained (GraphQL, /ingest, export; across
   * replicas). A small request is one point; larger ones are charged their price (src/common/account-limits.ts).
   */
  accountRateLimitPerSecond: number;
  /** Points one account may spend above that rate in each 10-second window. */
  accountRateBurst: number;
  /** Requests of one account served at the same time (across replicas). */
  accountMaxConcurrentRequests: number;
  /**
   * Host CPU (or event-loop) use, in percent, from which an api process counts as contended and
   * refuses the account spending far more than the others it serves (src/common/contention-guard.ts);
   * null (`off`): never.
   */
  accountContentionCpuPercent: number | null;
  /** GraphQL requests this api process runs at once; those waiting take turns by account. */
  graphqlMaxRunningRequests: number;
  /** Events one account may send to /ingest per second (its own budget beside the request rate). */
  accountIngestEventsPerSecond: number;
  /** Events one account may send to /ingest above that rate in each 60-second window (imports). */
  accountIngestBurstEvents: number;
  /** /ingest uploads of one account written at the same time (across replicas). */
  accountMaxConcurrentIngests: number;
  bodyLimitBytes: number;
  /** durable: every self-audit record waits for its WAL flush; async: records of read-only calls do not. */
  selfAuditReadCommit: 'durable' | 'async';
  ingestBatchSize: number;
  /** Threads that parse /ingest bodies (0: on the request thread). */
  ingestParserThreads: number;
  outboxSweepIntervalSeconds: number;
  eventHistoryRetentionDays: number;
  partitionsAheadDays: number;
  retentionIntervalSeconds: number;
  /** Object storage backend: the local filesystem under DATA_DIR, or an S3-compatible service. */
  storageBackend: 'fs' | 's3';
  s3Endpoint: string | null;
  s3Region: string;
  s3AccessKeyId: string | null;
  s3SecretAccessKey: string | null;
  s3ForcePathStyle: boolean;
  /** Prepended to every logical bucket name to form the physical S3 bucket name. */
  s3BucketPrefix: string;
  /** How often trails' pending events are written out as log files (CloudTrail: about every 5 minutes). */
  deliveryIntervalSeconds: number;
  /** How often KMS keys past their deletion date are removed (they are unusable from that date on anyway). */
  kmsKeyDeletionIntervalSeconds: number;
  /**
   * Webhook destinations (parsed entries, see src/common/webhooks/webhook-host-policy.ts). Empty = any host name, public
   * addresses only; IP/CIDR entries open internal addresses; metadata/link-local stays refused.
   */
  webhookAllowedHosts: string[];
  webhookTimeoutMs: number;
  /** POSTs tried per event-rule batch before its events are dead letters (EventBridge: 185). */
  webhookMaxAttempts: number;
  /** Events older than this are dead letters instead of being retried (EventBridge: 24 h). */
  webhookMaxEventAgeSeconds: number;
  /** First retry delay of a failing receiver; doubles per consecutive failure, with jitter. */
  webhookBackoffMs: number;
  /** Cap of the retry delay. */
  webhookMaxBackoffMs: number;
  /** How often the Insights detection worker runs (it judges every complete minute since its last run). */
  insightsIntervalSeconds: number;
  /** Length of a digest window (CloudTrail: one hour); shorter in tests. */
  digestIntervalSeconds: number;
  /** A new signing key per region every this many seconds. */
  signingKeyRotationSeconds: number;
  /** Validity window of each signing key (CloudTrail: 30 days); longer than the rotation, so windows overlap. */
  signingKeyValiditySeconds: number;
  /** Lake query run-time limit (CloudTrail: 1 hour); a query past it ends TIMED_OUT. */
  lakeQueryTimeoutSeconds: number;
  /** Result bytes a Lake query may produce; past it the query FAILS (partial results kept, as for TIMED_OUT). */
  lakeQueryMaxResultBytes: number;
  /** Wire bytes one Lake result row may have; a larger row FAILS the query before Node reads it whole. */
  lakeQueryMaxRowBytes: number;
  /** A stored result batch holds 1000 rows or this many bytes, whichever comes first. */
  lakeQueryBatchBytes: number;
  /** Result bytes all running Lake queries of one process may hold unstored; reading pauses past it. */
  lakeQueryBufferBytes: number;
  /** Lake queries one account may have RUNNING at once (across processes); more wait QUEUED. */
  lakeQueryMaxRunningPerAccount: number;
  /** How often the lake-query sweep re-queues queries whose job was lost and re-delivers stranded results. */
  lakeQuerySweepSeconds: number;
}

export interface RedisNode {
  host: string;
  port: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

type Parser<T> = (raw: string) => T;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(min: number, max: number): Parser<number> {
  return (raw) => {
    if (!/^\d+$/.test(raw.trim())) throw new Error(`must be a whole number from ${min} to ${max}`);
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`must be a whole number from ${min} to ${max}`);
    return value;
  };
}

function url(protocols: string[]): Parser<string> {
  return (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new Error('must be a URL');
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new Error(`must use ${protocols.map((p) => p.replace(':', '://')).join(' or ')}`);
    }
    return raw;
  };
}

const redisNodes: Parser<RedisNode[]> = (raw) =>
  raw.split(',').map((entry) => {
    const match = /^\s*([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})\s*$/.exec(entry);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) throw new Error('must be a comma-separated list of host:port (port 1-65535)');
    return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
  });

const text: Parser<string> = (raw) => {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
};

/** Reads and validates the configuration; throws ConfigError listing every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  function read<T>(name: string, parse: Parser<T>, fallback: T): T {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    try {
      return parse(raw);
    } catch (err) {
      problems.push(`${name} ${(err as Error).message} (got ${JSON.stringify(raw)})`);
      return fallback;
    }
  }

  const dataDir = path.resolve(read('DATA_DIR', text, path.join(process.cwd(), 'data')));
  const config: Config = {
    port: read('PORT', integer(0, 65535), 4000),
    host: read('HOST', text, '0.0.0.0'),
    databaseUrl: read('DATABASE_URL', url(['postgres:', 'postgresql:']), 'postgres://postgres@127.0.0.1:5432/opentrail'),
    databasePoolSize: read('DATABASE_POOL_SIZE', integer(2, 200), 20),
    databaseConnectTimeoutMs: read('DATABASE_CONNECT_TIMEOUT_MS', integer(100, 120_000), 30_000),
    redisUrl: read('REDIS_URL', url(['redis:', 'rediss:']), 'redis://127.0.0.1:6379'),
    redisClusterNodes: read('REDIS_CLUSTER_NODES', redisNodes, []),
    redisPrefix: read(
      'REDIS_PREFIX',
      (raw) => {
        if (!/^[A-Za-z0-9_.-]{1,64}$/.test(raw)) throw new Error('must be 1-64 of A-Z a-z 0-9 _ . -');
        return raw;
      },
      'opentrail',
    ),
    dataDir,
    homeRegion: read(
      'HOME_REGION',
      (raw) => {
        if (!isKnownRegion(raw)) throw new Error('must be a region of the catalog (see listRegions)');
        return raw;
      },
      'us-east-1',
    ),
    bootstrapCredentialsFile: path.resolve(read('BOOTSTRAP_CREDENTIALS_FILE', text, path.join(dataDir, 'bootstrap-credentials.json'))),
    jwtSecret: read<string | null>(
      'JWT_SECRET',
      (raw) => {
        if (raw.length < 32) throw new Error('must be at least 32 characters');
        return raw;
      },
      null,
    ),
    masterKey: read<Buffer | null>(
      'MASTER_KEY',
      (raw) => {
        const key = Buffer.from(raw, 'base64');
        if (key.length !== 32 || key.toString('base64') !== raw.trim()) throw new Error('must be the base64 encoding of exactly 32 bytes');
        return key;
      },
      null,
    ),
    sessionTtlSeconds: read('SESSION_TTL_SECONDS', integer(60, 43200), 3600),
    signinFreeFailuresPerKeyAddress: read('SIGNIN_FREE_FAILURES_PER_KEY_ADDRESS', integer(1, 1000), 5),
    signinFreeFailuresPerAddress: read('SIGNIN_FREE_FAILURES_PER_ADDRESS', integer(1, 100_000), 30),
    signinFreeFailuresPerKey: read('SIGNIN_FREE_FAILURES_PER_KEY', integer(1, 100_000), 100),
    signinBaseDelaySeconds: read('SIGNIN_BASE_DELAY_SECONDS', integer(1, 3600), 1),
    signinMaxDelaySeconds: read('SIGNIN_MAX_DELAY_SECONDS', integer(1, 86_400), 900),
    signinFailureWindowSeconds: read('SIGNIN_FAILURE_WINDOW_SECONDS', integer(60, 7 * 86_400), 3600),
    authFailureAuditFreePerAddress: read('AUTH_FAILURE_AUDIT_FREE_PER_ADDRESS', integer(1, 1_000_000), 100),
    logLevel: read(
      'LOG_LEVEL',
      (raw) => {
        if (!LOG_LEVELS.includes(raw)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
        return raw;
      },
      'info',
    ),
    logRepeatWindowSeconds: read('LOG_REPEAT_WINDOW_SECONDS', integer(1, 3600), 10),
    graphqlMaxDepth: read('GRAPHQL_MAX_DEPTH', integer(2, 100), 12),
    graphqlMaxComplexity: read('GRAPHQL_MAX_COMPLEXITY', integer(10, 1_000_000), 2000),
    graphqlMaxRootFields: read('GRAPHQL_MAX_ROOT_FIELDS', integer(1, 1000), 20),
    graphqlMaxAliases: read('GRAPHQL_MAX_ALIASES', integer(0, 10_000), 30),
    graphqlMaxDirectives: read('GRAPHQL_MAX_DIRECTIVES', integer(0, 10_000), 50),
    graphqlMaxTokens: read('GRAPHQL_MAX_TOKENS', integer(100, 1_000_000), 10_000),
    accountRateLimitPerSecond: read('ACCOUNT_RATE_LIMIT_PER_SECOND', integer(1, 1_000_000), 200),
    accountRateBurst: read('ACCOUNT_RATE_BURST', integer(1, 10_000_000), 2000),
    accountMaxConcurrentRequests: read('ACCOUNT_MAX_CONCURRENT_REQUESTS', integer(1, 10_000), 8),
    // 50: measured in bench noisy-neighbour (src/graphql/README.md); 100 sheds only on a saturated machine.
    accountContentionCpuPercent: read<number | null>(
      'ACCOUNT_CONTENTION_CPU_PERCENT',
      (raw) => {
        if (raw.trim() === 'off') return null;
        if (!/^\d+$/.test(raw.trim()) || Number(raw) > 100) throw new Error('must be a whole number from 0 to 100, or off');
        return Number(raw);
      },
      50,
    ),
    graphqlMaxRunningRequests: read('GRAPHQL_MAX_RUNNING_REQUESTS', integer(1, 10_000), 10_000), // off by default: 4 measured worse for B (README)
    // Ingest is bulk work the workers and PostgreSQL pay for after the request ends (routing,
    // trails, stores, Insights); sized in src/graphql/README.md "What the limits buy, measured".
    accountIngestEventsPerSecond: read('ACCOUNT_INGEST_EVENTS_PER_SECOND', integer(1, 10_000_000), 5000),
    accountIngestBurstEvents: read('ACCOUNT_INGEST_BURST_EVENTS', integer(1, 100_000_000), 30_000),
    accountMaxConcurrentIngests: read('ACCOUNT_MAX_CONCURRENT_INGESTS', integer(1, 10_000), 1),
    bodyLimitBytes: read('BODY_LIMIT_BYTES', integer(1024, 64 * 1024 * 1024), 2 * 1024 * 1024),
    selfAuditReadCommit: read<'durable' | 'async'>(
      'SELF_AUDIT_READ_COMMIT',
      (raw) => {
        if (raw !== 'durable' && raw !== 'async') throw new Error('must be durable or async');
        return raw;
      },
      'async',
    ),
    ingestBatchSize: read('INGEST_BATCH_SIZE', integer(1, 5000), 1000),
    ingestParserThreads: read('INGEST_PARSER_THREADS', integer(0, 64), Math.min(4, os.availableParallelism())),
    outboxSweepIntervalSeconds: read('OUTBOX_SWEEP_INTERVAL_SECONDS', integer(1, 3600), 10),
    eventHistoryRetentionDays: read('EVENT_HISTORY_RETENTION_DAYS', integer(1, 3653), 90),
    partitionsAheadDays: read('PARTITIONS_AHEAD_DAYS', integer(1, 60), 7),
    retentionIntervalSeconds: read('RETENTION_INTERVAL_SECONDS', integer(1, 86400), 3600),
    storageBackend: read<'fs' | 's3'>(
      'STORAGE_BACKEND',
      (raw) => {
        if (raw !== 'fs' && raw !== 's3') throw new Error('must be fs or s3');
        return raw;
      },
      'fs',
    ),
    s3Endpoint: read<string | null>('S3_ENDPOINT', url(['http:', 'https:']), null),
    s3Region: read('S3_REGION', text, 'us-east-1'),
    s3AccessKeyId: read<string | null>('S3_ACCESS_KEY_ID', text, null),
    s3SecretAccessKey: read<string | null>('S3_SECRET_ACCESS_KEY', text, null),
    s3ForcePathStyle: read(
      'S3_FORCE_PATH_STYLE',
      (raw) => {
        if (raw !== 'true' && raw !== 'false') throw new Error('must be true or false');
        return raw === 'true';
      },
      true,
    ),
    s3BucketPrefix: read(
      'S3_BUCKET_PREFIX',
      (raw) => {
        // Physical names must stay valid S3 bucket names: lowercase, digits, '-' and '.'.
        if (!/^[a-z0-9][a-z0-9.-]{0,19}$/.test(raw)) throw new Error('must be 1-20 of a-z 0-9 . - starting with a letter or digit');
        return raw;
      },
      '',
    ),
    deliveryIntervalSeconds: read('DELIVERY_INTERVAL_SECONDS', integer(1, 3600), 300),
    kmsKeyDeletionIntervalSeconds: read('KMS_KEY_DELETION_INTERVAL_SECONDS', integer(10, 86_400), 3600),
    webhookAllowedHosts: read('WEBHOOK_ALLOWED_HOSTS', parseAllowedHosts, []),
    webhookTimeoutMs: read('WEBHOOK_TIMEOUT_MS', integer(100, 60000), 5000),
    webhookMaxAttempts: read('WEBHOOK_MAX_ATTEMPTS', integer(1, 185), 185),
    webhookMaxEventAgeSeconds: read('WEBHOOK_MAX_EVENT_AGE_SECONDS', integer(1, 86_400), 86_400),
    webhookBackoffMs: read('WEBHOOK_BACKOFF_MS', integer(1, 3_600_000), 1000),
    webhookMaxBackoffMs: read('WEBHOOK_MAX_BACKOFF_MS', integer(1, 3_600_000), 600_000),
    insightsIntervalSeconds: read('INSIGHTS_INTERVAL_SECONDS', integer(1, 3600), 60),
    digestIntervalSeconds: read('DIGEST_INTERVAL_SECONDS', integer(1, 86400), 3600),
    signingKeyRotationSeconds: read('SIGNING_KEY_ROTATION_SECONDS', integer(1, 31_536_000), 15 * 86400),
    signingKeyValiditySeconds: read('SIGNING_KEY_VALIDITY_SECONDS', integer(2, 63_072_000), 30 * 86400),
    lakeQueryTimeoutSeconds: read('LAKE_QUERY_TIMEOUT_SECONDS', integer(1, 86400), 3600),
    lakeQueryMaxResultBytes: read('LAKE_QUERY_MAX_RESULT_BYTES', integer(1024, 64 * 2 ** 30), 2 ** 30),
    lakeQueryMaxRowBytes: read('LAKE_QUERY_MAX_ROW_BYTES', integer(1024, 256 * 2 ** 20), 4 * 2 ** 20),
    lakeQueryBatchBytes: read('LAKE_QUERY_BATCH_BYTES', integer(1024, 256 * 2 ** 20), 8 * 2 ** 20),
    lakeQueryBufferBytes: read('LAKE_QUERY_BUFFER_BYTES', integer(4096, 16 * 2 ** 30), 64 * 2 ** 20),
    lakeQueryMaxRunningPerAccount: read('LAKE_QUERY_MAX_RUNNING_PER_ACCOUNT', integer(1, 10), 2),
    lakeQuerySweepSeconds: read('LAKE_QUERY_SWEEP_SECONDS', integer(1, 3600), 5),
  };
  if (config.lakeQueryBufferBytes < 2 * config.lakeQueryMaxRowBytes) {
    problems.push('LAKE_QUERY_BUFFER_BYTES must be at least twice LAKE_QUERY_MAX_ROW_BYTES (a row must fit the process-wide buffer)');
  }
  if (config.signingKeyValiditySeconds <= config.signingKeyRotationSeconds) {
    problems.push('SIGNING_KEY_VALIDITY_SECONDS must be greater than SIGNING_KEY_ROTATION_SECONDS (key validity windows overlap)');
  }
  if (config.webhookMaxBackoffMs < config.webhookBackoffMs) {
    problems.push('WEBHOOK_MAX_BACKOFF_MS must be at least WEBHOOK_BACKOFF_MS');
  }
  if (config.signinMaxDelaySeconds < config.signinBaseDelaySeconds) {
    problems.push('SIGNIN_MAX_DELAY_SECONDS must be at least SIGNIN_BASE_DELAY_SECONDS');
  }
  if (config.storageBackend === 's3') {
    for (const [name, value] of [
      ['S3_ENDPOINT', config.s3Endpoint],
      ['S3_ACCESS_KEY_ID', config.s3AccessKeyId],
      ['S3_SECRET_ACCESS_KEY', config.s3SecretAccessKey],
    ] as const) {
      if (value === null) problems.push(`${name} is required when STORAGE_BACKEND=s3`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
