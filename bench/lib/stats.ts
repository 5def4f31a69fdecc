/** Small measurement helpers shared by the benchmarks. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export function summarize(samplesMs: number[]): { p50: number; p99: number; n: number } {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
}

export interface Row {
  benchmark: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
}

export function printTable(rows: Row[]): void {
  const headers: Row = { benchmark: 'benchmark', measured: 'measured', baseline: 'baseline (same run)', ratio: 'ratio', target: 'target' };
  const all = [headers, ...rows];
  const keys = Object.keys(headers) as (keyof Row)[];
  const widths = keys.map((k) => Math.max(...all.map((r) => r[k].length)));
  const line = (r: Row) => '| ' + keys.map((k, i) => r[k].padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(headers));
  console.log('| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |');
  for (const r of rows) console.log(line(r));
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
