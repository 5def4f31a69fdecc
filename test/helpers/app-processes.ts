import type { Config } from '../../src/config';

// The api and workers child processes themselves are bench/lib/app-process.ts (startApp,
// startWorkerProcess); tests pass `keepOutput: Infinity` where they read every line.

/** The environment a child needs to run against the same database, Redis prefix and data dir as `config`. */
export function childEnv(config: Config, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    REDIS_PREFIX: config.redisPrefix,
    DATA_DIR: config.dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    DELIVERY_INTERVAL_SECONDS: String(config.deliveryIntervalSeconds),
    OUTBOX_SWEEP_INTERVAL_SECONDS: String(config.outboxSweepIntervalSeconds),
    LOG_LEVEL: config.logLevel,
    ...extra,
  };
}
