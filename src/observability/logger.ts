import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type DestinationStream, type Logger } from 'pino';

/** Request-scoped values every log line inside a request should carry. */
export interface RequestLogContext {
  requestId: string;
}

export const requestStore = new AsyncLocalStorage<RequestLogContext>();

/** Runs `fn` so that every log line written inside it (sync or async) carries `requestId`. */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return requestStore.run({ requestId }, fn);
}

// fast-redact has no recursive wildcard, so each secret key is listed at the depths where our
// log calls put it (top level, one and two objects down). Deeper payloads (e.g. GraphQL
// variables) must be redacted by their owner before logging.
const SECRET_KEYS = ['secretAccessKey', 'sessionToken', 'token', 'password', 'jwtSecret', 'authorization'];
const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
];

/**
 * Root logger: structured JSON on stdout, secrets censored, and `requestId` added to every line
 * written inside `runWithRequestId`. `destination` exists for tests.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Level names survive log pipelines that do not know pino's numeric levels.
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const store = requestStore.getStore();
        return store ? { requestId: store.requestId } : {};
      },
    },
    destination ?? pino.destination(1),
  );
}
