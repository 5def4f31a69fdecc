import path from 'node:path';
import { isKnownRegion } from './regions/region-catalog';

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
  redisUrl: string;
  redisPrefix: string;
  dataDir: string;
  homeRegion: string;
  bootstrapCredentialsFile: string;
  jwtSecret: string | null;
  sessionTtlSeconds: number;
  logLevel: string;
  graphqlMaxDepth: number;
  graphqlMaxComplexity: number;
  bodyLimitBytes: number;
  ingestBatchSize: number;
  outboxSweepIntervalSeconds: number;
  eventHistoryRetentionDays: number;
  partitionsAheadDays: number;
  retentionIntervalSeconds: number;
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
    databaseUrl: read(
      'DATABASE_URL',
      url(['postgres:', 'postgresql:']),
      'postgres://postgres@127.0.0.1:5432/opentrail',
    ),
    databasePoolSize: read('DATABASE_POOL_SIZE', integer(2, 200), 20),
    redisUrl: read('REDIS_URL', url(['redis:', 'rediss:']), 'redis://127.0.0.1:6379'),
    redisPrefix: read('REDIS_PREFIX', (raw) => {
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(raw)) throw new Error('must be 1-64 of A-Z a-z 0-9 _ . -');
      return raw;
    }, 'opentrail'),
    dataDir,
    homeRegion: read('HOME_REGION', (raw) => {
      if (!isKnownRegion(raw)) throw new Error('must be a region of the catalog (see listRegions)');
      return raw;
    }, 'us-east-1'),
    bootstrapCredentialsFile: path.resolve(
      read('BOOTSTRAP_CREDENTIALS_FILE', text, path.join(dataDir, 'bootstrap-credentials.json')),
    ),
    jwtSecret: read<string | null>('JWT_SECRET', (raw) => {
      if (raw.length < 32) throw new Error('must be at least 32 characters');
      return raw;
    }, null),
    sessionTtlSeconds: read('SESSION_TTL_SECONDS', integer(60, 43200), 3600),
    logLevel: read('LOG_LEVEL', (raw) => {
      if (!LOG_LEVELS.includes(raw)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
      return raw;
    }, 'info'),
    graphqlMaxDepth: read('GRAPHQL_MAX_DEPTH', integer(2, 100), 12),
    graphqlMaxComplexity: read('GRAPHQL_MAX_COMPLEXITY', integer(10, 1_000_000), 2000),
    bodyLimitBytes: read('BODY_LIMIT_BYTES', integer(1024, 64 * 1024 * 1024), 2 * 1024 * 1024),
    ingestBatchSize: read('INGEST_BATCH_SIZE', integer(1, 5000), 1000),
    outboxSweepIntervalSeconds: read('OUTBOX_SWEEP_INTERVAL_SECONDS', integer(1, 3600), 10),
    eventHistoryRetentionDays: read('EVENT_HISTORY_RETENTION_DAYS', integer(1, 3653), 90),
    partitionsAheadDays: read('PARTITIONS_AHEAD_DAYS', integer(1, 60), 7),
    retentionIntervalSeconds: read('RETENTION_INTERVAL_SECONDS', integer(1, 86400), 3600),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
