import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface ChildApp {
  child: ChildProcess;
  /** Resolves with the exit code/signal when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The newest output of the process (stdout and stderr in order, the last `keepOutput` characters): what a crash report quotes. */
  output(): string;
  /** Still running (neither exited nor killed). */
  alive(): boolean;
  /** SIGTERM (SIGKILL after 15 s); resolves once the process is gone. */
  stop(): Promise<void>;
}

export interface AppProcess extends ChildApp {
  /** The GraphQL endpoint. */
  url: string;
  /** The server's root (`url` without /graphql). */
  base: string;
}

export type WorkerProcess = ChildApp;

export interface ChildOptions {
  /**
   * Output kept per process, in characters (default 64 KB): a long run (the chaos suite's workers
   * log at info) must not grow without bound. Infinity keeps everything, for tests that read every line.
   */
  keepOutput?: number;
}

// The compiled entry points (`tsc` emits dist/): compiled, this file is dist/bench/lib/app-process.js;
// under ts-jest it is bench/lib/app-process.ts.
const DIST = path.extname(__filename) === '.ts' ? path.join(__dirname, '..', '..', 'dist') : path.join(__dirname, '..', '..');
const MAIN = path.join(DIST, 'src', 'main.js');
const WORKERS = path.join(DIST, 'workers', 'main.js');
const OUTPUT_TAIL = 64 * 1024;

/** Throws a helpful error when a compiled script is missing. */
export function requireCompiled(script: string): void {
  if (!fs.existsSync(script))
    throw new Error(`${script} is missing: run \`npx tsc -p tsconfig.json\` once (\`npm test\` compiles with tsc first)`);
}

/** kill -9, waiting until the process is gone. */
export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/**
 * Runs a compiled Node script as a child process (optionally pinned to CPU cores with taskset) and
 * resolves once its output matches `readyWhen`; rejects if it exits first or is not ready within 60 s.
 */
export async function startNodeProcess(
  script: string,
  env: Record<string, string>,
  readyWhen: RegExp,
  what: string,
  opts: ChildOptions & { args?: string[]; nodeArgs?: string[]; cpus?: string } = {},
): Promise<{ proc: ChildApp; match: RegExpExecArray }> {
  requireCompiled(script);
  const keep = opts.keepOutput ?? OUTPUT_TAIL;
  const args = [...(opts.nodeArgs ?? []), script, ...(opts.args ?? [])];
  const options = { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'] };
  const child = opts.cpus
    ? spawn('taskset', ['-c', opts.cpus, process.execPath, ...args], options)
    : spawn(process.execPath, args, options);
  let out = '';
  const append = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2 * keep) out = out.slice(-keep);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const output = () => (out.length > keep ? out.slice(-keep) : out);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const alive = () => child.exitCode === null && child.signalCode === null;
  const proc: ChildApp = {
    child,
    exited,
    output,
    alive,
    async stop() {
      if (!alive()) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 60 s:\n${output()}`)), 60_000);
    const onData = () => {
      const match = readyWhen.exec(output());
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ proc, match });
    };
    child.stdout.on('data', onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${signal ?? code}) before it was ready:\n${output()}`));
    });
  });
}

/** Starts the compiled api (`dist/src/main.js`, optionally pinned to CPU cores with taskset) and waits until it listens. */
export async function startApp(
  env: Record<string, string>,
  opts: ChildOptions & { withWorkers?: boolean; cpus?: string } = {},
): Promise<AppProcess> {
  // BENCH_API_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the api itself.
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const { proc, match } = await startNodeProcess(MAIN, env, /OpenTrail GraphQL API: (http:\/\/\S+)\/graphql/, 'api', {
    ...opts,
    nodeArgs,
    args: opts.withWorkers ? ['--with-workers'] : [],
  });
  return { ...proc, url: `${match[1]}/graphql`, base: match[1] };
}

/** Starts the compiled workers (`dist/workers/main.js`) as their own process (as docker-compose runs them) and waits until they run. */
export async function startWorkerProcess(env: Record<string, string>, opts: ChildOptions = {}): Promise<WorkerProcess> {
  // "workers started" is an info line: the level is raised to info for this process alone.
  const { proc } = await startNodeProcess(WORKERS, { ...env, LOG_LEVEL: 'info' }, /workers started/, 'workers', opts);
  return proc;
}
