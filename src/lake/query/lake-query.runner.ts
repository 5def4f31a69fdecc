import { type PoolClient, Query } from 'pg';
import { renderValue, TEXT_TYPES } from './lake-query.values';
import type { LakeReaderPool } from './lake-reader';
import type { ResultBuffer } from './result-buffer';
import { watchRowSizes } from './row-size-guard';

export { LAKE_READER_ROLE } from './lake-reader';

/** Rows per stored `lake_query_results` batch at most (fewer when the batch reaches its byte cap). */
export const RESULT_BATCH_ROWS = 1000;
/** Batches rendered but not yet stored before reading from PostgreSQL pauses (bounded memory). */
const MAX_PENDING_BATCHES = 4;

/** The statement produced more result bytes than LAKE_QUERY_MAX_RESULT_BYTES allows. */
export class ResultTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The query results exceeded the limit of ${maxBytes} bytes; narrow the query with WHERE, aggregation or LIMIT.`);
  }
}

/** One result row was larger than LAKE_QUERY_MAX_ROW_BYTES (seen from its header, before it was read). */
export class RowTooLargeError extends Error {
  constructor(
    readonly maxRowBytes: number,
    readonly rowBytes: number,
  ) {
    super(`A result row of ${rowBytes} bytes exceeded the limit of ${maxRowBytes} bytes per row; select fewer or smaller values.`);
  }
}

/** What bounds one statement's results (config: LAKE_QUERY_MAX_RESULT_BYTES, _MAX_ROW_BYTES, _BATCH_BYTES, _BUFFER_BYTES). */
export interface StreamLimits {
  /** Rendered result bytes in all (values' UTF-16 lengths); past it the run fails. */
  maxBytes: number;
  /** Wire bytes of one row; a larger row fails the run before it is read. */
  maxRowBytes: number;
  /** A batch is stored once it holds this many bytes, even with fewer than RESULT_BATCH_ROWS rows. */
  batchBytes: number;
  /** The process-wide budget of unstored result bytes, shared by every running statement. */
  buffer: ResultBuffer | null;
}

const NO_LIMITS: StreamLimits = {
  maxBytes: Number.POSITIVE_INFINITY,
  maxRowBytes: 2 ** 30,
  batchBytes: Number.POSITIVE_INFINITY,
  buffer: null,
};

export interface LakeStatementRun {
  statementSql: string;
  timeoutMs: number;
  limits: StreamLimits;
  /** application_name while it runs (cancelQuery matches it with the pid) */
  applicationName: string;
  /** run after the statement finished, within what is left of its timeout: one (scanned, matched, bytes) row */
  statisticsSql?: string;
}

/** What a finished statement read, measured (CompiledLakeQuery.statisticsSql). */
export interface MeasuredStatistics {
  eventsScanned: number;
  eventsMatched: number;
  bytesScanned: number;
}

export type RunOutcome =
  | { kind: 'finished'; rows: number; columns: string[]; measured?: MeasuredStatistics }
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
  const started = Date.now();
  const client = await reader.connect();
  let rows = 0;
  let broken: Error | undefined;
  try {
    if (!(await hooks.onStarted(backendPid(client)))) return { kind: 'cancelled', rows };
    const text = lakeStatementSql(run.statementSql, {
      timeoutMs: run.timeoutMs,
      defaultTimeoutMs: reader.defaultTimeoutMs,
      applicationName: run.applicationName,
    });
    const { columns } = await streamLakeStatement(
      client,
      text,
      async (batch, rendered) => {
        rows += rendered.length;
        await hooks.onBatch(batch, rendered);
      },
      run.limits,
    );
    let measured: MeasuredStatistics | undefined;
    const left = run.timeoutMs - (Date.now() - started);
    if (run.statisticsSql && left >= 1) {
      // The rows are all stored: a statistics statement that fails or runs out of time leaves the
      // query FINISHED (without measured statistics) and only discards the connection.
      const results = (await client
        .query(
          lakeStatementSql(run.statisticsSql, {
            timeoutMs: left,
            defaultTimeoutMs: reader.defaultTimeoutMs,
            applicationName: run.applicationName,
          }),
        )
        .catch((err: Error) => {
          broken = err;
          return [];
        })) as unknown as Array<{ rows: Array<Record<string, string>> }>;
      const row = results.find((r) => r.rows?.length === 1 && 'scanned' in r.rows[0])?.rows[0];
      if (row) measured = { eventsScanned: Number(row.scanned), eventsMatched: Number(row.matched), bytesScanned: Number(row.bytes) };
    }
    return { kind: 'finished', rows, columns, measured };
  } catch (err) {
    broken = err as Error;
    const e = err as { code?: string; message?: string };
    if (e.code === '57014') {
      return /statement timeout/.test(e.message ?? '') ? { kind: 'timed_out', rows, columns: [] } : { kind: 'cancelled', rows };
    }
    if (err instanceof ResultTooLargeError || err instanceof RowTooLargeError) return { kind: 'failed', rows, message: err.message };
    return { kind: 'failed', rows, message: e.message ?? 'The query failed.' };
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `text` (lakeStatementSql) as one execution (not a cursor: PostgreSQL plans cursors
 * without parallel workers), streaming the rows, rendered, to `onBatch` in batches of
 * RESULT_BATCH_ROWS rows or `batchBytes` bytes while they arrive. The statement timeout bounds
 * the whole run; `limits` bound its bytes: a row over `maxRowBytes` (seen in the protocol header,
 * before pg buffers it) or results over `maxBytes` close the connection (ending the statement on
 * the server, so the client must be released as broken) and fail the run. Reading pauses while
 * MAX_PENDING_BATCHES batches wait for `onBatch`, or while the process-wide buffer is full (the
 * partial batch is stored first, so every paused runner has something that will give bytes back).
 */
export function streamLakeStatement(
  client: PoolClient,
  text: string,
  onBatch: (batch: number, rows: Array<Array<string | null>>) => Promise<void>,
  limits: Partial<StreamLimits> = {},
): Promise<{ columns: string[] }> {
  const { maxBytes, maxRowBytes, batchBytes, buffer } = { ...NO_LIMITS, ...limits };
  // The socket of pg's connection: pausing it stops rows arriving (the server then waits on a full buffer).
  type Socket = {
    pause(): void;
    resume(): void;
    destroy(): void;
    on(e: 'data', l: (c: Buffer) => void): unknown;
    off(e: 'data', l: (c: Buffer) => void): unknown;
  };
  const socket = (client as unknown as { connection: { stream: Socket } }).connection.stream;
  return new Promise((resolve, reject) => {
    let rowsBuffered: Array<Array<string | null>> = [];
    let bytesBuffered = 0;
    let batch = 0;
    let types: number[] | null = null;
    let columns: string[] = [];
    let writing: Promise<void> = Promise.resolve();
    let failed: unknown = null;
    let pending = 0;
    let bytes = 0;
    let held = 0; // bytes of this statement counted in the process-wide buffer
    let ended: Error | null = null;
    let paused = false;
    const end = (err: Error) => {
      if (ended) return;
      ended = err;
      client.on('error', () => undefined); // the connection's end is ours: the query's rejection reports it
      socket.destroy();
    };
    const flow = () => {
      if (ended) return;
      const full = buffer?.full ?? false;
      // A runner that stops for the shared budget first hands its rows to the store, whose
      // completion gives bytes back: no two runners can wait on each other's unstored rows.
      if (full && pending === 0 && rowsBuffered.length > 0) return flush();
      const stop = pending >= MAX_PENDING_BATCHES || full;
      if (stop && !paused) socket.pause();
      else if (!stop && paused) socket.resume();
      paused = stop;
    };
    const stopRoom = buffer?.onRoom(flow) ?? (() => undefined);
    const stopGuard = watchRowSizes(socket, maxRowBytes, (n) => end(new RowTooLargeError(maxRowBytes, n)));
    const giveBack = (n: number) => {
      held -= n;
      buffer?.give(n);
    };
    const flush = (): void => {
      const rows = rowsBuffered;
      const size = bytesBuffered;
      const n = batch++;
      rowsBuffered = [];
      bytesBuffered = 0;
      pending++;
      // After a failed batch nothing more is stored, and the statement is ended: the stored
      // batches stay one unbroken run from the first (getQueryResults pages by batch number).
      writing = writing
        .then(() => (failed ? undefined : onBatch(n, rows)))
        .catch((err) => {
          if (failed) return;
          failed = err;
          end(err as Error);
        })
        .finally(() => {
          pending--;
          giveBack(size);
          flow();
        });
      flow();
    };
    const finish = (settle: () => void) => {
      stopGuard();
      stopRoom();
      void writing.then(() => {
        if (held > 0) giveBack(held);
        settle();
      });
    };
    // rowMode is a runtime option of pg's Query that its typings omit.
    const q = client.query(new Query({ text, rowMode: 'array', types: TEXT_TYPES } as ConstructorParameters<typeof Query>[0]));
    q.on('row', (row: Array<string | null>, result?: { fields: Array<{ name: string; dataTypeID: number }> }) => {
      if (!types) {
        types = result!.fields.map((f) => f.dataTypeID);
        columns = result!.fields.map((f) => f.name);
      }
      if (ended) return;
      const t = types;
      const rendered = row.map((v, i) => renderValue(v, t[i]));
      let size = 0;
      for (const v of rendered) size += v === null ? 4 : v.length + 2;
      bytes += size;
      if (bytes > maxBytes) return end(new ResultTooLargeError(maxBytes));
      rowsBuffered.push(rendered);
      bytesBuffered += size;
      held += size;
      buffer?.take(size);
      if (rowsBuffered.length === RESULT_BATCH_ROWS || bytesBuffered >= batchBytes) flush();
      else if (buffer?.full) flow();
    });
    q.on('error', (err: Error) => finish(() => reject(ended ?? failed ?? err)));
    q.on('end', () => {
      if (rowsBuffered.length && !ended) flush();
      finish(() => (failed ? reject(failed) : ended ? reject(ended) : resolve({ columns })));
    });
  });
}
