import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The compiled CLI, as bin/opentrail runs it (npm test compiles before jest runs).
const CLI = path.resolve(__dirname, '../../dist/src/cli/opentrail.js');

function run(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  // A database nobody listens on: a command that reached for it would fail instead of exiting 0.
  const env = { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('opentrail CLI usage', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-cli-'));
  });
  afterAll(() => fs.rmSync(cwd, { recursive: true, force: true }));

  it.each([[[]], [['-h']], [['--help']], [['help']]])('%j prints the overview and exits 0', async (args) => {
    const r = await run(args, cwd);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('usage: opentrail <command>');
    for (const command of ['create-organization', 'migrate', 'validate-logs', 'emit-schema']) expect(r.stdout).toContain(command);
  });

  it.each(['create-organization', 'migrate', 'validate-logs', 'emit-schema'])(
    '%s --help and -h print its usage and do nothing else',
    async (command) => {
      for (const flag of ['--help', '-h']) {
        const r = await run([command, flag], cwd);
        expect(r).toMatchObject({ code: 0, stderr: '' });
        expect(r.stdout).toContain(command);
      }
      // emit-schema --help used to write schema/schema.graphql; migrate --help used to migrate.
      expect(fs.readdirSync(cwd)).toEqual([]);
    },
  );

  it('refuses unknown commands and options with exit 2 and the usage', async () => {
    const unknown = await run(['nope'], cwd);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'nope'");
    const option = await run(['validate-logs', '--bogus'], cwd);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/Unknown option '--bogus'[\s\S]*validate-logs --trail-arn/);
    const missing = await run(['validate-logs', '--trail-arn'], cwd);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--trail-arn');
    const name = await run(['create-organization'], cwd);
    expect(name.code).toBe(2);
    expect(name.stderr).toContain('create-organization needs --name');
  });
});
