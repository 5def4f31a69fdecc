/**
 * Noisy neighbour: tenant B's lookupEvents latency while idle, then while tenant A floods the
 * api with everything one account can send at once: alias documents at the root-field cap,
 * documents far past it, CloudTrail Lake queries and /ingest bodies of 1,000 events. A does not
 * back off when throttled, as an attacker would not. Both phases run in one run, on one server
 * with its default limits.
 */
import type { TenantCredentials } from '../src/organizations/organization-bootstrap';
import type { AppProcess } from './lib/app-process';
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

async function call(app: AppProcess, token: string, query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-region': REGION },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function ingest(app: AppProcess, token: string, body: string): Promise<number> {
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
  return Array.from({ length: count }, (_, i) => JSON.stringify(syntheticEvent(accountId, REGION, new Date(now - 60_000 - (offset + i) * 1000), offset + i))).join('\n') + '\n';
}

/** B's lookups, one after another (a first page, then its next page), in milliseconds. */
async function lookups(app: AppProcess, b: BenchTenant, samples: number): Promise<number[]> {
  const ms: number[] = [];
  let after: string | null = null;
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    const res = await call(app, b.token, LOOKUP, { after });
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (res.status !== 200 || res.body?.errors) throw new Error(`tenant B's lookup failed (${res.status}): ${JSON.stringify(res.body).slice(0, 300)}`);
    const page = res.body.data.lookupEvents.pageInfo;
    after = page.hasNextPage && i % 2 === 0 ? page.endCursor : null;
  }
  return ms;
}

export async function benchNoisyNeighbour(app: AppProcess, a: BenchTenant, b: BenchTenant, samples: number): Promise<Row[]> {
  // B's own history to look through; A's store to query.
  for (let k = 0; k < 5; k++) {
    const status = await ingest(app, b.token, ndjson(b.creds.accountId, 1000, k * 1000));
    if (status !== 200) throw new Error(`seeding tenant B's history: /ingest answered ${status}`);
  }
  const store = await call(app, a.token, 'mutation($input: CreateEventDataStoreInput!) { createEventDataStore(input: $input) { eventDataStoreArn } }', {
    input: { name: 'noisy-neighbour', retentionPeriod: 7, terminationProtectionEnabled: false },
  });
  const storeId = String(store.body?.data?.createEventDataStore?.eventDataStoreArn ?? '').split('/').pop();
  if (!storeId) throw new Error(`creating tenant A's event data store: ${JSON.stringify(store.body).slice(0, 300)}`);
  const lake = `SELECT eventName, count(*) AS calls FROM ${storeId} GROUP BY eventName ORDER BY calls DESC`;
  const atCap = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: listRegions { regionName description }`).join(' ')} }`;
  const pastCap = `{ ${Array.from({ length: 1900 }, (_, i) => `a${i}: listRegions { regionName description }`).join(' ')} }`;
  const ingestBody = ndjson(a.creds.accountId, 1000, 10_000);

  await lookups(app, b, 30); // warm-up, not measured
  const idle = summarize(await lookups(app, b, samples));

  const outcomes = new Map<string, number>();
  const count = (status: number) => {
    const outcome = status === 200 ? 'answered' : status === 429 ? 'throttled' : status === 0 ? 'failed' : `status ${status}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
  };
  let flooding = true;
  const loop = (send: () => Promise<number>) => (async () => {
    while (flooding) count(await send().catch(() => 0));
  })();
  const flood = [
    ...Array.from({ length: 8 }, () => loop(async () => (await call(app, a.token, atCap)).status)),
    ...Array.from({ length: 4 }, () => loop(async () => (await call(app, a.token, pastCap)).status)),
    ...Array.from({ length: 4 }, () => loop(async () => (await call(app, a.token, 'mutation($input: StartQueryInput!) { startQuery(input: $input) { queryId } }', { input: { queryStatement: lake } })).status)),
    ...Array.from({ length: 4 }, () => loop(() => ingest(app, a.token, ingestBody))),
  ];
  await new Promise((resolve) => setTimeout(resolve, 1000)); // let the flood reach its limits
  const busy = summarize(await lookups(app, b, samples));
  flooding = false;
  await Promise.all(flood);

  const ratio = busy.p99 / idle.p99;
  const tally = [...outcomes].map(([k, v]) => `${fmt(v)} ${k}`).join(', ');
  return [
    {
      benchmark: `noisy neighbour: tenant B lookupEvents p99 while tenant A floods (aliases, Lake queries, /ingest; A's requests: ${tally})`,
      measured: `p50 ${fmt(busy.p50, 2)} / p99 ${fmt(busy.p99, 2)} ms (${busy.n} samples)`,
      baseline: `p50 ${fmt(idle.p50, 2)} / p99 ${fmt(idle.p99, 2)} ms idle`,
      ratio: `${fmt(ratio, 2)}x`,
      target: '<= 2.00x',
    },
  ];
}
