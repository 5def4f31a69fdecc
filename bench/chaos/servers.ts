import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * The private PostgreSQL and Redis servers of a chaos run: never the shared ones, since the
 * scenarios stop, crash and empty them. Everything here is synchronous where it must also run
 * from an `exit` handler (Ctrl-C cleanup).
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
  const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'bin', 'pg_ctl'))) : [];
  if (majors.length === 0) throw new Error(`no PostgreSQL binaries under ${root}/*/bin`);
  return path.join(root, majors.sort((a, b) => Number(b) - Number(a))[0]!, 'bin');
}

/** initdb and the server refuse to run as root: they run as the `postgres` user when we are root. */
function serverUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root needs a `postgres` user to run the private PostgreSQL server');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

export class PrivatePostgres {
  private readonly bin = postgresBin();
  private readonly user = serverUser();
  readonly dataDir: string;

  constructor(readonly dir: string, readonly port: number) {
    this.dataDir = path.join(dir, 'pgdata');
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  private run(tool: string, args: string[], timeoutMs = 90_000): void {
    execFileSync(path.join(this.bin, tool), args, { ...this.user, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, cwd: this.dir });
  }

  /** The same without blocking the harness's event loop (its client and webhook receiver keep running during a fault). */
  private runAsync(tool: string, args: string[], timeoutMs = 90_000): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(path.join(this.bin, tool), args, { ...this.user, timeout: timeoutMs, cwd: this.dir }, (err, _out, stderr) =>
        err ? reject(new Error(`${tool} failed: ${stderr || err.message}`)) : resolve(),
      );
    });
  }

  private startArgs(): string[] {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    return ['-D', this.dataDir, '-l', path.join(this.dir, 'postgres.log'), '-w', '-t', '60', '-o', options, 'start'];
  }

  /** A crash of the server during a scenario: immediate stop, `downMs` down, start (with crash recovery). */
  async crashAndRestart(downMs: number): Promise<void> {
    await this.runAsync('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']);
    await new Promise((r) => setTimeout(r, downMs));
    await this.runAsync('pg_ctl', this.startArgs());
  }

  init(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    if ('uid' in this.user) fs.chownSync(this.dir, this.user.uid, this.user.gid);
    this.run('initdb', ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  }

  /**
   * Starts the server and waits until it accepts connections. fsync is off: the machine is shared,
   * and an immediate stop is a crash of the server, not of the OS, so its writes are still in the
   * page cache and crash recovery replays the WAL exactly as after a real crash.
   */
  start(): void {
    this.run('pg_ctl', this.startArgs());
  }

  /** `pg_ctl stop -m immediate`: every backend is killed without a checkpoint (recovery on the next start). */
  stopImmediate(): void {
    this.run('pg_ctl', ['-D', this.dataDir, '-m', 'immediate', '-w', '-t', '30', 'stop']);
  }

  /** Stops the server if it runs (synchronous: also called from exit handlers). */
  destroy(): void {
    if (!fs.existsSync(path.join(this.dataDir, 'postmaster.pid'))) return;
    try {
      this.stopImmediate();
    } catch {
      // Already stopped, or pg_ctl failed: kill the postmaster by its pid file.
      const pid = Number(fs.readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      if (pid > 0) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

/** A private redis-server without persistence: a restart comes back empty. */
export class PrivateRedis {
  private child: ChildProcess | null = null;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
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
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  destroy(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    this.child = null;
  }
}

/** Whether `chattr +i` holds here (ext2/3/4, xfs, btrfs with CAP_LINUX_IMMUTABLE); checked on a scratch directory. */
export function immutableSupported(dir: string): { ok: boolean; why: string } {
  const probe = path.join(dir, 'chattr-probe');
  fs.mkdirSync(probe, { recursive: true });
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'pipe' });
  } catch (err) {
    return { ok: false, why: `chattr +i failed: ${(err as Error).message.split('\n')[0]}` };
  }
  try {
    fs.writeFileSync(path.join(probe, 'x'), 'x');
    return { ok: false, why: 'a file could still be created in an immutable directory' };
  } catch {
    return { ok: true, why: 'chattr +i refuses new entries even to root' };
  } finally {
    execFileSync('chattr', ['-i', probe], { stdio: 'pipe' });
    fs.rmSync(probe, { recursive: true, force: true });
  }
}

/** Sets or clears the immutable attribute on a whole tree (every directory and object in it). */
export function setImmutable(dir: string, on: boolean): void {
  if (!fs.existsSync(dir)) return;
  execFileSync('chattr', ['-R', on ? '+i' : '-i', dir], { stdio: 'pipe' });
}
