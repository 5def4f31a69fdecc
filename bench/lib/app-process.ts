import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface AppProcess {
  child: ChildProcess;
  url: string;
  base: string;
  /** The newest output of the process (stdout and stderr, last 64 KB): what a crash report quotes. */
  output(): string;
  stop(): Promise<void>;
}

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const MAIN = path.join(__dirname, '..', '..', 'src', 'main.js');
const WORKERS = path.join(__dirname, '..', '..', 'workers', 'main.js');
/** Output kept per process: a long run (the chaos suite's workers log at info) must not grow without bound. */
const OUTPUT_TAIL = 64 * 1024;

function tail(child: ChildProcess): () => string {
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString();
    if (out.length > 2 * OUTPUT_TAIL) out = out.slice(-OUTPUT_TAIL);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return () => out.slice(-OUTPUT_TAIL);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.on('exit', () => done());
      child.kill('SIGTERM');
    });
}

/** Starts the compiled api (optionally pinned to CPU cores with taskset) and waits until it listens. */
export function startApp(env: Record<string, string>, opts: { withWorkers?: boolean; cpus?: string } = {}): Promise<AppProcess> {
  // BENCH_API_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the api itself.
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, MAIN, ...(opts.withWorkers ? ['--with-workers'] : [])];
  const child = opts.cpus
    ? spawn('taskset', ['-c', opts.cpus, process.execPath, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = tail(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api did not start:\n${output()}`)), 60_000);
    const onData = () => {
      const match = /OpenTrail GraphQL API: (http:\/\/\S+)/.exec(output());
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({ child, url: match[1], base: match[1].replace(/\/graphql$/, ''), output, stop: stopper(child) });
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`api exited with ${signal ?? code}:\n${output()}`));
    });
  });
}

/** Starts the compiled workers as their own process (as docker-compose runs them) and waits until they run. */
export function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [WORKERS], { env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = tail(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`workers did not start:\n${output()}`)), 60_000);
    const onData = () => {
      if (!output().includes('workers started')) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({ child, output, stop: stopper(child) });
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`workers exited with ${signal ?? code}:\n${output()}`));
    });
  });
}
