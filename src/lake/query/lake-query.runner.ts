import { Client, Query } from 'pg';
import { TEXT_TYPES, renderValue } from './lake-query.values';

/** Rows fetched from the cursor per round trip, and stored per `lake_query_results` batch. */
export const RESULT_BATCH_ROWS = 1000;

/** The role a Lake statement runs as: SELECT on lake_events only, rows of the named stores only. */
export const LAKE_READER_ROLE = 'opentrail_lake_reader';

export interface LakeStatementRun {
  statementSql: string;
  storeIds: string[];
  timeoutMs: number;
  /** application_name of the dedicated connection (cancelQuery matches it with the pid) */
  applicationName: string;
}

export type RunOutcome =
  | { kind: 'finished'; rows: number; columns: string[] }
  | { kind: 'timed_out'; rows: number; columns: string[] }
  | { kind: 'cancelled'; rows: number }
  | { kind: 'failed'; rows: number; message: string };

/**
 * The walls around a compiled Lake statement, set up by this code before any of it runs
 * (openLakeTransaction, or the head of streamLakeStatement's single round trip):
 * a READ ONLY transaction, the statement timeout, UTC, the store ids row-level security admits,
 * and finally `SET LOCAL ROLE opentrail_lake_reader` — the statement itself can do none of that
 * (the compiler admits one SELECT and only allow-listed functions; no SET, no set_config).
 */
export async function openLakeTransaction(client: Pick<Client, 'query'>, storeIds: string[], timeoutMs: number): Promise<void> {
  await client.query(lakeTransactionSql(storeIds, timeoutMs));
}

/**
 * The statements that open the walls, as one simple-protocol string (one round trip). A simple
 * query cannot take parameters, so the values are checked against their exact formats before
 * they are written into it. SET statements return no rows, so a statement may follow in the
 * same string (streamLakeStatement).
 */
export function lakeTransactionSql(storeIds: string[], timeoutMs: number): string {
  const timeout = Math.max(1, Math.floor(timeoutMs));
  if (!Number.isSafeInteger(timeout)) throw new Error('lake query: bad timeout');
  if (storeIds.length === 0) throw new Error('lake query: no store');
  for (const id of storeIds) if (!STORE_ID.test(id)) throw new Error('lake query: malformed store id');
  return `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;
    SET LOCAL statement_timeout = ${timeout}; SET LOCAL TimeZone = 'UTC';
    SET LOCAL opentrail.lake_query_stores = '${storeIds.join(',')}';
    SET LOCAL standard_conforming_strings = on; SET LOCAL search_path = pg_catalog;
    SET LOCAL ROLE ${LAKE_READER_ROLE}`;
}

const STORE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Runs one statement on its own connection (so that its backend pid belongs to this query alone
 * and cancelQuery can pg_cancel_backend it from any process) and hands each batch of rendered
 * rows to `onBatch`. `onStarted` gets the backend pid before the statement starts; returning
 * false there stops the run as cancelled; later, cancelQuery cancels the statement itself.
 */
export async function runLakeStatement(
  databaseUrl: string,
  run: LakeStatementRun,
  hooks: {
    onStarted(pid: number): Promise<boolean>;
    onBatch(batch: number, rows: Array<Array<string | null>>): Promise<void>;
  },
): Promise<RunOutcome> {
  const client = new Client({ connectionString: databaseUrl, application_name: run.applicationName, types: TEXT_TYPES });
  client.on('error', () => undefined);
  await client.connect();
  let rows = 0;
  try {
    const pid = Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
    if (!(await hooks.onStarted(pid))) return { kind: 'cancelled', rows };
    const { columns } = await streamLakeStatement(client, { storeIds: run.storeIds, timeoutMs: run.timeoutMs }, run.statementSql, async (batch, rendered) => {
      rows += rendered.length;
      await hooks.onBatch(batch, rendered);
    });
    return { kind: 'finished', rows, columns };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === '57014') {
      return /statement timeout/.test(e.message ?? '') ? { kind: 'timed_out', rows, columns: [] } : { kind: 'cancelled', rows };
    }
    return { kind: 'failed', rows, message: e.message ?? 'The query failed.' };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Opens the walls, runs the statement to completion as one execution and commits, in one round
 * trip (not a cursor: PostgreSQL plans cursors without parallel workers), streaming the rows,
 * rendered, to `onBatch` in batches of RESULT_BATCH_ROWS while they arrive. The statement timeout
 * bounds the whole run. On error the transaction is left aborted: roll back or close.
 */
export function streamLakeStatement(
  client: Client,
  walls: { storeIds: string[]; timeoutMs: number },
  sql: string,
  onBatch: (batch: number, rows: Array<Array<string | null>>) => Promise<void>,
): Promise<{ columns: string[] }> {
  return new Promise((resolve, reject) => {
    let buffer: Array<Array<string | null>> = [];
    let batch = 0;
    let types: number[] | null = null;
    let columns: string[] = [];
    let writing: Promise<void> = Promise.resolve();
    let failed: unknown = null;
    const flush = () => {
      const rows = buffer;
      const n = batch++;
      buffer = [];
      writing = writing.then(() => onBatch(n, rows)).catch((err) => { failed ??= err; });
    };
    // rowMode is a runtime option of pg's Query that its typings omit.
    const text = `${lakeTransactionSql(walls.storeIds, walls.timeoutMs)};\n${sql};\nCOMMIT`;
    const q = client.query(new Query({ text, rowMode: 'array', types: TEXT_TYPES } as ConstructorParameters<typeof Query>[0]));
    q.on('row', (row: Array<string | null>, result?: { fields: Array<{ name: string; dataTypeID: number }> }) => {
      if (!types) {
        types = result!.fields.map((f) => f.dataTypeID);
        columns = result!.fields.map((f) => f.name);
      }
      const t = types;
      buffer.push(row.map((v, i) => renderValue(v, t[i])));
      if (buffer.length === RESULT_BATCH_ROWS) flush();
    });
    q.on('error', (err: Error) => { void writing.then(() => reject(err)); });
    q.on('end', () => {
      if (buffer.length) flush();
      void writing.then(() => (failed ? reject(failed) : resolve({ columns })));
    });
  });
}
