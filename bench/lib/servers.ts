import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { killProcess } from './app-process';

/**
 * Private PostgreSQL and Redis servers for benchmarks and tests that stop, crash or empty them:
 * never the shared ones. `destroy()` is synchronous, so it also runs from an `exit` handler
 * (Ctrl-C cleanup).
 */

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The newest PostgreSQL installed under /usr/lib/postgresql/<major>/bin. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'bin', 'initdb'))) : [];
  if (majors.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}/*/bin`);
  return path.join(root, majors.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

/** initdb and the server refuse to run as root: they run as the `postgres` user when we are root. */
function serverUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root needs a `postgres` user to run the private PostgreSQL server');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * A PostgreSQL server of its own in `dir` (data directory, socket, log) on `port`. fsync is off:
 * an immediate stop is a crash of the server, not of the OS, so its writes are still in the page
 * cache and crash recovery replays the WAL exactly as after a real crash. `settings` are further
 * `-c` server settings.
 */
export class PrivatePostgres {
  private readonly bin = postgresBin();
  private readonly user = serverUser();
  readonly dataDir: string;

  constructor(
    readonly dir: string,
    readonly port: number,
    private readonly settings: Record<string, string> = {},
  ) {
    this.dataDir = path.join(dir, 'pgdata');
  }

  /** A connection URL for `database` on this server (the server's own without one). */
  url(database = ''): string {
    return `postgres://postgres@127.0.0.1:${this.port}${database ? `/${database}` : ''}`;
  }

  private run(tool: string, args: string[], timeoutMs = 90_000): void {
    execFileSync(path.join(this.bin, tool), args, { ...this.user, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, cwd: this.dir });
  }

  /** The same without blocking the event loop (clients, receivers and requests keep running during a fault). */
  private runAsync(tool: string, args: string[], timeoutMs = 90_000): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(path.join(this.bin, tool), args, { ...this.user, timeout: timeoutMs, cwd: this.dir }, (err, _out, stderr) =>
        err ? reject(new Error(`${tool} failed: ${stderr || err.message}`)) : resolve(),
      );
    });
  }

  private startArgs(): string[] {
    const settings = { listen_addresses: '127.0.0.1', fsync: 'off', ...this.settings };
    const options = [`-p ${this.port}`, `-k ${this.dir}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
    return ['-D', this.dataDir, '-l', path.join(this.dir, 'postgres.log'), '-w', '-t', '60', '-o', options, 'start'];
  }

  private stopArgs(): string[] {
    return ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop'];
  }

  /** Creates `dir` (reachable by the server's user) and the database cluster in it. */
  async init(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    if ('uid' in this.user) fs.chownSync(this.dir, this.user.uid, this.user.gid);
    await this.runAsync('initdb', ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  }

  /** Starts the server and waits until it accepts connections (after a crash, once recovery is done). */
  start(): Promise<void> {
    return this.runAsync('pg_ctl', this.startArgs());
  }

  /** `pg_ctl stop -m immediate`: every backend is killed without a checkpoint, as in a crash (recovery on the next start). */
  stopImmediately(): Promise<void> {
    return this.runAsync('pg_ctl', this.stopArgs());
  }

  /** A crash of the server: immediate stop, `downMs` down, start (with crash recovery). */
  async crashAndRestart(downMs: number): Promise<void> {
    await this.stopImmediately();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start();
  }

  /** Stops the server if it runs and removes `dir` (synchronous: also called from exit handlers). */
  destroy(): void {
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    if (fs.existsSync(pidFile)) {
      try {
        this.run('pg_ctl', this.stopArgs());
      } catch {
        // Already stopped, or pg_ctl failed: kill the postmaster by its pid file.
        const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
        if (pid > 0)
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* gone */
          }
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A private PostgreSQL in a new temporary directory on a free port, initialised and running. */
export async function startPrivatePostgres(settings: Record<string, string> = {}): Promise<PrivatePostgres> {
  const server = new PrivatePostgres(fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-pg-')), await freePort(), settings);
  try {
    await server.init();
    await server.start();
  } catch (err) {
    server.destroy();
    throw err;
  }
  return server;
}

/**
 * A private redis-server on `port`. Without `appendOnlyDir` it keeps nothing: a restart comes back
 * empty. With it, every write goes to an append-only file there (fsync always), so a restart
 * (kill, then start) keeps the data. With `clusterDir` it is a Redis Cluster node
 * (`--cluster-enabled yes`) keeping its cluster state file there (startRedisCluster joins nodes).
 */
export class PrivateRedis {
  private process: ChildProcess | null = null;

  constructor(
    readonly port: number,
    private readonly opts: { appendOnlyDir?: string; clusterDir?: string } = {},
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const persistence = this.opts.appendOnlyDir
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', this.opts.appendOnlyDir]
      : ['--appendonly', 'no'];
    const cluster = this.opts.clusterDir
      ? ['--cluster-enabled', 'yes', '--cluster-config-file', path.join(this.opts.clusterDir, `nodes-${this.port}.conf`)]
      : [];
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, ...cluster], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        if (out.length < 16_384) out += d.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${out}`));
      });
    });
  }

  /** kill -9, waiting until the process is gone (its port is free again). */
  async kill(): Promise<void> {
    const child = this.process;
    this.process = null;
    if (child) await killProcess(child);
  }

  /** kill -9 without waiting (synchronous: also called from exit handlers). */
  destroy(): void {
    if (this.process && this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    this.process = null;
  }
}

/**
 * A Redis Cluster of `nodes` masters (no replicas) on free loopback ports, its state files in a
 * new temporary directory: each node started with `--cluster-enabled yes`, then joined and given
 * the 16,384 slots by `redis-cli --cluster create`, and ready once every node reports
 * `cluster_state:ok`. `destroy()` kills the nodes and removes the directory (synchronous).
 */
export class PrivateRedisCluster {
  private constructor(
    readonly dir: string,
    readonly nodes: PrivateRedis[],
  ) {}

  /** REDIS_CLUSTER_NODES for OpenTrail. */
  get nodeList(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  static async start(count = 3): Promise<PrivateRedisCluster> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-redis-cluster-'));
    const nodes: PrivateRedis[] = [];
    const cluster = new PrivateRedisCluster(dir, nodes);
    try {
      for (let i = 0; i < count; i++) nodes.push(new PrivateRedis(await freePort(), { clusterDir: dir }));
      await Promise.all(nodes.map((n) => n.start()));
      await redisCli(['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes']);
      const deadline = Date.now() + 30_000;
      for (const node of nodes) {
        while (!(await redisCli(['-p', String(node.port), 'cluster', 'info'])).includes('cluster_state:ok')) {
          if (Date.now() > deadline) throw new Error(`Redis Cluster node ${node.port} did not reach cluster_state:ok`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    } catch (err) {
      cluster.destroy();
      throw err;
    }
    return cluster;
  }

  destroy(): void {
    for (const node of this.nodes) node.destroy();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

function redisCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`redis-cli ${args.join(' ')} failed: ${stderr || stdout || err.message}`)) : resolve(stdout),
    );
  });
}
