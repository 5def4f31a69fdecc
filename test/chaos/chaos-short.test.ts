import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ChaosRow, ScenarioReport } from '../../bench/chaos/report';

/**
 * The short version of `npm run chaos` (bench/chaos/run.ts): the same scenarios with 1,500 events
 * each, run as the compiled harness (it starts its own PostgreSQL and Redis and the compiled api
 * and workers, so `npm test`'s tsc step must have run). One test per scenario asserts the pass
 * criteria on the raw counts the harness wrote: nothing acknowledged is missing anywhere, no
 * duplicate in the history, the trail's files or the Lake, webhook duplicates within the POSTs
 * in flight when a sender was cut, the digest chain valid, and both processes alive.
 */
const HARNESS = path.resolve(__dirname, '../../dist/bench/chaos/run.js');
const SCENARIOS = [
  'baseline',
  'replicas',
  'workers-kill9',
  'api-kill9',
  'redis-restart-empty',
  'postgres-restart',
  'bucket-unwritable',
  'webhook-500-then-hang',
];
/** A healthy run takes about two minutes; a failing one waits out its bounded timeouts (90 s for quiet per scenario). */
const RUN_LIMIT_MS = 540_000;

let reports: ScenarioReport[] = [];
let environment: { root: string; ports: number[] } | null = null;
let harnessOutput = '';

function runHarness(reportFile: string): Promise<void> {
  if (!fs.existsSync(HARNESS)) throw new Error(`${HARNESS} is missing: run \`npx tsc -p tsconfig.json\` (npm test does) first`);
  const child = spawn(process.execPath, [HARNESS], {
    env: {
      ...process.env,
      CHAOS_EVENTS: '1500',
      CHAOS_SECONDS: '5',
      CHAOS_DIGEST_SECONDS: '3',
      CHAOS_QUIET_SECONDS: '90',
      CHAOS_SCENARIOS: SCENARIOS.join(','),
      CHAOS_REPORT: reportFile,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (harnessOutput += d.toString()));
  child.stderr.on('data', (d: Buffer) => (harnessOutput += d.toString()));
  return new Promise((resolve, reject) => {
    // SIGINT lets the harness remove its servers, processes and directories before it exits.
    const timer = setTimeout(() => child.kill('SIGINT'), RUN_LIMIT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // Exit 1 = a scenario failed (asserted below, scenario by scenario); anything else is a harness failure.
      if (code === 0 || code === 1) resolve();
      else reject(new Error(`chaos harness ended with ${signal ?? code}:\n${harnessOutput.slice(-4000)}`));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function destination(report: ScenarioReport, prefix: string): ChaosRow {
  const row = report.rows.find((r) => r.destination.startsWith(prefix));
  if (!row) throw new Error(`${report.name} has no ${prefix} row`);
  return row;
}

describe('chaos suite (short): every scenario of npm run chaos with 1,500 events', () => {
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-chaos-test-'));
    try {
      await runHarness(path.join(dir, 'report.json'));
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
      reports = report.scenarios;
      environment = report.environment;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, RUN_LIMIT_MS + 20_000);

  it('ran every scenario and left no server, process or directory behind', async () => {
    expect(reports.map((r) => r.name)).toEqual(SCENARIOS);
    expect(environment).not.toBeNull();
    expect(fs.existsSync(environment!.root)).toBe(false);
    // PostgreSQL, Redis, the api and the webhook receiver: nothing listens on their ports any more.
    const listening = await Promise.all(environment!.ports.map((port) => accepts(port)));
    expect(environment!.ports.filter((_, i) => listening[i])).toEqual([]);
  });

  it.each(SCENARIOS)('%s: nothing acknowledged is missing or duplicated, digests are valid, both processes alive', (name) => {
    const report = reports.find((r) => r.name === name);
    expect(report).toBeDefined();
    const { facts } = report!;
    const summary = { name, faultError: facts.faultError, deaths: facts.deaths, notQuiet: facts.notQuiet, acked: facts.acked };
    expect(summary).toEqual({ name, faultError: null, deaths: [], notQuiet: null, acked: facts.events });
    for (const prefix of ['event history', 'trail ', 'lake ']) {
      const row = destination(report!, prefix);
      expect({ name, destination: row.destination, missing: row.missing, duplicated: row.duplicated, note: row.note }).toEqual({
        name,
        destination: row.destination,
        missing: 0,
        duplicated: 0,
        note: row.note,
      });
    }
    const webhook = destination(report!, 'webhook ');
    expect({ name, missing: webhook.missing }).toEqual({ name, missing: 0 });
    expect(webhook.duplicated).toBeLessThanOrEqual(facts.allowedWebhookDuplicates);
    expect(facts.digests).toMatchObject({ valid: true, invalidDigests: 0, invalidLogFiles: 0 });
    expect(facts.digests!.validDigests).toBeGreaterThan(0);
    expect(facts.digests!.validLogFiles).toBeGreaterThan(0);
  });

  it('replicas: with two apis and two workers processes the digest chain has no gap, no overlap and no undigested file', () => {
    const report = reports.find((r) => r.name === 'replicas');
    expect(report).toBeDefined();
    expect(report!.facts.chain).toMatchObject({ gaps: 0, overlaps: 0, undigested: 0 });
    expect(report!.facts.chain!.digests).toBeGreaterThan(0);
  });
});
