/**
 * Whether an error means "PostgreSQL cannot be reached right now" rather than "this request is
 * wrong" or "this code is wrong": the server is down, restarting or shutting down, or the
 * connection broke. Such a failure is retryable as a whole (the write was not acknowledged, and
 * every write path de-duplicates), so clients get ServiceUnavailableException, not InternalFailure.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_STATES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && LOST_CONNECTION_MESSAGES.some((re) => re.test(message))) return true;
    // TypeORM wraps the driver's error; an AggregateError (happy eyeballs) holds one per address.
    const inner = e as { driverError?: unknown; cause?: unknown; errors?: unknown[] };
    e = inner.driverError ?? inner.cause ?? inner.errors?.[0];
  }
  return false;
}

/** Socket-level failures (Node's errno codes) on the way to the server or on an open connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of a server that is going away or not yet there: 57P01 admin_shutdown, 57P02
 * crash_shutdown, 57P03 cannot_connect_now (starting up, in recovery); class 08 is connection
 * exceptions. 53300 too_many_connections passes too: it clears without the request changing.
 */
const SERVER_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** pg's own wording when the socket ends under it (these errors carry no code). */
const LOST_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable$/,
  /^Connection terminated unexpectedly$/,
];
