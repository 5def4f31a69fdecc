import { type PoolClient, Query } from 'pg';
import { renderValue, TEXT_TYPES } from './lake-query.values';
import type { LakeReaderPool } from './lake-reader';

export { LAKE_READER_ROLE } from './lake-reader';

/** Rows fetched from the cursor per round trip, and stored per `lake_query_results` batch. */
export const RESULT_BATCH_ROWS = 1000;
/** Batches rendered but not yet stored before reading from PostgreSQL pauses (bounded memory). */
const MAX_PENDING_BATCHES = 4;

/** The statement produced more result bytes than LAKE_QUERY_MAX_RESULT_BYTES allows. */
export class ResultTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The query results exceeded the limit of ${maxBytes} bytes; narrow the query with WHERE, aggregation or LIMIT.`);
  }
}

export interface LakeStatementRun {
  statementSql: string;
  timeoutMs: number;
  /** Rendered result bytes at most (values' UTF-16 lengths); past it the run fails. */
  maxResultBytes: number;
  /** application_name while it runs (cancelQuery matches it with the pid) */
  applicationName: string;
}

export type RunOutcome =
  | { kind: 'finished'; rows: number; columns: string[] }
  | { kind: 'timed_out'; rows: number; columns: string[] }
  | { kind: 'cancelled'; rows: number }
  | { kind: 'failed'; rows: number; message: string };

/**
 * The walls around a compiled Lake statement:
 * 1. the compiler (one SELECT, allow-listed nodes and functions; no SET, no set_config);
 * 2. the connection: its session user is `opentrail_lake_reader` (LakeReaderPool), which has
 *    SELECT on lake_events and EXECUTE in lake_fn and nothing else, and no role to switch to;
 *    read only, statement timeout, UTC and search_path are session options;
 * 3. row-level security: the reader sees the rows of the stores of the RUNNING lake_queries row
 *    that carries its backend pid (lake_wall.query_stores()); the runner writes that row from
 *    the owner connection before the statement starts, and the reader cannot touch it.
 */
export function lakeStatementSql(sql: string, opts: { timeoutMs: number; defaultTimeoutMs: number; applicationName: string }): string {
  if (!/^lake-(query|bench):[0-9a-z-]{1,64}$/.test(opts.applicationName)) throw new Error('lake query: bad application name');
  const timeout = Math.max(1, Math.floor(opts.timeoutMs));
  if (!Number.isSafeInteger(timeout)) throw new Error('lake query: bad timeout');
  // RESET ALL: whatever a previous statement on this pooled connection set is back to the
  // session's start-up options. All of it is one simple-protocol message: one round trip.
  const timeoutSql = timeout === Math.floor(opts.defaultTimeoutMs) ? '' : `SET statement_timeout = ${timeout}; `;
  return `RESET ALL; SET application_name = '${opts.applicationName}'; ${timeoutSql}${sql};\nRESET application_name`;
}

/** The backend pid of a pooled connection (from the server's BackendKeyData; no round trip). */
export function backendPid(client: PoolClient): number {
  return (client as unknown as { processID: number }).processID;
}

/**
 * Runs one statement on a reader connection of its own for the duration (so that its backend
 * pid belongs to this query alone and cancelQuery can pg_cancel_backend it from any process) and
 * hands each batch of rendered rows to `onBatch`. `onStarted` gets the backend pid before the
 * statement starts and must register it (the row-level security policy reads it); returning
 * false there stops the run as cancelled. A connection whose statement failed is discarded.
 */
export async function runLakeStatement(
  reader: LakeReaderPool,
  run: LakeStatementRun,
  hooks: {
    onStarted(pid: number): Promise<boolean>;
    onBatch(batch: number, rows: Array<Array<string | null>>): Promise<void>;
  },
): Promise<RunOutcome> {
  const client = await reader.connect();
  let rows = 0;
  let broken: Error | undefined;
  try {
    if (!(await hooks.onStarted(backendPid(client)))) return { kind: 'cancelled', rows };
    const text = lakeStatementSql(run.statementSql, { timeoutMs: run.timeoutMs, defaultTimeoutMs: reader.defaultTimeoutMs, applicationName: run.applicationName });
    const { columns } = await streamLakeStatement(client, text, async (batch, rendered) => {
      rows += rendered.length;
      await hooks.onBatch(batch, rendered);
    }, run.maxResultBytes);
    return { kind: 'finished', rows, columns };
  } catch (err) {
    broken = err as Error;
    const e = err as { code?: string; message?: string };
    if (e.code === '57014') {
      return /statement timeout/.test(e.message ?? '') ? { kind: 'timed_out', rows, columns: [] } : { kind: 'cancelled', rows };
    }
    if (err instanceof ResultTooLargeError) return { kind: 'failed', rows, message: err.message };
    return { kind: 'failed', rows, message: e.message ?? 'The query failed.' };
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `text` (lakeStatementSql) as one execution (not a cursor: PostgreSQL plans cursors
 * without parallel workers), streaming the rows, rendered, to `onBatch` in batches of
 * RESULT_BATCH_ROWS while they arrive. The statement timeout bounds the whole run; `maxBytes`
 * bounds its results: past it the connection is closed (ending the statement on the server, so
 * the client must be released as broken) and the run fails with ResultTooLargeError. While
 * MAX_PENDING_BATCHES batches wait for `onBatch`, reading from the server pauses.
 */
export function streamLakeStatement(
  client: PoolClient,
  text: string,
  onBatch: (batch: number, rows: Array<Array<string | null>>) => Promise<void>,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<{ columns: string[] }> {
  // The socket of pg's connection: pausing it stops rows arriving (the server then waits on a full buffer).
  const socket = (client as unknown as { connection: { stream: { pause(): void; resume(): void; destroy(): void } } }).connection.stream;
  return new Promise((resolve, reject) => {
    let buffer: Array<Array<string | null>> = [];
    let batch = 0;
    let types: number[] | null = null;
    let columns: string[] = [];
    let writing: Promise<void> = Promise.resolve();
    let failed: unknown = null;
    let pending = 0;
    let bytes = 0;
    let tooLarge: ResultTooLargeError | null = null;
    const flush = () => {
      const rows = buffer;
      const n = batch++;
      buffer = [];
      if (++pending === MAX_PENDING_BATCHES) socket.pause();
      // After a failed batch nothing more is stored, and the statement is ended: the stored
      // batches stay one unbroken run from the first (getQueryResults pages by batch number).
      writing = writing
        .then(() => (failed ? undefined : onBatch(n, rows)))
        .catch((err) => {
          if (failed) return;
          failed = err;
          client.on('error', () => undefined); // the connection's end is ours: the rejection reports it
          socket.destroy();
        })
        .finally(() => {
          if (pending-- === MAX_PENDING_BATCHES && !tooLarge) socket.resume();
        });
    };
    // rowMode is a runtime option of pg's Query that its typings omit.
    const q = client.query(new Query({ text, rowMode: 'array', types: TEXT_TYPES } as ConstructorParameters<typeof Query>[0]));
    q.on('row', (row: Array<string | null>, result?: { fields: Array<{ name: string; dataTypeID: number }> }) => {
      if (!types) {
        types = result!.fields.map((f) => f.dataTypeID);
        columns = result!.fields.map((f) => f.name);
      }
      if (tooLarge) return;
      const t = types;
      const rendered = row.map((v, i) => renderValue(v, t[i]));
      for (const v of rendered) bytes += v === null ? 4 : v.length + 2;
      if (bytes > maxBytes) {
        tooLarge = new ResultTooLargeError(maxBytes);
        client.on('error', () => undefined); // the connection's end is ours: the query's rejection reports it
        socket.destroy();
        return;
      }
      buffer.push(rendered);
      if (buffer.length === RESULT_BATCH_ROWS) flush();
    });
    q.on('error', (err: Error) => { void writing.then(() => reject(tooLarge ?? failed ?? err)); });
    q.on('end', () => {
      if (buffer.length) flush();
      void writing.then(() => (failed ? reject(failed) : resolve({ columns })));
    });
  });
}
