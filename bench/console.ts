/**
 * `node dist/bench/run.js console-bundle` (and `console`): the console's initial JS, gzipped: the entry chunk and every
 * chunk it imports statically (what a first visit downloads before the page runs), from the Vite
 * manifest of the build `npm run bench` just made. Baseline: all of the console's JS, lazy chunks
 * included (the Lake page's editor and charts load only when it opens).
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { consoleDistDir } from '../src/console/console.router';
import { fmt, type Row } from './lib/stats';

const BUDGET_KB = 400;

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
}

const gzippedKb = (dir: string, file: string) => gzipSync(fs.readFileSync(path.join(dir, file)), { level: 9 }).length / 1024;

export async function benchConsole(distDir = consoleDistDir()): Promise<Row[]> {
  const manifestFile = path.join(distDir, '.vite', 'manifest.json');
  if (!fs.existsSync(manifestFile)) throw new Error(`${manifestFile} is missing: run npm run build:console`);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, ManifestChunk>;
  const initial = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || initial.has(chunk.file)) return;
    initial.add(chunk.file);
    chunk.imports?.forEach(visit);
  };
  Object.entries(manifest)
    .filter(([, c]) => c.isEntry)
    .forEach(([key]) => visit(key));
  const allJs = [...new Set(Object.values(manifest).map((c) => c.file))].filter((f) => f.endsWith('.js'));
  const initialKb = [...initial].filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + gzippedKb(distDir, f), 0);
  const allKb = allJs.reduce((sum, f) => sum + gzippedKb(distDir, f), 0);
  return [
    {
      benchmark: 'console initial JS (gzip)',
      measured: `${fmt(initialKb, 1)} KB`,
      baseline: `${fmt(allKb, 1)} KB all JS`,
      ratio: fmt(initialKb / allKb, 2),
      target: `≤ ${BUDGET_KB} KB`,
    },
  ];
}
