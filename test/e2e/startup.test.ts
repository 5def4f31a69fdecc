import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_DATABASE_SERVER, dropDatabase, flushRedisPrefix, uniqueName } from '../helpers/test-app';

// These tests run the compiled entry points exactly as `npm start` and the CLI do
// (`npm test` compiles to dist/ first).
const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'dist', 'src', 'main.js');
const CLI = path.join(ROOT, 'bin', 'opentrail');

interface Started {
  child: ChildProcess;
  stdout: () => string;
  url: string;
}

function start(env: Record<string, string>, args: string[] = []): Promise<Started> {
  const child = spawn(process.execPath, [MAIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 30 s:\n${out}\n${err}`)), 30_000);
    child.stdout!.on('data', () => {
      const match = /OpenTrail GraphQL API: (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, stdout: () => out, url: match[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

function run(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('start-up and operator CLI', () => {
  const databaseUrl = `${TEST_DATABASE_SERVER}/${uniqueName('ot_start')}`;
  const redisPrefix = uniqueName('ot-start');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-start-'));
  const env = { DATABASE_URL: databaseUrl, REDIS_PREFIX: redisPrefix, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn' };

  afterAll(async () => {
    await dropDatabase(databaseUrl);
    await flushRedisPrefix(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', redisPrefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to start with a wrong setting and names it', async () => {
    const result = await run(process.execPath, [MAIN], { ...env, PORT: 'eighty', HOME_REGION: 'moon-1' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toContain('HOME_REGION');
  });

  it('bootstraps an empty database once, writes 0600 credentials, serves /healthz, and stops cleanly', async () => {
    const first = await start(env, ['--with-workers']);
    const file = path.join(dataDir, 'bootstrap-credentials.json');
    const credentials = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(credentials).toEqual({
      organizationId: expect.stringMatching(/^o-[a-z0-9]{10}$/),
      accountId: expect.stringMatching(/^\d{12}$/),
      userName: 'admin',
      accessKeyId: expect.stringMatching(/^AKIA[A-Z2-7]{16}$/),
      secretAccessKey: expect.stringMatching(/^.{40}$/),
    });
    // Printed once on stdout too.
    expect(first.stdout()).toContain(credentials.secretAccessKey);
    const base = first.url.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const session = await fetch(first.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($i: CreateSessionInput!) { createSession(input: $i) { token } }',
        variables: { i: { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey } },
      }),
    }).then((r) => r.json() as Promise<any>);
    expect(session.data.createSession.token).toEqual(expect.any(String));
    expect(await stop(first.child)).toBe(0);

    // Second start on the same database: no new organization, no credentials printed.
    fs.rmSync(file);
    const second = await start(env);
    expect(second.stdout()).not.toContain('bootstrapped');
    expect(second.stdout()).toContain('already holds organizations');
    expect(fs.existsSync(file)).toBe(false);
    expect(await stop(second.child)).toBe(0);
  });

  it('generates a 0600 master key and refuses another one for the same database', async () => {
    expect(fs.statSync(path.join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    const otherDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-start-other-'));
    try {
      const result = await run(process.execPath, [MAIN], { ...env, DATA_DIR: otherDir });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('master key does not match');
      const explicit = await run(process.execPath, [MAIN], { ...env, MASTER_KEY: Buffer.alloc(32, 7).toString('base64') });
      expect(explicit.code).toBe(1);
      expect(explicit.stderr).toContain('MASTER_KEY');
    } finally {
      fs.rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('creates further organizations from the CLI', async () => {
    const result = await run(CLI, ['create-organization', '--name', 'Acme Corp'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout);
    expect(created).toMatchObject({
      organizationId: expect.stringMatching(/^o-/),
      accountId: expect.stringMatching(/^\d{12}$/),
      userName: 'admin',
    });
    const bad = await run(CLI, ['create-organization'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--name');
  });
});
