import type { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { startThread } from '../common/threads';
import { type IngestParseOptions, type ParsedChunk, parseIngestChunk } from './ingest-parser';
import type { ParseTask } from './ingest-parser.worker';

interface Pending {
  /** The caller's bytes (never transferred): what a replacement thread parses again. */
  bytes: Uint8Array;
  opts: IngestParseOptions;
  /** Already handed to a replacement once. */
  retried: boolean;
  resolve(result: ParsedChunk): void;
  reject(err: Error): void;
}

interface Thread {
  worker: Worker;
  tasks: Map<number, Pending>;
}

/**
 * The ingest parser threads (INGEST_PARSER_THREADS): JSON parsing, validation and COPY
 * formatting of /ingest bodies run here, so the request thread only moves bytes and talks to
 * PostgreSQL. Threads start on first use. The chunks a dying thread held are parsed again by its
 * replacement (parsing is pure), so a crash does not fail requests half-written; a chunk whose
 * second thread dies too is refused. With no threads, chunks are parsed on the calling thread.
 */
export class IngestParserPool {
  private readonly threads: Thread[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly logger: Logger,
  ) {}

  /** Threads running now (they start on first use). */
  get running(): number {
    return this.threads.length;
  }

  parse(bytes: Uint8Array, opts: IngestParseOptions): Promise<ParsedChunk> {
    if (this.size === 0) return new Promise((resolve) => resolve(parseIngestChunk(bytes, opts)));
    return new Promise<ParsedChunk>((resolve, reject) => this.dispatch({ bytes, opts, retried: false, resolve, reject }));
  }

  private dispatch(pending: Pending): void {
    if (this.closed) return pending.reject(new Error('the ingest parser pool is closed'));
    const thread = this.leastBusy();
    const id = this.nextId++;
    // The chunk is copied into memory of its own so it can be transferred: the caller's bytes may
    // be a view of a larger (or shared) buffer, and are kept for a retry.
    const own = new Uint8Array(pending.bytes.byteLength);
    own.set(pending.bytes);
    thread.tasks.set(id, pending);
    const task: ParseTask = { id, bytes: own, opts: pending.opts };
    thread.worker.postMessage(task, [own.buffer]);
  }

  private leastBusy(): Thread {
    if (this.threads.length < this.size) return this.start();
    let best = this.threads[0];
    for (const t of this.threads) if (t.tasks.size < best.tasks.size) best = t;
    return best;
  }

  private start(): Thread {
    const worker = startThread(__filename, 'ingest-parser.worker');
    const thread: Thread = { worker, tasks: new Map() };
    const fail = (err: Error) => {
      const index = this.threads.indexOf(thread);
      if (index !== -1) this.threads.splice(index, 1);
      const held = [...thread.tasks.values()];
      thread.tasks.clear();
      for (const pending of held) {
        if (pending.retried) {
          pending.reject(err);
        } else {
          pending.retried = true;
          this.dispatch(pending);
        }
      }
    };
    worker.on('message', (message: { id: number; result?: ParsedChunk; error?: string }) => {
      const pending = thread.tasks.get(message.id);
      if (!pending) return;
      thread.tasks.delete(message.id);
      if (message.result) pending.resolve(message.result);
      else pending.reject(new Error(`ingest parser thread: ${message.error}`));
    });
    worker.on('error', (err) => {
      this.logger.error({ err }, 'an ingest parser thread failed');
      fail(err);
    });
    worker.on('exit', (code) => fail(new Error(`an ingest parser thread exited (code ${code})`)));
    worker.unref(); // idle threads never keep the process alive; close() ends them
    this.threads.push(thread);
    return thread;
  }

  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }
}
