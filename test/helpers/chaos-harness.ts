import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ChaosRow, ScenarioReport } from '../../bench/chaos/report';

const HARNESS = path.resolve(__dirname, '../../dist/bench/chaos/run.js');

export interface HarnessRun {
  scenarios: ScenarioReport[];
  environment: { root: string; ports: number[] } | null;
  output: string;
}

/**
 * Runs the compiled chaos harness (bench/chaos/run.ts; `npx tsc -p tsconfig.json` first) with
 * 1,500 events over 5 s per scenario and returns its JSON report. SIGINT after `limitMs` lets it
 * remove its servers, processes and directories; exit 1 (a scenario failed) is for the caller's
 * assertions, anything else is a harness failure.
 */
export async function runChaosHarness(scenarios: string[], limitMs: number): Promise<HarnessRun> {
  if (!fs.existsSync(HARNESS)) throw new Error(`${HARNESS} is missing: run \`npx tsc -p tsconfig.json\` (npm test does) first`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-chaos-test-'));
  const reportFile = path.join(dir, 'report.json');
  let output = '';
  try {
    const child = spawn(process.execPath, [HARNESS], {
      env: {
        ...process.env,
        CHAOS_EVENTS: '1500',
        CHAOS_SECONDS: '5',
        CHAOS_DIGEST_SECONDS: '3',
        CHAOS_QUIET_SECONDS: '90',
        CHAOS_SCENARIOS: scenarios.join(','),
        CHAOS_REPORT: reportFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => child.kill('SIGINT'), limitMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (code === 0 || code === 1) resolve();
        else reject(new Error(`chaos harness ended with ${signal ?? code}:\n${output.slice(-4000)}`));
      });
    });
    const report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
    return { scenarios: report.scenarios, environment: report.environment, output };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Whether something accepts connections on a loopback port (a server the harness left behind). */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The row of a scenario's table for the destination whose name starts with `prefix`. */
export function destination(report: ScenarioReport, prefix: string): ChaosRow {
  const row = report.rows.find((r) => r.destination.startsWith(prefix));
  if (!row) throw new Error(`${report.name} has no ${prefix} row`);
  return row;
}

/** The pass criteria every scenario shares: nothing acknowledged missing, no duplicate but bounded webhook ones, digests valid, no death. */
export function expectScenarioPassed(report: ScenarioReport | undefined, name: string): void {
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
}
