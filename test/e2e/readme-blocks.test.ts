import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startWorkers } from '../../workers/main';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');

interface Block {
  line: number;
  code: string;
}

/** The README's shell blocks, in order; a block fenced as `sh skip-readme-test` is left out (it installs or needs Docker). */
function readmeShellBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)(.*)$/.exec(lines[i]);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
    if (fence[1] === 'sh' && !fence[2].includes('skip-readme-test')) blocks.push({ line: start + 1, code: body.join('\n') });
  }
  return blocks;
}

/**
 * Every shell block of the README, pasted in order into one shell (so the variables one block
 * sets are there for the next, as for a reader), against a fresh server with default settings
 * and its workers, from a directory laid out like a checkout after `npm start`. Only the port is
 * the test's own. A block passes when it exits 0 and no GraphQL answer it printed has errors.
 */
describe('the README, pasted block by block', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let dir: string;

  beforeAll(async () => {
    app = await startTestApp();
    workers = await startWorkers(app.services);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-readme-'));
    fs.mkdirSync(path.join(dir, 'data'));
    fs.copyFileSync(app.config.bootstrapCredentialsFile, path.join(dir, 'data', 'bootstrap-credentials.json'));
    fs.symlinkSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'));
  });

  afterAll(async () => {
    await workers?.close();
    await app?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('has shell blocks to run, and skips only the install and Docker ones', () => {
    const markdown = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readmeShellBlocks(markdown).length).toBeGreaterThanOrEqual(7);
    expect((markdown.match(/```sh skip-readme-test/g) ?? []).length).toBe(2);
  });

  it('runs every block as pasted, each exiting 0 with no GraphQL errors', async () => {
    const port = new URL(app.baseUrl).port;
    const blocks = readmeShellBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
    // One script: a marker before each block, `set -e` so the first failing command ends the run.
    const script = blocks
      // A leading newline: curl's last answer of the previous block has none.
      .map(
        (b, i) =>
          `printf '\\n@@block ${i} (README.md:${b.line})\\n'\n${b.code.replace(/(localhost|127\.0\.0\.1):4000/g, `127.0.0.1:${port}`)}\n`,
      )
      .join('\n');
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    });
    const ran = [...stdout.matchAll(/^@@block (\d+) \((README\.md:\d+)\)$/gm)];
    const last = ran[ran.length - 1];
    if (code !== 0) throw new Error(`the block at ${last?.[2]} failed (exit ${code}):\n${stderr.slice(-2000)}\n${stdout.slice(-2000)}`);
    expect(ran).toHaveLength(blocks.length);

    // Every JSON answer printed is checked: a GraphQL error is a failed example even when curl exits 0.
    const answers = stdout.split('\n').filter((line) => line.startsWith('{'));
    expect(answers.length).toBeGreaterThanOrEqual(15);
    expect(answers.filter((line) => line.startsWith('{"data":'))).not.toHaveLength(0);
    const failed = answers.filter((line) => /"errors":\[\{/.test(line));
    expect(failed).toEqual([]);
    // The examples do what they say: the recorded event is found, the trail logs, the query runs.
    expect(stdout).toContain('"eventName":"RunInstances"');
    expect(stdout).toContain('"isLogging":true');
    expect(stdout).toMatch(/"queryStatus":"(QUEUED|RUNNING|FINISHED)"/);
  });
});
