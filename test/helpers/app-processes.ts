import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config';

// The compiled entry points, run exactly as `npm start:api` and `npm start:workers` run them
// (`npm test` compiles to dist/ first).
const ROOT = path.join(__dirname, '..', '..');
const API = path.join(ROOT, 'dist', 'src', 'main.js');
const WORKERS = path.join(ROOT, 'dist', 'workers', 'main.js');

export interface ChildApp {
  child: ChildProcess;
  /** Everything the process wrote, stdout and stderr, in order. */
  output(): string;
  /** Still running (neither exited nor killed). */
  alive(): boolean;
  stop(): Promise<void>;
}

export interface ApiProcess extends ChildApp {
  baseUrl: string;
}

/** The environment a child needs to run against the same database, Redis prefix and data dir as `config`. */
export function childEnv(config: Config, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: config.databaseUrl,
    REDIS_URL: config.redisUrl,
    REDIS_PREFIX: config.redisPrefix,
    DATA_DIR: config.dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    DELIVERY_INTERVAL_SECONDS: String(config.deliveryIntervalSeconds),
    OUTBOX_SWEEP_INTERVAL_SECONDS: String(config.outboxSweepIntervalSeconds),
    LOG_LEVEL: config.logLevel,
    ...extra,
  };
}

function spawnChild(file: string, args: string[], env: Record<string, string>, readyWhen: RegExp, what: string): Promise<{ app: ChildApp; match: RegExpExecArray }> {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run the tests with \`npm test\` (it compiles with tsc first) or run \`npx tsc -p tsconfig.json\` once`);
  const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const app: ChildApp = {
    child,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (!app.alive()) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = readyWhen.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ app, match });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${child.signalCode ?? child.exitCode}) before it was ready:\n${out}`));
    });
  });
}

/** The api process (`dist/src/main.js`), resolved once it listens. */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const { app, match } = await spawnChild(API, [], env, /OpenTrail GraphQL API: (http:\/\/\S+)\/graphql/, 'api');
  return { ...app, baseUrl: match[1] };
}

/** The workers process (`dist/workers/main.js`), resolved once its queues run. */
export async function startWorkersProcess(env: Record<string, string>): Promise<ChildApp> {
  // "workers started" is an info line: the level is raised to info for this process alone.
  const { app } = await spawnChild(WORKERS, [], { ...env, LOG_LEVEL: 'info' }, /workers started/, 'workers');
  return app;
}
