import http from 'node:http';

/** HTTP to the api as a client would: bounded by a timeout, never hanging on a dead process. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const REQUEST_TIMEOUT_MS = 30_000;

export interface HttpResult {
  status: number;
  body: string;
}

export function request(url: string, body: string, headers: Record<string, string>): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function closeAgent(): void {
  agent.destroy();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A GraphQL call, retried while the api is unreachable or answers 5xx (it may be restarting
 * between scenarios); a GraphQL error is thrown at once with its code.
 */
export async function gql<T = any>(
  base: () => string,
  token: string | null,
  query: string,
  variables: Record<string, unknown> = {},
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (let attempt = 0; ; attempt++) {
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (token) headers.authorization = `Bearer ${token}`;
      const res = await request(`${base()}/graphql`, JSON.stringify({ query, variables }), headers);
      if (res.status < 500) {
        const parsed = JSON.parse(res.body);
        if (parsed.errors?.length) {
          const e = parsed.errors[0];
          throw Object.assign(new Error(`${e.extensions?.code ?? 'error'}: ${e.message}`), { graphql: true });
        }
        return parsed.data as T;
      }
      last = `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
    } catch (err) {
      if ((err as { graphql?: boolean }).graphql) throw err;
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`GraphQL call failed for ${timeoutMs} ms: ${last}`);
    await sleep(Math.min(2000, 200 * 2 ** Math.min(attempt, 4)));
  }
}

export interface IngestTally {
  /** Events the client sent at least once. */
  sent: number;
  /** Events the api acknowledged (accepted or reported as already stored) in a 200 answer. */
  acked: Set<string>;
  /** Requests that failed (connection error, timeout, non-200) and were resent. */
  retries: number;
  /** Batches given up at the deadline. */
  abandoned: number;
  /** /ingest requests open right now (a kill of the api at such a moment is a kill mid-request). */
  inFlight: number;
  lastError: string | null;
}

export interface IngestOptions {
  base: () => string;
  token: string;
  batchSize: number;
  ratePerSecond: number;
  concurrency: number;
  deadline: number;
}

/**
 * Sends the events through POST /ingest at a steady rate, `concurrency` requests at a time, and
 * resends a batch until the api acknowledges all of it: a connection cut by a dying api, a
 * timeout or a 5xx says nothing about what was stored, so the whole batch goes again (the api
 * reports the events it already had as duplicates, and those are acknowledged too).
 */
export async function ingestAll(lines: Array<{ id: string; line: string }>, opts: IngestOptions, tally: IngestTally): Promise<void> {
  const batches: Array<typeof lines> = [];
  for (let i = 0; i < lines.length; i += opts.batchSize) batches.push(lines.slice(i, i + opts.batchSize));
  const started = Date.now();
  let next = 0;
  const sender = async () => {
    for (;;) {
      const index = next++;
      if (index >= batches.length) return;
      const batch = batches[index]!;
      const due = started + (index * opts.batchSize * 1000) / opts.ratePerSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      tally.sent += batch.length;
      const body = batch.map((e) => e.line).join('\n') + '\n';
      for (let attempt = 0; ; attempt++) {
        try {
          tally.inFlight++;
          const res = await request(`${opts.base()}/ingest`, body, {
            'content-type': 'application/x-ndjson',
            authorization: `Bearer ${opts.token}`,
          }).finally(() => tally.inFlight--);
          if (res.status === 200) {
            const summary = JSON.parse(res.body) as { accepted: number; duplicates: number; failed: number; errors: unknown[] };
            if (summary.failed > 0)
              throw Object.assign(new Error(`the api refused events of a batch: ${JSON.stringify(summary.errors).slice(0, 300)}`), {
                fatal: true,
              });
            if (summary.accepted + summary.duplicates === batch.length) {
              for (const e of batch) tally.acked.add(e.id);
              break;
            }
            tally.lastError = `answer counted ${summary.accepted + summary.duplicates} of ${batch.length} events`;
          } else {
            tally.lastError = `HTTP ${res.status}: ${res.body.slice(0, 200)}`;
          }
        } catch (err) {
          if ((err as { fatal?: boolean }).fatal) throw err;
          tally.lastError = (err as Error).message;
        }
        tally.retries++;
        if (Date.now() > opts.deadline) {
          tally.abandoned++;
          break;
        }
        await sleep(Math.min(2000, 100 * 2 ** Math.min(attempt, 5)));
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, sender));
}
