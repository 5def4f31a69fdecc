import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface AppProcess {
  child: ChildProcess;
  url: string;
  base: string;
  stop(): Promise<void>;
}

const MAIN = path.join(__dirname, '..', '..', 'src', 'main.js');
const WORKERS = path.join(__dirname, '..', '..', 'workers', 'main.js');

/** Starts the compiled api (optionally pinned to CPU cores with taskset) and waits until it listens. */
export function startApp(env: Record<string, string>, opts: { withWorkers?: boolean; cpus?: string } = {}): Promise<AppProcess> {
  // BENCH_API_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the api itself.
  const nodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const args = [...nodeArgs, MAIN, ...(opts.withWorkers ? ['--with-workers'] : [])];
  const child = opts.cpus
    ? spawn('taskset', ['-c', opts.cpus, process.execPath, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = /OpenTrail GraphQL API: (http:\/\/\S+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({
        child,
        url: match[1],
        base: match[1].replace(/\/graphql$/, ''),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.on('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.on('exit', (code) => reject(new Error(`api exited with ${code}:\n${out}`)));
  });
}

/** Starts the compiled workers as their own process (as docker-compose runs them) and waits until they run. */
export function startWorkerProcess(env: Record<string, string>): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.execPath, [WORKERS], { env: { ...process.env, ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`workers did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      if (!out.includes('workers started')) return;
      clearTimeout(timer);
      resolve({
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.on('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
    child.on('exit', (code) => reject(new Error(`workers exited with ${code}:\n${out}`)));
  });
}
