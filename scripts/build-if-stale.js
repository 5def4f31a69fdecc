#!/usr/bin/env node
'use strict';
// `npm start`: builds only when a source is newer than the last build, so starting a built tree
// takes no build time. `npm run build` always builds, and its postbuild step writes the stamp.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
const INPUTS = ['src', 'workers', 'bench', 'console', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
const SKIP = new Set(['node_modules', 'dist', 'results']);

/** The newest modification time under `entry` (a file or a folder), in ms. */
function newest(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const name of fs.readdirSync(entry)) {
    if (!SKIP.has(name)) latest = Math.max(latest, newest(path.join(entry, name)));
  }
  return latest;
}

const built = fs.existsSync(STAMP) ? fs.statSync(STAMP).mtimeMs : 0;
const changed = Math.max(...INPUTS.map((input) => newest(path.join(ROOT, input))));
if (built >= changed) process.exit(0);

console.error(built ? 'Sources changed since the last build: building.' : 'No build yet: building.');
const started = Date.now();
const result = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
console.error(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
