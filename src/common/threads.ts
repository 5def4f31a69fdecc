import path from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Runs a compiled worker module (`dist/…/x.js`) in a thread as it is. Running from TypeScript
 * sources (the tests, through ts-jest) there is no .js file: the thread then transpiles the
 * module and its imports with TypeScript itself (a dev dependency) as it requires them.
 */
const FROM_SOURCES = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const ts = require('typescript');
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true },
  });
  module._compile(outputText, filename);
};
require(workerData.entry);
`;

/** Starts `entry` (a module path without extension, next to the caller's own file) in a thread. */
export function startThread(callerFile: string, entry: string): Worker {
  const file = path.join(path.dirname(callerFile), `${entry}${path.extname(callerFile)}`);
  return file.endsWith('.ts') ? new Worker(FROM_SOURCES, { eval: true, workerData: { entry: file } }) : new Worker(file);
}
