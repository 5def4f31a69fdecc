import fs from 'node:fs';
import path from 'node:path';
import type { JobQueues } from '../../src/jobs/job-queues';
import { QUEUE_NAMES, QUEUES, type QueueJob } from '../../src/jobs/queues';
import { checkHandlers } from '../../workers/handler-registry';

const ROOT = path.resolve(__dirname, '../..');
const SRC = path.join(ROOT, 'src');
const WORKERS = path.join(ROOT, 'workers');
/** The api process entry: `--with-workers` runs the workers in-process, so it starts them. */
const ENTRY = path.join(SRC, 'main.ts');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative module specifiers of static imports, re-exports, dynamic imports and requires. */
function relativeImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.[^'"]+)['"]/gm)) found.push(m[1]);
  return found;
}

describe('one way to enqueue', () => {
  it('src/ never imports workers/ (only the process entry starts them)', () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(SRC)) {
      if (file === ENTRY) continue;
      for (const spec of relativeImports(file)) {
        const target = path.resolve(path.dirname(file), spec);
        if (target === WORKERS || target.startsWith(WORKERS + path.sep)) offenders.push(`${path.relative(ROOT, file)} → ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('only src/jobs creates BullMQ producers or adds jobs in bulk', () => {
    const offenders = sourceFiles(SRC)
      .filter((f) => !f.startsWith(path.join(SRC, 'jobs') + path.sep))
      .filter((f) => /\bnew Queue\(|\.addBulk\(|\bimport\s*\{[^}]*\bQueue\b[^}]*\}\s*from\s*'bullmq'/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it('the relative-import scan sees the imports it must judge', () => {
    // Guards the scan above against a regex that silently matches nothing.
    expect(relativeImports(path.join(SRC, 'events', 'outbox.service.ts'))).toContain('../jobs/queues');
    expect(relativeImports(ENTRY)).toContain('../workers/main');
  });
});

describe('checkHandlers', () => {
  const all = QUEUE_NAMES.map((q) => [q, () => undefined] as [string, unknown]);

  it('accepts exactly one handler per queue', () => {
    expect(() => checkHandlers(all)).not.toThrow();
  });

  it('refuses a queue without a handler, a queue with two, and an unknown queue', () => {
    const list = all.filter(([q]) => q !== QUEUES.digest);
    list.push([QUEUES.webhook, () => undefined], ['no-such-queue', () => undefined]);
    expect(() => checkHandlers(list)).toThrow(
      'Worker registry is inconsistent: queue webhook has 2 handlers; queue digest has 0 handlers; handler for unknown queue no-such-queue',
    );
  });
});

/**
 * Compile-time checks (npm test type-checks test/): a payload that does not fit its job, or a
 * job a queue does not declare, is a type error; a worker's `job.name` narrows `job.data`.
 */
export function typeChecks(jobs: JobQueues, delivery: QueueJob<'delivery'>): void {
  void jobs.enqueue(QUEUES.lakeImport, 'run', { importId: 'x' });
  // @ts-expect-error lake-import has no job named deliver
  void jobs.enqueue(QUEUES.lakeImport, 'deliver', { importId: 'x' });
  // @ts-expect-error a Lake query job carries a queryId, not an importId
  void jobs.enqueue(QUEUES.lakeQuery, 'run', { importId: 'x' });
  // @ts-expect-error the repeatable ticks are the scheduler's, never enqueued
  void jobs.enqueue(QUEUES.retention, 'retention', {});
  // @ts-expect-error reading a queue gives no way to add to it
  void jobs.queue(QUEUES.webhook).add('deliver', {});
  if (delivery.name === 'deliver-group') {
    const trailId: string = delivery.data.trailId;
    void trailId;
  } else {
    // @ts-expect-error the tick carries no group
    void delivery.data.trailId.length;
  }
}
