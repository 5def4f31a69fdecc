/**
 * BENCH_PROFILE_SQL=1: wall time spent in each statement shape (first 70 characters of its SQL),
 * summed over every pg client of the process — where a benchmark's time goes in PostgreSQL.
 */
import { Client } from 'pg';

interface Entry {
  calls: number;
  ms: number;
  rows: number;
}

export function profileSql(): { report(top?: number): string } {
  const stats = new Map<string, Entry>();
  const original = Client.prototype.query as (...args: unknown[]) => unknown;
  (Client.prototype as unknown as { query: unknown }).query = function (this: Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : first?.text;
    const result = original.apply(this, args);
    if (!text || typeof (result as Promise<unknown>)?.then !== 'function') return result;
    const key = text.replace(/\s+/g, ' ').trim().slice(0, 70);
    const started = process.hrtime.bigint();
    const done = (r: unknown) => {
      const e = stats.get(key) ?? { calls: 0, ms: 0, rows: 0 };
      e.calls++;
      e.ms += Number(process.hrtime.bigint() - started) / 1e6;
      e.rows += (r as { rowCount?: number } | undefined)?.rowCount ?? 0;
      stats.set(key, e);
    };
    (result as Promise<unknown>).then(done, () => done(undefined));
    return result;
  };
  return {
    report(top = 20) {
      const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top);
      return rows
        .map(([k, e]) => `${e.ms.toFixed(0).padStart(8)} ms ${String(e.calls).padStart(6)} calls ${String(e.rows).padStart(8)} rows  ${k}`)
        .join('\n');
    },
  };
}
