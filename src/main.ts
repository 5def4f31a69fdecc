import 'reflect-metadata';
import fs from 'node:fs';
import type { Logger } from 'pino';
import { loadConfigOrExit, openDatabase, rootLogger } from './app/boot';
import { startServer } from './app/server';
import { closeServices, createServices } from './app/services';
import { bootstrapIfEmpty } from './organizations/organization-bootstrap';
import { checkMasterKey } from './crypto/master-key-check';
import { MasterKey } from './crypto/master-key';
import { AccessKeySecrets } from './principals/access-key-secrets';
import { createMetrics } from './observability/metrics';
import { logProcessFailures, startFailure } from './observability/process-failures';
import { repeatedLogFor } from './observability/repeated-log';
import { startWorkers } from '../workers/main';

/**
 * The api process: config → database (migrations) → bootstrap → services → HTTP server.
 * `--with-workers` also runs every queue worker in this process (the `npm start` default).
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = rootLogger(config);
  logProcessFailures(logger);
  const db = await openDatabase(config, logger);
  const credentials = await bootstrapIfEmpty(
    db.dataSource,
    config.bootstrapCredentialsFile,
    new AccessKeySecrets(MasterKey.fromConfig(config)),
  );
  if (credentials) {
    // Printed once, on the first start only; also written to a 0600 file.
    process.stdout.write(
      `\nOpenTrail bootstrapped a first organization. Admin credentials (shown once, also in ${config.bootstrapCredentialsFile}):\n` +
        `${JSON.stringify(credentials, null, 2)}\n\n`,
    );
  } else if (!fs.existsSync(config.bootstrapCredentialsFile)) {
    // A reused database with a fresh DATA_DIR: say where credentials come from instead of failing later.
    announcer(logger).warn(
      { credentialsFile: config.bootstrapCredentialsFile },
      `The database already holds organizations, so no admin credentials were generated and ${config.bootstrapCredentialsFile} does not exist. ` +
        `Use the credentials written on the first start, or create another organization with: opentrail create-organization --name <name>`,
    );
  }
  const metrics = createMetrics();
  const services = createServices(config, db, logger, metrics);
  await checkMasterKey(db, services.masterKey);
  await services.prepareEventStore();
  const withWorkers = process.argv.includes('--with-workers');
  let workers: { close(): Promise<void> } | null = null;
  let server: Awaited<ReturnType<typeof startServer>> | null = null;

  // Signal handlers go in before the URL is announced: whoever sees it may stop us at once.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await server?.close().catch(() => undefined);
    await workers?.close().catch(() => undefined);
    await closeServices(services).catch(() => undefined);
    await db.close().catch(() => undefined);
    repeatedLogFor(logger, config.logRepeatWindowSeconds).flush();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  workers = withWorkers ? await startWorkers(services) : null;
  server = await startServer(services);
  const graphiql = server.url.replace(/\/graphql$/, '/graphiql');
  announcer(logger).info(
    { url: server.url, graphiql, workers: withWorkers },
    `OpenTrail GraphQL API: ${server.url} (GraphiQL: ${graphiql})`,
  );
}

/**
 * Lines an operator (and the scripts that wait for the URL) must see whatever LOG_LEVEL says;
 * they are JSON like every other line, so log pipelines parse them too.
 */
function announcer(logger: Logger): Logger {
  return logger.child({}, { level: 'info' });
}

main().catch((err) => {
  startFailure('OpenTrail failed to start', err);
  process.exit(1);
});
