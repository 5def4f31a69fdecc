import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from '../config';
import { Database, ensureDatabaseExists } from '../db/database';
import { createLogger } from '../observability/logger';
import { errorSummary, repeatedLogFor } from '../observability/repeated-log';

/**
 * Reads the configuration, or prints what is wrong with it and exits: a wrong setting stops
 * start-up with a message naming it.
 */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

/** Connects to PostgreSQL (creating the database on first start) and applies pending migrations. */
export async function openDatabase(config: Config, logger: Logger): Promise<Database> {
  await ensureDatabaseExists(config.databaseUrl);
  const repeated = repeatedLogFor(logger, config.logRepeatWindowSeconds);
  const db = new Database(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    connectTimeoutMs: config.databaseConnectTimeoutMs,
    onConnectionError: (err, where) => {
      const error = errorSummary(err);
      repeated.warn(
        `pg:${where}:${error.code ?? error.message}`,
        { error, connection: where },
        'PostgreSQL connection lost; the work on it fails and is retried',
      );
    },
  });
  let applied: string[];
  try {
    applied = await db.migrate();
  } catch (err) {
    await db.close().catch(() => undefined); // no pool left open behind a failed start
    throw err;
  }
  if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations');
  return db;
}

export function rootLogger(config: Config): Logger {
  return createLogger(config.logLevel);
}
