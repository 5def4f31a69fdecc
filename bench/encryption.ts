import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { FsObjectStore } from '../src/storage/fs-object-store';
import { fmt, type Row } from './lib/stats';
import { syntheticEvent } from './lib/synthetic-events';

/**
 * Encryption at rest on the filesystem backend: writes and reads of log-file-sized gzip objects
 * with SSE (format v2, AES-256-GCM header and body) beside the same operations in the clear
 * (format v1), in one run. Scale with BENCH_ENCRYPTION_FILES (default 400 per variant).
 */
export async function benchEncryption(): Promise<Row[]> {
  const files = Number(process.env.BENCH_ENCRYPTION_FILES ?? 400);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-bench-sse-'));
  try {
    // A typical delivered file: a few hundred records, gzipped (~100-200 KB uncompressed).
    const records = Array.from({ length: 300 }, (_, i) => syntheticEvent('111122223333', 'us-east-1', new Date(), i));
    const body = gzipSync(Buffer.from(JSON.stringify({ Records: records })));
    const clear = new FsObjectStore(path.join(dir, 'clear'));
    const sse = new FsObjectStore(path.join(dir, 'sse'), randomBytes(32));
    const rows: Row[] = [];
    const results: Record<string, { write: number; read: number }> = {};
    for (const [name, store] of [
      ['clear', clear],
      ['sse', sse],
    ] as const) {
      await store.createBucket('bench');
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < files; i++)
        await store.putObject('bench', `AWSLogs/f${i}.json.gz`, body, { contentType: 'application/json', contentEncoding: 'gzip' });
      const t1 = process.hrtime.bigint();
      for (let i = 0; i < files; i++) await store.getObject('bench', `AWSLogs/f${i}.json.gz`);
      const t2 = process.hrtime.bigint();
      results[name] = { write: files / (Number(t1 - t0) / 1e9), read: files / (Number(t2 - t1) / 1e9) };
    }
    const kb = fmt(body.length / 1024, 1);
    for (const op of ['write', 'read'] as const) {
      rows.push({
        benchmark: `fs ${op}, ${kb} KiB gzip objects (files/s)`,
        measured: `${fmt(results.sse[op])} (SSE)`,
        baseline: `${fmt(results.clear[op])} (clear)`,
        ratio: fmt(results.sse[op] / results.clear[op], 2),
        target: 'none (cost of SSE, reported)',
      });
    }
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
