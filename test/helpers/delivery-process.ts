import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../../src/config';

/** The compiled worker script (test/helpers/delivery-child.ts); `npm test` compiles it first. */
export const DELIVERY_CHILD = path.resolve(__dirname, '../../dist/test/helpers/delivery-child.js');

export function requireCompiledChild(): void {
  if (!fs.existsSync(DELIVERY_CHILD)) {
    throw new Error(`${DELIVERY_CHILD} is missing: run the tests with \`npm test\` (it compiles with tsc first) or run \`npx tsc -p tsconfig.json\` once`);
  }
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Resolves with the exit signal/code when the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Starts the workers in a child process on the test's database, Redis and data dir. */
export async function startWorkerProcess(config: Config, extraEnv: Record<string, string> = {}): Promise<WorkerProcess> {
  requireCompiledChild();
  const child = spawn(process.execPath, [DELIVERY_CHILD], {
    env: {
      ...process.env,
      DATABASE_URL: config.databaseUrl,
      REDIS_URL: config.redisUrl,
      REDIS_PREFIX: config.redisPrefix,
      DATA_DIR: config.dataDir,
      DELIVERY_INTERVAL_SECONDS: String(config.deliveryIntervalSeconds),
      OUTBOX_SWEEP_INTERVAL_SECONDS: String(config.outboxSweepIntervalSeconds),
      LOG_LEVEL: 'error',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('READY') && resolve());
    void exited.then((e) => reject(new Error(`worker process ended before READY (${e.signal ?? e.code}): ${err}`)));
  });
  return { child, exited, stderr: () => err };
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A private redis-server child with an append-only file in `dir`, so a restart keeps its data. */
export async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('Ready to accept connections') && resolve());
    child.on('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return child;
}

export async function killProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
