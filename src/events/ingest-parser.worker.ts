import { parentPort } from 'node:worker_threads';
import { type IngestParseOptions, parseIngestChunk } from './ingest-parser';

/** A parser thread of POST /ingest (ingest-parser-pool.ts): chunks in, COPY text out, transferred. */
export interface ParseTask {
  id: number;
  bytes: Uint8Array;
  opts: IngestParseOptions;
}

parentPort!.on('message', (task: ParseTask) => {
  try {
    const result = parseIngestChunk(task.bytes, task.opts);
    parentPort!.postMessage(
      { id: task.id, result },
      result.parts.map((p) => p.copyText.buffer as ArrayBuffer),
    );
  } catch (err) {
    parentPort!.postMessage({ id: task.id, error: (err as Error).message });
  }
});
