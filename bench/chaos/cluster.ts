import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { ensureDatabaseExists } from '../../src/db/database';
import { killProcess, startApp, startWorkerProcess, type AppProcess, type WorkerProcess } from '../lib/app-process';
import { freePort, PrivatePostgres, PrivateRedis } from '../lib/servers';
import { setImmutable } from './servers';

export type ProcessName = 'api' | 'workers';

export interface Death {
  process: ProcessName | 'api replica' | 'workers replica';
  at: Date;
  exit: string;
  /** The last lines the process wrote: why it died. */
  output: string;
}

export interface ClusterSettings {
  deliveryIntervalSeconds: number;
  digestIntervalSeconds: number;
  webhookTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One chaos environment: a private PostgreSQL and Redis, the compiled api and workers as two
 * processes (bench/lib/app-process.ts, as docker-compose.yml runs them), a data directory, all
 * under one temporary directory. A process that exits without the harness having killed it is a
 * death (recorded; the scenario fails) and is started again so the run can still count.
 */
export class Cluster {
  api: AppProcess | null = null;
  workers: WorkerProcess | null = null;
  /** A second api and a second workers process on the same database and Redis (the `replicas` scenario), while they run. */
  replicas: { api: AppProcess; workers: WorkerProcess } | null = null;
  private turn = 0;
  readonly deaths: Death[] = [];
  pool!: Pool;
  private readonly killedByHarness = new WeakSet<ChildProcess>();
  private stopping = false;
  private restarting = new Set<ProcessName>();

  private constructor(
    readonly root: string,
    readonly pg: PrivatePostgres,
    readonly redis: PrivateRedis,
    readonly apiPort: number,
    readonly replicaApiPort: number,
    readonly env: Record<string, string>,
  ) {}

  get dataDir(): string {
    return this.env.DATA_DIR!;
  }

  get databaseUrl(): string {
    return this.env.DATABASE_URL!;
  }

  /** The api a request goes to: with replicas running, the two apis in turn (as a load balancer would). */
  base = (): string => `http://127.0.0.1:${this.replicas && this.turn++ % 2 === 1 ? this.replicaApiPort : this.apiPort}`;

  /** Creates the servers and directories; `destroy()` removes them (also on failure or Ctrl-C). */
  static async create(settings: ClusterSettings, webhookHosts: string, onCreated: (c: Cluster) => void): Promise<Cluster> {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-chaos-'));
    const [pgPort, redisPort, apiPort, replicaApiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    // The private PostgreSQL runs as `postgres` when we are root: it must be able to reach its directory.
    fs.chmodSync(root, 0o755);
    const dataDir = path.join(root, 'data');
    fs.mkdirSync(dataDir, { mode: 0o700 });
    const env: Record<string, string> = {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/opentrail`,
      DATABASE_POOL_SIZE: '10',
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      REDIS_PREFIX: 'chaos',
      DATA_DIR: dataDir,
      HOST: '127.0.0.1',
      PORT: String(apiPort),
      LOG_LEVEL: 'warn',
      MASTER_KEY: randomBytes(32).toString('base64'),
      JWT_SECRET: randomBytes(32).toString('hex'),
      SESSION_TTL_SECONDS: '43200',
      INGEST_PARSER_THREADS: '1',
      DELIVERY_INTERVAL_SECONDS: String(settings.deliveryIntervalSeconds),
      DIGEST_INTERVAL_SECONDS: String(settings.digestIntervalSeconds),
      OUTBOX_SWEEP_INTERVAL_SECONDS: '2',
      INSIGHTS_INTERVAL_SECONDS: '3600',
      // The receiver runs on loopback, which the webhook SSRF policy must be told to allow.
      WEBHOOK_ALLOWED_HOSTS: webhookHosts,
      WEBHOOK_TIMEOUT_MS: String(settings.webhookTimeoutMs),
      WEBHOOK_BACKOFF_MS: '500',
    };
    const cluster = new Cluster(
      root,
      new PrivatePostgres(path.join(root, 'pg'), pgPort, { max_connections: '200' }),
      new PrivateRedis(redisPort),
      apiPort,
      replicaApiPort,
      env,
    );
    onCreated(cluster);
    await cluster.pg.init();
    await cluster.pg.start();
    await cluster.redis.start();
    await ensureDatabaseExists(env.DATABASE_URL!);
    cluster.pool = new Pool({ connectionString: env.DATABASE_URL, max: 3 });
    cluster.pool.on('error', () => undefined); // a PostgreSQL restart cuts idle connections
    // The api migrates and bootstraps on its first start; the workers start after it.
    await cluster.startProcess('api');
    await cluster.startProcess('workers');
    return cluster;
  }

  alive(name: ProcessName): boolean {
    const p = name === 'api' ? this.api : this.workers;
    return !!p && p.alive();
  }

  async startProcess(name: ProcessName): Promise<void> {
    const started = name === 'api' ? await startApp(this.env) : await startWorkerProcess(this.env);
    if (name === 'api') this.api = started as AppProcess;
    else this.workers = started;
    started.child.once('exit', (code, signal) => {
      if (this.killedByHarness.has(started.child) || this.stopping) return;
      this.deaths.push({
        process: name,
        at: new Date(),
        exit: signal ?? `code ${code}`,
        output: started.output().split('\n').slice(-40).join('\n'),
      });
      void this.restartAfterDeath(name);
    });
  }

  /**
   * Starts the second api (on replicaApiPort) and the second workers process. An exit the harness
   * did not cause is a death; replicas are not restarted (the scenario fails either way).
   */
  async startReplicas(): Promise<void> {
    const api = await startApp({ ...this.env, PORT: String(this.replicaApiPort) });
    let workers: WorkerProcess;
    try {
      workers = await startWorkerProcess(this.env);
    } catch (err) {
      this.killedByHarness.add(api.child);
      await killProcess(api.child);
      throw err;
    }
    this.replicas = { api, workers };
    for (const [name, p] of [
      ['api replica', api],
      ['workers replica', workers],
    ] as const) {
      p.child.once('exit', (code, signal) => {
        if (this.killedByHarness.has(p.child) || this.stopping) return;
        this.deaths.push({
          process: name,
          at: new Date(),
          exit: signal ?? `code ${code}`,
          output: p.output().split('\n').slice(-40).join('\n'),
        });
      });
    }
  }

  /** Both replicas still running (false when none were started). */
  replicasAlive(): boolean {
    return !!this.replicas && this.replicas.api.alive() && this.replicas.workers.alive();
  }

  /** SIGTERM to both replicas (a graceful scale-in), waiting until they are gone. */
  async stopReplicas(): Promise<void> {
    const r = this.replicas;
    this.replicas = null;
    if (!r) return;
    this.killedByHarness.add(r.api.child);
    this.killedByHarness.add(r.workers.child);
    await Promise.all([r.api.stop(), r.workers.stop()].map((p) => Promise.race([p, sleep(15_000)])));
  }

  /** Starts a dead process again (retrying while e.g. PostgreSQL is still down), for up to two minutes. */
  private async restartAfterDeath(name: ProcessName): Promise<void> {
    if (this.restarting.has(name)) return;
    this.restarting.add(name);
    const deadline = Date.now() + 120_000;
    try {
      while (!this.stopping && Date.now() < deadline) {
        await sleep(1000);
        try {
          await this.startProcess(name);
          return;
        } catch {
          // not yet (PostgreSQL or Redis still away): try again
        }
      }
    } finally {
      this.restarting.delete(name);
    }
  }

  /** kill -9 of a process, then (as a supervisor would) start it again at once. */
  async kill9(name: ProcessName): Promise<void> {
    const p = name === 'api' ? this.api : this.workers;
    if (p && this.alive(name)) {
      this.killedByHarness.add(p.child);
      await killProcess(p.child);
    }
    try {
      await this.startProcess(name);
    } catch (err) {
      // It would not come back: that is a failure of the scenario, and the supervisor keeps trying.
      this.deaths.push({
        process: name,
        at: new Date(),
        exit: 'failed to start after the kill',
        output: (err as Error).message.split('\n').slice(-40).join('\n'),
      });
      void this.restartAfterDeath(name);
    }
  }

  /** Waits until both processes run (after a death, the supervisor may still be restarting one). */
  async waitAlive(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.alive('api') && this.alive('workers')) return true;
      await sleep(250);
    }
    return false;
  }

  /** Graceful end of a run: SIGTERM to the processes, then the servers and files go. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      [this.api?.stop(), this.workers?.stop(), this.replicas?.api.stop(), this.replicas?.workers.stop()].map((p) =>
        Promise.race([p, sleep(15_000)]),
      ),
    );
    await this.pool?.end().catch(() => undefined);
    this.destroy();
  }

  /** Synchronous teardown, safe to call twice and from an exit handler: nothing is left running or on disk. */
  destroy(): void {
    this.stopping = true;
    for (const p of [this.api, this.workers, this.replicas?.api, this.replicas?.workers]) {
      if (p?.alive()) p.child.kill('SIGKILL');
    }
    this.redis.destroy();
    try {
      this.pg.destroy();
    } catch {
      // best effort: the directory removal below still runs
    }
    try {
      setImmutable(path.join(this.dataDir, 'objects'), false);
    } catch {
      // chattr missing or the tree is gone
    }
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}
