import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './delivery-process';

const run = promisify(execFile);

/**
 * A PostgreSQL server of a test's own (initdb into a temporary directory, a free port), for tests
 * that stop, crash or restart the database: the shared server is never touched.
 */
export interface PrivatePostgres {
  port: number;
  /** A connection URL for `database` on this server. */
  url(database: string): string;
  start(): Promise<void>;
  /** `pg_ctl stop -m immediate`: every backend dies at once, as in a crash; recovery runs on start. */
  stopImmediately(): Promise<void>;
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root) ? fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}`);
  return path.join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** initdb and the server refuse to run as root: as root, they run as the postgres user. */
async function asServerUser(file: string, args: string[]): Promise<void> {
  if (process.getuid?.() === 0) await run('runuser', ['-u', 'postgres', '--', file, ...args]);
  else await run(file, args);
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-pg-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) fs.chownSync(dir, Number((await run('id', ['-u', 'postgres'])).stdout.trim()), Number((await run('id', ['-g', 'postgres'])).stdout.trim()));
  await asServerUser(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  const pgCtl = path.join(bin, 'pg_ctl');
  // Small and quick: no fsync (a crash of this throwaway server loses nothing anyone keeps),
  // a socket directory of its own.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100`;
  const server: PrivatePostgres = {
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    start: () => asServerUser(pgCtl, ['-D', data, '-l', path.join(dir, 'server.log'), '-o', options, '-w', '-t', '60', 'start']),
    stopImmediately: () => asServerUser(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']),
    async destroy() {
      await asServerUser(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
