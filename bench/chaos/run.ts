/**
 * `npm run chaos`: the fault suite (issue 12 §5). It starts a private PostgreSQL and Redis, the
 * api and the workers as two processes, a trail with log file validation, a Lake event data store
 * and a webhook rule to a receiver on 127.0.0.1; then, scenario by scenario, it sends a known set
 * of events through /ingest while a fault happens, waits for quiet and counts every event at
 * every destination. Prints one table (scenario × destination) and exits 1 if a scenario failed.
 *
 * CHAOS_EVENTS (default 20000) events per scenario over CHAOS_SECONDS (default 20) of flow;
 * CHAOS_SCENARIOS (comma-separated names, default all); CHAOS_QUIET_SECONDS (default 240) bounds
 * the wait for quiet; CHAOS_REPORT=<file> also writes the results as JSON (the jest test reads it).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { closeAgent, ingestAll, type IngestTally } from './client';
import { Cluster } from './cluster';
import {
  digestChain,
  eventId,
  historyOccurrences,
  lakeOccurrences,
  scenarioPrefix,
  TrailReader,
  validateLogs,
  waitForQuiet,
  webhookOccurrences,
  type ChainVerdict,
  type Occurrences,
} from './count';
import { WebhookReceiver } from './receiver';
import { compare, formatTable, type ChaosRow, type ScenarioFacts, type ScenarioReport } from './report';
import { SCENARIOS, type FaultContext, type Scenario } from './scenarios';
import { CHAOS_EVENT_SOURCE, createDestinations, type Destinations } from './setup';

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

const EVENTS = positive('CHAOS_EVENTS', 20_000);
const FLOW_SECONDS = positive('CHAOS_SECONDS', 20);
const QUIET_SECONDS = positive('CHAOS_QUIET_SECONDS', 240);
const DIGEST_SECONDS = positive('CHAOS_DIGEST_SECONDS', 5);
const SETTINGS = { deliveryIntervalSeconds: 2, digestIntervalSeconds: DIGEST_SECONDS, webhookTimeoutMs: 1500 };
/** Webhook senders of one worker process (workers/main.ts CONCURRENCY.webhook): POSTs in flight at once. */
const WEBHOOK_SENDERS = 8;
const BATCH = 200;

function chosenScenarios(): Scenario[] {
  const names = (process.env.CHAOS_SCENARIOS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) return SCENARIOS;
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length) throw new Error(`unknown CHAOS_SCENARIOS ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  return SCENARIOS.filter((s) => names.includes(s.name));
}

function eventLines(run: string, index: number, d: Destinations): Array<{ id: string; line: string }> {
  const time = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return Array.from({ length: EVENTS }, (_, seq) => {
    const id = eventId(run, index, seq);
    const record = {
      eventVersion: '1.11',
      eventTime: time,
      eventSource: CHAOS_EVENT_SOURCE,
      eventName: 'PutChaos',
      awsRegion: d.region,
      sourceIPAddress: '203.0.113.9',
      userAgent: 'opentrail-chaos',
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDACHAOS',
        accountId: d.accountId,
        arn: `arn:aws:iam::${d.accountId}:user/chaos`,
        userName: 'chaos',
      },
      requestParameters: { sequence: seq },
      responseElements: null,
      readOnly: false,
      managementEvent: true,
      eventType: 'AwsApiCall',
      eventID: id,
    };
    return { id, line: JSON.stringify(record) };
  });
}

async function runScenario(
  cluster: Cluster,
  receiver: WebhookReceiver,
  trails: TrailReader,
  d: Destinations,
  run: string,
  index: number,
  scenario: Scenario,
): Promise<ScenarioReport> {
  if (scenario.replicas) await cluster.startReplicas();
  const started = new Date();
  const deathsBefore = cluster.deaths.length;
  const lines = eventLines(run, index, d);
  const prefix = scenarioPrefix(run, index);
  const tally: IngestTally = { sent: 0, acked: new Set(), retries: 0, abandoned: 0, inFlight: 0, lastError: null };
  const notes: string[] = [];
  let interruptions = 0;
  const flowMs = FLOW_SECONDS * 1000;
  const ctx: FaultContext = {
    cluster,
    receiver,
    destinations: d,
    tally,
    flowMs,
    digestIntervalSeconds: DIGEST_SECONDS,
    at: async (fraction) => {
      const due = started.getTime() + fraction * flowMs;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    },
    note: (text) => notes.push(text),
    interrupted: () => void interruptions++,
  };
  let faultError: string | null = null;
  await Promise.all([
    ingestAll(
      lines,
      {
        base: cluster.base,
        token: d.token,
        batchSize: BATCH,
        ratePerSecond: EVENTS / FLOW_SECONDS,
        concurrency: 2,
        deadline: started.getTime() + flowMs + QUIET_SECONDS * 1000,
      },
      tally,
    ),
    scenario.inject(ctx).catch((err) => void (faultError = (err as Error).message)),
  ]);
  receiver.setMode('ok');
  const upAgain = await cluster.waitAlive(120_000);
  const notQuiet = upAgain ? await waitForQuiet(cluster, QUIET_SECONDS * 1000) : 'a process could not be started again';

  const rows: ChaosRow[] = [];
  const row = (destination: string, found: Occurrences | Error, allowedDup: number, extra = '') => {
    if (found instanceof Error) {
      rows.push({
        scenario: scenario.name,
        destination,
        sent: tally.sent,
        acked: tally.acked.size,
        present: null,
        missing: null,
        duplicated: null,
        pass: false,
        note: `count failed: ${found.message}`,
      });
      return;
    }
    const c = compare(tally.acked, found);
    const pass = c.missing === 0 && c.duplicated <= allowedDup;
    const dupNote = allowedDup > 0 ? `dup allowed ≤ ${allowedDup} (${interruptions} interruptions × ${WEBHOOK_SENDERS} senders)` : '';
    rows.push({
      scenario: scenario.name,
      destination,
      sent: tally.sent,
      acked: tally.acked.size,
      present: c.present,
      missing: c.missing,
      duplicated: c.duplicated,
      pass,
      note: [extra, dupNote].filter(Boolean).join('; '),
    });
  };
  const attempt = async <T>(fn: () => Promise<T>): Promise<T | Error> =>
    fn().catch((err) => (err instanceof Error ? err : new Error(String(err))));

  rows.push({
    scenario: scenario.name,
    destination: 'client /ingest',
    sent: tally.sent,
    acked: tally.acked.size,
    present: null,
    missing: tally.sent - tally.acked.size,
    duplicated: null,
    pass: tally.acked.size === EVENTS && !faultError,
    note: [
      `${tally.retries} resent requests`,
      tally.abandoned ? `${tally.abandoned} batches abandoned (${tally.lastError})` : '',
      faultError ? `fault not injected: ${faultError}` : '',
      ...notes,
    ]
      .filter(Boolean)
      .join('; '),
  });
  row('event history', await attempt(() => historyOccurrences(cluster.pool, d, run, index)), 0);
  const trail = await attempt(() => trails.occurrences(prefix));
  row(
    `trail ${d.trailName} (files)`,
    trail instanceof Error ? trail : trail.occurrences,
    0,
    trail instanceof Error ? '' : `${trail.files} log files`,
  );
  row(`lake ${d.storeId.slice(0, 8)}…`, await attempt(() => lakeOccurrences(cluster, d, prefix, 120_000)), 0);
  row(`webhook ${d.ruleName}`, webhookOccurrences(receiver, prefix), interruptions * WEBHOOK_SENDERS);
  const verdict = await attempt(() => validateLogs(cluster, d, started));
  rows.push(
    verdict instanceof Error
      ? {
          scenario: scenario.name,
          destination: 'digests (validate-logs)',
          sent: null,
          acked: null,
          present: null,
          missing: null,
          duplicated: null,
          pass: false,
          note: `validateLogs failed: ${verdict.message}`,
        }
      : {
          scenario: scenario.name,
          destination: 'digests (validate-logs)',
          sent: null,
          acked: null,
          present: verdict.validLogFiles,
          missing: null,
          duplicated: null,
          pass: verdict.valid && verdict.invalidDigests === 0 && verdict.invalidLogFiles === 0 && verdict.validDigests > 0 && !notQuiet,
          note: `digests ${verdict.validDigests} valid / ${verdict.invalidDigests} invalid; log files ${verdict.validLogFiles} valid / ${verdict.invalidLogFiles} invalid`,
        },
  );
  let chainVerdict: ChainVerdict | null = null;
  if (scenario.replicas) {
    const chain = await attempt(() => digestChain(cluster.pool, d, started));
    rows.push({
      scenario: scenario.name,
      destination: 'digest chain',
      sent: null,
      acked: null,
      present: chain instanceof Error ? null : chain.digests,
      missing: chain instanceof Error ? null : chain.gaps,
      duplicated: chain instanceof Error ? null : chain.overlaps,
      pass: !(chain instanceof Error) && chain.digests > 0 && chain.gaps === 0 && chain.overlaps === 0,
      note:
        chain instanceof Error
          ? `chain unreadable: ${chain.message}`
          : `${chain.digests} digests; ${chain.gaps} gaps, ${chain.overlaps} overlaps`,
    });
    chainVerdict = chain instanceof Error ? null : chain;
    await cluster.stopReplicas();
  }
  const deaths = cluster.deaths.slice(deathsBefore);
  rows.push({
    scenario: scenario.name,
    destination: 'processes',
    sent: null,
    acked: null,
    present: null,
    missing: null,
    duplicated: null,
    pass: deaths.length === 0 && !notQuiet,
    note: [
      deaths.length === 0
        ? 'api and workers alive'
        : deaths
            .map(
              (x) =>
                `${x.process} DIED (${x.exit}) at +${((x.at.getTime() - started.getTime()) / 1000).toFixed(1)} s: ${lastLine(x.output)}`,
            )
            .join('; '),
      notQuiet ?? `quiet after ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`,
    ].join('; '),
  });
  const facts: ScenarioFacts = {
    events: EVENTS,
    acked: tally.acked.size,
    allowedWebhookDuplicates: interruptions * WEBHOOK_SENDERS,
    deaths: deaths.map((x) => `${x.process} ${x.exit}: ${lastLine(x.output)}\n${x.output}`),
    notQuiet,
    faultError,
    digests: verdict instanceof Error ? null : verdict,
    ...(scenario.replicas ? { chain: chainVerdict } : {}),
  };
  return {
    name: scenario.name,
    describe: scenario.describe,
    pass: rows.every((r) => r.pass),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    rows,
    facts,
  };
}

/** The most telling line of a dead process's output: the thrown error (`Error: …`), else its last error-like line, else its last line. */
function lastLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const reversed = [...lines].reverse();
  const thrown = reversed.find((l) => /^[A-Za-z]*Error(\s\[[A-Z_]+\])?: /.test(l));
  const errorish = reversed.find((l) => !l.startsWith('at ') && !l.startsWith('{') && /error|fail|terminat|ECONNREFUSED/i.test(l));
  return (thrown ?? errorish ?? lines[lines.length - 1] ?? 'no output').slice(0, 300);
}

async function main(): Promise<number> {
  const scenarios = chosenScenarios();
  const run = randomBytes(4).toString('hex');
  const receiver = new WebhookReceiver();
  let cluster: Cluster | null = null;
  const teardown = () => {
    cluster?.destroy();
    cluster = null;
  };
  // Ctrl-C (or the jest test giving up) still removes every server, process and directory.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the chaos run and removing its servers and files`);
      teardown();
      process.exit(130);
    });
  }
  process.once('exit', teardown);
  const reports: ScenarioReport[] = [];
  let environment: { root: string; ports: number[] } | null = null;
  try {
    await receiver.start();
    console.error(`chaos run ${run}: ${scenarios.length} scenarios × ${EVENTS.toLocaleString('en-US')} events over ${FLOW_SECONDS} s each`);
    cluster = await Cluster.create(SETTINGS, '127.0.0.1', (c) => (cluster = c));
    const c: Cluster = cluster;
    environment = { root: c.root, ports: [c.pg.port, c.redis.port, c.apiPort, c.replicaApiPort, Number(new URL(receiver.url).port)] };
    const d = await createDestinations(c, receiver.url);
    const trails = new TrailReader(c, d);
    for (let i = 0; i < scenarios.length; i++) {
      const scenario = scenarios[i]!;
      console.error(`[${new Date().toISOString()}] ${scenario.name}: ${scenario.describe}`);
      const report = await runScenario(c, receiver, trails, d, run, i + 1, scenario);
      reports.push(report);
      console.error(`  ${report.pass ? 'pass' : 'FAIL'} in ${report.seconds} s`);
      for (const death of report.facts.deaths) console.error(`  unexpected exit of ${death.split('\n').slice(0, 16).join('\n    ')}`);
    }
    await trails.close();
    await c.stop();
    cluster = null;
  } finally {
    teardown();
    await receiver.close();
    closeAgent();
  }
  const failed = reports.filter((r) => !r.pass);
  console.log(
    `\nOpenTrail chaos run (${os.cpus().length} cores, Node ${process.version}; ${EVENTS.toLocaleString('en-US')} events per scenario over ${FLOW_SECONDS} s; api and workers as two processes)\n`,
  );
  console.log(formatTable(reports));
  console.log(
    `\n${reports.length - failed.length}/${reports.length} scenarios passed${failed.length ? `; failed: ${failed.map((r) => r.name).join(', ')}` : ''}`,
  );
  if (process.env.CHAOS_REPORT)
    fs.writeFileSync(
      process.env.CHAOS_REPORT,
      JSON.stringify({ events: EVENTS, webhookSenders: WEBHOOK_SENDERS, environment, scenarios: reports }, null, 2),
    );
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
