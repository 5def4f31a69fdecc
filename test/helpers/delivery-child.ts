import 'reflect-metadata';
import fs from 'node:fs';
import { openDatabase, rootLogger } from '../../src/app/boot';
import { closeServices, createServices } from '../../src/app/services';
import { loadConfig } from '../../src/config';
import { createDeliveryService } from '../../src/delivery/delivery-services';
import type { PendingLogFile } from '../../src/delivery/trail-log-file.repository';
import { createMetrics } from '../../src/observability/metrics';
import { startWorkers } from '../../workers/main';

/**
 * The worker process for test/integration/delivery-crash.test.ts, run as
 * `node dist/test/helpers/delivery-child.js` (compiled by `npm test`'s tsc step) with the test's
 * DATABASE_URL, REDIS_URL, REDIS_PREFIX and DATA_DIR. It runs the real workers (startWorkers).
 *
 * CRASH_LEDGER=<file>: after a log file's object is written and before its delivery commits, a file
 * id not yet in the ledger is appended to it (`<file id> <bucket> <key>`) and the process
 * SIGKILLs itself — exactly between write and commit. A file already in the ledger (the rewrite
 * after the crash) goes through, so each run makes progress and crashes on the next new file.
 * Without CRASH_LEDGER the process delivers until it is stopped with SIGTERM. MAX_RECORDS_PER_FILE
 * makes files small, so a few hundred events make many files (many crash points).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = rootLogger(config);
  const db = await openDatabase(config, logger);
  const services = createServices(config, db, logger, createMetrics());
  const ledger = process.env.CRASH_LEDGER;
  const afterObjectWritten = ledger
    ? async (file: PendingLogFile) => {
        const seen = fs.existsSync(ledger) ? fs.readFileSync(ledger, 'utf8') : '';
        if (seen.split('\n').some((line) => line.startsWith(`${file.id} `))) return;
        fs.appendFileSync(ledger, `${file.id} ${file.bucket} ${file.objectKey}\n`);
        process.kill(process.pid, 'SIGKILL');
        await new Promise(() => undefined);
      }
    : undefined;
  const delivery = createDeliveryService({ config, db, logger }, services.storage, {
    afterObjectWritten,
    maxRecordsPerFile: process.env.MAX_RECORDS_PER_FILE ? Number(process.env.MAX_RECORDS_PER_FILE) : undefined,
  });
  const workers = await startWorkers({ ...services, delivery });
  process.stdout.write('READY\n');
  process.on('SIGTERM', () => {
    void (async () => {
      await workers.close().catch(() => undefined);
      await closeServices(services).catch(() => undefined);
      await db.close().catch(() => undefined);
      process.exit(0);
    })();
  });
}

main().catch((err) => {
  process.stderr.write(`delivery child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
