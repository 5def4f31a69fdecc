import type { Logger } from 'pino';

/**
 * Uncaught exceptions and unhandled rejections are written as one JSON line (with the stack as
 * a field) before the process exits, instead of Node's raw multi-line report: the process still
 * stops, as Node would stop it (its state is unknown), but log pipelines can read why.
 */
export function logProcessFailures(logger: Logger): void {
  const fatal = (kind: string) => (err: unknown) => {
    logger.fatal({ err }, `${kind}; the process exits`);
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled promise rejection'));
}

/** A failed start, before or after the logger exists: one JSON line on stderr, like the logs. */
export function startFailure(what: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', time: new Date().toISOString(), pid: process.pid, msg: `${what}: ${message}` })}\n`,
  );
}
