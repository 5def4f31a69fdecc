/**
 * Noisy neighbour: tenant B's lookupEvents latency while idle, then while tenant A floods the
 * api with everything one account can send at once: alias documents at the root-field cap,
 * documents far past it, CloudTrail Lake queries and /ingest bodies of 1,000 events. A does not
 * back off when throttled, as an attacker would not. Both phases run in one run, first with the
 * default limits, then on a second api process (same database, Redis and sessions) with
 * TUNED_LIMITS. BENCH_NOISY_FLOOD picks the kinds of flood (default all three).
 *
 * A's senders run in a process of their own at the lowest CPU priority (noisy-flood.ts, `nice
 * -n 19`): an attacker's client runs on the attacker's machine, so its own CPU must not be what
 * slows B here, and B's measuring loop must not share an event loop with 20 flooding loops. The
 * work A's requests cause in the api, the workers and PostgreSQL runs at normal priority.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import type { TenantCredentials } from '../src/organizations/organization-bootstrap';
import { CONTENTION_DECAY_SECONDS } from '../src/common/contention-guard';
import { startApp, type AppProcess } from './lib/app-process';
import { fmt, summarize, type Row } from './lib/stats';
import { syntheticEvent } from './lib/synthetic-events';

export interface BenchTenant {
  creds: TenantCredentials;
  token: string;
}

const REGION = 'us-east-1';
const LOOKUP = `query($after: String) { lookupEvents(first: 50, after: $after) {
  edges { node { eventId eventName eventTime eventSource username readOnly resources { resourceType resourceName } cloudTrailEvent } }
  pageInfo { hasNextPage endCursor } } }`;

/** Where requests go: an api process's GraphQL URL and its base URL. */
export type Endpoint = Pick<AppProcess, 'url' | 'base'>;

export async function call(
  app: Endpoint,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-region': REGION },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

export async function ingest(app: Endpoint, token: string, body: string): Promise<number> {
  const res = await fetch(`${app.base}/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}`, 'x-region': REGION },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

function ndjson(accountId: string, count: number, offset: number): string {
  const now = Date.now();
  return (
    Array.from({ length: count }, (_, i) =>
      JSON.stringify(syntheticEvent(accountId, REGION, new Date(now - 60_000 - (offset + i) * 1000), offset + i)),
    ).join('\n') + '\n'
  );
}

/** B's lookups, paced at B_INTERVAL_MS (a first page, then its next page), in milliseconds. */
async function lookups(app: AppProcess, b: BenchTenant, samples: number): Promise<number[]> {
  const ms: number[] = [];
  let after: string | null = null;
  for (let i = 0; i < samples; i++) {
    const due = Date.now() + B_INTERVAL_MS;
    const t = process.hrtime.bigint();
    const res = await call(app, b.token, LOOKUP, { after });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.status !== 200 || res.body?.errors)
      throw new Error(`tenant B's lookup failed (${res.status}): ${JSON.stringify(res.body).slice(0, 300)}`);
    const page = res.body.data.lookupEvents.pageInfo;
    after = page.hasNextPage && i % 2 === 0 ? page.endCursor : null;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
  }
  return ms;
}

export type FloodKind = 'aliases' | 'lake' | 'ingest';
const FLOOD_KINDS: FloodKind[] = ['aliases', 'lake', 'ingest'];

/** BENCH_NOISY_FLOOD (e.g. "aliases" or "lake,ingest") floods with some kinds only, to see which one costs B. */
function floodKinds(): FloodKind[] {
  const asked = (process.env.BENCH_NOISY_FLOOD ?? FLOOD_KINDS.join(',')).split(',').map((k) => k.trim());
  const unknown = asked.filter((k) => !FLOOD_KINDS.includes(k as FloodKind));
  if (unknown.length) throw new Error(`BENCH_NOISY_FLOOD: unknown ${unknown.join(', ')} (use ${FLOOD_KINDS.join(', ')})`);
  return asked as FloodKind[];
}

/** Tuned per-account limits for an installation that hosts hostile tenants (see src/graphql/README.md). */
export const TUNED_LIMITS = { ACCOUNT_RATE_LIMIT_PER_SECOND: '20', ACCOUNT_RATE_BURST: '20', ACCOUNT_MAX_CONCURRENT_REQUESTS: '2' };
/** B is an ordinary client: five lookups a second (CloudTrail itself allows LookupEvents 2 TPS). */
const B_INTERVAL_MS = 200;

export interface Workload {
  kinds: FloodKind[];
  lake: string;
  atCap: string;
  pastCap: string;
  ingestBody: string;
}

/**
 * Tenant B's lookups idle vs. during A's flood, on one api process, and the api started again
 * with TUNED_LIMITS (same database, Redis and sessions) for a second row.
 */
export async function benchNoisyNeighbour(
  app: AppProcess,
  a: BenchTenant,
  b: BenchTenant,
  samples: number,
  env: Record<string, string>,
): Promise<Row[]> {
  const kinds = floodKinds();
  // B's own history to look through; A's store to query.
  for (let k = 0; k < 5; k++) {
    const status = await ingest(app, b.token, ndjson(b.creds.accountId, 1000, k * 1000));
    if (status !== 200) throw new Error(`seeding tenant B's history: /ingest answered ${status}`);
  }
  // That seeding is bulk spending of B's own: let it decay (src/common/contention-guard.ts), so B
  // is measured as the ordinary client it is from here on.
  await new Promise((resolve) => setTimeout(resolve, 3000 * CONTENTION_DECAY_SECONDS));
  const store = await call(
    app,
    a.token,
    'mutation($input: CreateEventDataStoreInput!) { createEventDataStore(input: $input) { eventDataStoreArn } }',
    {
      input: { name: 'noisy-neighbour', retentionPeriod: 7, terminationProtectionEnabled: false },
    },
  );
  const storeId = String(store.body?.data?.createEventDataStore?.eventDataStoreArn ?? '')
    .split('/')
    .pop();
  if (!storeId) throw new Error(`creating tenant A's event data store: ${JSON.stringify(store.body).slice(0, 300)}`);
  const work: Workload = {
    kinds,
    lake: `SELECT eventName, count(*) AS calls FROM ${storeId} GROUP BY eventName ORDER BY calls DESC`,
    atCap: `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: listRegions { regionName description }`).join(' ')} }`,
    pastCap: `{ ${Array.from({ length: 1900 }, (_, i) => `a${i}: listRegions { regionName description }`).join(' ')} }`,
    ingestBody: ndjson(a.creds.accountId, 1000, 10_000),
  };
  const rows = [await phase(app, a, b, samples, work, 'default limits')];
  if (process.env.BENCH_NOISY_TUNED === '0') return rows; // the default row only
  const tuned = await startApp({ ...env, ...TUNED_LIMITS, PORT: '0' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 11_000)); // the default phase's windows expire
    const label = `ACCOUNT_RATE_LIMIT_PER_SECOND=${TUNED_LIMITS.ACCOUNT_RATE_LIMIT_PER_SECOND} ACCOUNT_RATE_BURST=${TUNED_LIMITS.ACCOUNT_RATE_BURST} ACCOUNT_MAX_CONCURRENT_REQUESTS=${TUNED_LIMITS.ACCOUNT_MAX_CONCURRENT_REQUESTS}`;
    rows.push(await phase(tuned, a, b, samples, work, label));
  } finally {
    await tuned.stop();
  }
  return rows;
}

/**
 * BENCH_NOISY_REPEAT idle/flood pairs (default 3): on a machine shared with other work one pair
 * says little, so the row reports the median of each figure and of the pairs' ratios.
 */
const REPEATS = Math.max(1, Number(process.env.BENCH_NOISY_REPEAT ?? 3));
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function phase(app: AppProcess, a: BenchTenant, b: BenchTenant, samples: number, work: Workload, label: string): Promise<Row> {
  const pairs: Array<{ idle: ReturnType<typeof summarize>; busy: ReturnType<typeof summarize> }> = [];
  const outcomes: Record<string, number> = {};
  for (let r = 0; r < REPEATS; r++) {
    if (r > 0) await new Promise((resolve) => setTimeout(resolve, 11_000)); // A's windows expire between pairs
    await lookups(app, b, 20); // warm-up, not measured
    const idle = summarize(await lookups(app, b, samples));

    const flooder = await startFlood({ url: app.url, base: app.base }, a.token, work);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // let the flood reach its limits
    const busy = summarize(await lookups(app, b, samples));
    for (const [k, v] of Object.entries(await flooder.stop())) outcomes[k] = (outcomes[k] ?? 0) + v;
    pairs.push({ idle, busy });
    console.error(
      `noisy neighbour, ${label}, pair ${r + 1}: idle p99 ${fmt(idle.p99, 2)} ms, flood p99 ${fmt(busy.p99, 2)} ms, ${fmt(busy.p99 / idle.p99, 2)}x`,
    );
  }
  const m = (pick: (p: (typeof pairs)[number]) => number) => median(pairs.map(pick));
  const tally = Object.entries(outcomes)
    .map(([k, v]) => `${fmt(v)} ${k}`)
    .join(', ');
  const ratios = pairs.map((p) => `${fmt(p.busy.p99 / p.idle.p99, 2)}x`).join(', ');
  return {
    benchmark: `noisy neighbour, ${label}: tenant B lookupEvents (5/s) while tenant A floods (${work.kinds.join(', ')}; A's requests: ${tally}); medians of ${pairs.length} idle/flood pairs (${ratios})`,
    measured: `p50 ${fmt(
      m((p) => p.busy.p50),
      2,
    )} / p99 ${fmt(
      m((p) => p.busy.p99),
      2,
    )} ms (${samples} samples a pair)`,
    baseline: `p50 ${fmt(
      m((p) => p.idle.p50),
      2,
    )} / p99 ${fmt(
      m((p) => p.idle.p99),
      2,
    )} ms idle`,
    ratio: `${fmt(
      m((p) => p.busy.p99 / p.idle.p99),
      2,
    )}x`,
    target: '<= 2.00x',
  };
}

/** Starts A's senders in a child process at the lowest CPU priority; stop() ends them and tallies their outcomes. */
async function startFlood(endpoint: Endpoint, token: string, work: Workload): Promise<{ stop(): Promise<Record<string, number>> }> {
  const child = fork(path.join(__dirname, 'noisy-flood.js'), [], {
    execPath: 'nice',
    execArgv: ['-n', '19', process.execPath],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the flood process ended (${code})`))));
  const message = <T>() => Promise.race([new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T))), exited]);
  const ready = message<'flooding'>();
  child.send({ endpoint, token, work });
  await ready;
  return {
    async stop() {
      const tally = message<Record<string, number>>();
      child.send('stop');
      const result = await tally;
      child.disconnect();
      return result;
    },
  };
}
