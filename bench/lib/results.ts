/**
 * Every run's table is kept as JSON (`bench/results/<date>-<time>.json`), so a later run can be
 * read against it: `npm run bench -- --compare bench/results/2026-12-02-101500.json` prints each
 * row's figure now beside the earlier one, matched by benchmark name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/common/project-root';
import type { Row } from './stats';

/** bench/results of the checkout, whether this runs from bench/ or from dist/bench/. */
export const RESULTS_DIR = path.join(projectRoot(__dirname), 'bench', 'results');

export interface BenchResults {
  startedAt: string;
  machine: { cores: number; memoryGiB: number; node: string; platform: string };
  env: Record<string, string>;
  rows: Row[];
}

/** The first number in a formatted figure ("19,768 events/s" → 19768; "n/a" → null). */
export function figureOf(text: string): number | null {
  const m = /-?\d[\d,]*(\.\d+)?/.exec(text);
  return m ? Number(m[0].replace(/,/g, '')) : null;
}

export function writeResults(rows: Row[], startedAt: Date, dir = RESULTS_DIR): string {
  const stamp = startedAt
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace('T', '-')
    .replace(/:/g, '');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_')) as Array<[string, string]>);
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    machine: {
      cores: os.cpus().length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    env,
    rows,
  };
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stamp}.json`);
  fs.writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  return file;
}

export function readResults(file: string): BenchResults {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}. Earlier runs are in ${RESULTS_DIR}.`);
  }
  const parsed = JSON.parse(text) as BenchResults;
  if (!Array.isArray(parsed.rows)) throw new Error(`${file} is not a benchmark results file (no "rows").`);
  return parsed;
}

export interface Comparison {
  benchmark: string;
  earlier: string;
  now: string;
  ratio: string;
}

/** A benchmark's name without the figures some names carry ("42.6 KiB objects" → "# KiB objects"). */
const shapeOf = (name: string) => name.replace(/\d[\d,.]*/g, '#');

/**
 * Rows of `now` beside the rows of the same name in `earlier` (or, failing that, of the same name
 * up to the figures in it); rows only one run has show "—".
 */
export function compareResults(earlier: Row[], now: Row[]): Comparison[] {
  const before = new Map(earlier.map((r) => [r.benchmark, r]));
  const take = (name: string): Row | undefined => {
    let old = before.get(name);
    if (!old) old = [...before.values()].find((r) => shapeOf(r.benchmark) === shapeOf(name));
    if (old) before.delete(old.benchmark);
    return old;
  };
  const out: Comparison[] = now.map((r) => {
    const old = take(r.benchmark);
    const a = old ? figureOf(old.measured) : null;
    const b = figureOf(r.measured);
    return {
      benchmark: r.benchmark,
      earlier: old?.measured ?? '—',
      now: r.measured,
      ratio: a && b !== null ? `${(b / a).toFixed(2)}x` : '—',
    };
  });
  for (const old of before.values()) out.push({ benchmark: old.benchmark, earlier: old.measured, now: '—', ratio: '—' });
  return out;
}

export function printComparison(rows: Comparison[], earlierLabel: string): void {
  const headers: Comparison = { benchmark: 'benchmark', earlier: `earlier (${earlierLabel})`, now: 'now', ratio: 'now / earlier' };
  const keys = Object.keys(headers) as (keyof Comparison)[];
  const widths = keys.map((k) => Math.max(...[headers, ...rows].map((r) => r[k].length)));
  const line = (r: Comparison) => '| ' + keys.map((k, i) => r[k].padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(headers));
  console.log('| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |');
  for (const r of rows) console.log(line(r));
}
