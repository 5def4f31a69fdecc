import fs from 'node:fs';
import path from 'node:path';

/**
 * The checkout (or installed tree) a file belongs to: the nearest directory above `from` with a
 * package.json. Code runs from src/ under ts-jest and from dist/src/ once built, so paths to
 * build output or to bench/ are taken from here, not from __dirname.
 */
export function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return process.cwd();
  }
}
