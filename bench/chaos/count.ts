import { gunzipSync } from 'node:zlib';
import { Queue } from 'bullmq';
import type { Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import { QUEUE_NAMES } from '../../src/jobs/queues';
import { gql } from './client';
import type { Cluster } from './cluster';
import type { WebhookReceiver } from './receiver';
import type { Destinations } from './setup';

/** How many times each event id of a scenario was found at one destination. */
export type Occurrences = Map<string, number>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ids of one scenario share a prefix: `<run>-<scenario>-4000-8000-<sequence>`. */
export function eventId(run: string, scenario: number, seq: number): string {
  return `${run}-${scenario.toString(16).padStart(4, '0')}-4000-8000-${seq.toString(16).padStart(12, '0')}`;
}

export function scenarioPrefix(run: string, scenario: number): string {
  return `${run}-${scenario.toString(16).padStart(4, '0')}-`;
}

function tallyInto(map: Occurrences, id: string): void {
  map.set(id, (map.get(id) ?? 0) + 1);
}

export interface QuietState {
  unroutedOutbox: number;
  pendingTrailEvents: number;
  pendingLogFiles: number;
  pendingWebhooks: number;
  undigestedLogFiles: number;
  queuedJobs: number;
}

/** What still has to happen before the run is quiet (empty when it is). */
export async function quietState(cluster: Cluster): Promise<QuietState> {
  const { rows } = await cluster.pool.query(`SELECT
    (SELECT count(*) FROM event_outbox WHERE routed_at IS NULL)::int AS unrouted,
    (SELECT count(*) FROM trail_pending_events)::int AS pending_events,
    (SELECT count(*) FROM trail_log_files WHERE state = 'pending')::int AS pending_files,
    (SELECT count(*) FROM webhook_deliveries)::int AS webhooks,
    (SELECT count(*) FROM trail_log_files f WHERE f.state = 'delivered' AND f.kind = 'CloudTrail'
       AND NOT EXISTS (SELECT 1 FROM digest_log_files d WHERE d.log_file_id = f.id))::int AS undigested`);
  const r = rows[0];
  return {
    unroutedOutbox: r.unrouted,
    pendingTrailEvents: r.pending_events,
    pendingLogFiles: r.pending_files,
    pendingWebhooks: r.webhooks,
    undigestedLogFiles: r.undigested,
    queuedJobs: await queuedJobs(cluster),
  };
}

/** Waiting and active BullMQ jobs of every queue (delayed ones are schedules and backoffs, seen in the tables above). */
async function queuedJobs(cluster: Cluster): Promise<number> {
  let total = 0;
  for (const name of QUEUE_NAMES) {
    const queue = new Queue(name, {
      connection: { url: cluster.env.REDIS_URL, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2000 },
      prefix: cluster.env.REDIS_PREFIX,
    });
    queue.on('error', () => undefined);
    try {
      const counts = await queue.getJobCounts('waiting', 'active', 'prioritized');
      total += (counts.waiting ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0);
    } finally {
      await queue.close().catch(() => undefined);
    }
  }
  return total;
}

/**
 * Waits until everything acknowledged has been routed, delivered, sent and digested and no job is
 * waiting, twice in a row a second apart; returns null when quiet, else what was still pending.
 */
export async function waitForQuiet(cluster: Cluster, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let quietOnce = false;
  let last = 'nothing measured yet';
  while (Date.now() < deadline) {
    try {
      const state = await quietState(cluster);
      const busy = Object.entries(state).filter(([, n]) => n > 0);
      last = busy.map(([k, n]) => `${k}=${n}`).join(', ');
      if (busy.length === 0 && cluster.alive('api') && cluster.alive('workers')) {
        if (quietOnce) return null;
        quietOnce = true;
      } else {
        quietOnce = false;
      }
    } catch (err) {
      last = `state unreadable: ${(err as Error).message}`;
      quietOnce = false;
    }
    await sleep(1000);
  }
  return `not quiet after ${Math.round(timeoutMs / 1000)} s (${last || 'a process was down'})`;
}

export async function historyOccurrences(pool: Pool, d: Destinations, run: string, scenario: number): Promise<Occurrences> {
  const { rows } = await pool.query(
    `SELECT event_id::text AS id, count(*)::int AS n FROM events
      WHERE account_id = $1 AND event_id BETWEEN $2::uuid AND $3::uuid GROUP BY 1`,
    [d.accountId, eventId(run, scenario, 0), eventId(run, scenario, 0xffffffffffff)],
  );
  return new Map(rows.map((r) => [r.id as string, r.n as number]));
}

/**
 * Reads the trail's log files back through the storage backend (listing the bucket, decrypting,
 * inflating), as a consumer of the bucket would. Objects are never modified once delivered, so
 * each key is read once per run.
 */
export class TrailReader {
  private readonly store: ObjectStore;
  private readonly seen = new Map<string, string[]>();

  constructor(
    cluster: Cluster,
    private readonly d: Destinations,
  ) {
    this.store = createObjectStore(loadConfig({ ...process.env, ...cluster.env }));
  }

  async occurrences(prefix: string): Promise<{ occurrences: Occurrences; files: number }> {
    const keyPrefix = `AWSLogs/${this.d.accountId}/CloudTrail/`;
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.store.listObjects(this.d.bucket, { prefix: keyPrefix, startAfter, limit: 1000 });
      for (const o of page.objects) {
        if (this.seen.has(o.key)) continue;
        const obj = await this.store.getObject(this.d.bucket, o.key);
        if (!obj) continue;
        const records = JSON.parse(gunzipSync(obj.body).toString('utf8')).Records as Array<{ eventID: string }>;
        this.seen.set(
          o.key,
          records.map((r) => r.eventID),
        );
      }
      if (!page.isTruncated || page.objects.length === 0) break;
      startAfter = page.objects[page.objects.length - 1]!.key;
    }
    const occurrences: Occurrences = new Map();
    let files = 0;
    for (const ids of this.seen.values()) {
      let here = false;
      for (const id of ids) {
        if (!id.startsWith(prefix)) continue;
        tallyInto(occurrences, id);
        here = true;
      }
      if (here) files++;
    }
    return { occurrences, files };
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

const QUERY_DONE = ['FINISHED', 'FAILED', 'CANCELLED', 'TIMED_OUT'];

/** The scenario's events in the Lake store, by a Lake query (startQuery → describeQuery → getQueryResults pages). */
export async function lakeOccurrences(cluster: Cluster, d: Destinations, prefix: string, timeoutMs: number): Promise<Occurrences> {
  const started = await gql(cluster.base, d.token, 'mutation($input: StartQueryInput!) { startQuery(input: $input) { queryId } }', {
    input: { queryStatement: `SELECT eventID FROM ${d.storeId} WHERE eventID LIKE '${prefix}%'` },
  });
  const queryId = started.startQuery.queryId as string;
  const deadline = Date.now() + timeoutMs;
  let status = 'QUEUED';
  let error: string | null = null;
  while (!QUERY_DONE.includes(status)) {
    if (Date.now() > deadline) throw new Error(`Lake query ${queryId} still ${status} after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(500);
    const described = await gql(
      cluster.base,
      d.token,
      'query($input: QueryRefInput!) { describeQuery(input: $input) { queryStatus errorMessage } }',
      { input: { queryId } },
    );
    status = described.describeQuery.queryStatus;
    error = described.describeQuery.errorMessage;
  }
  if (status !== 'FINISHED') throw new Error(`Lake query ${queryId} ended ${status}: ${error}`);
  const occurrences: Occurrences = new Map();
  let nextToken: string | null = null;
  do {
    const page: any = await gql(
      cluster.base,
      d.token,
      'query($input: GetQueryResultsInput!) { getQueryResults(input: $input) { queryResultRows nextToken } }',
      {
        input: { queryId, maxQueryResults: 1000, nextToken },
      },
    );
    for (const row of page.getQueryResults.queryResultRows as Array<Array<Record<string, string>>>)
      tallyInto(occurrences, Object.values(row[0]!)[0]!);
    nextToken = page.getQueryResults.nextToken;
  } while (nextToken);
  return occurrences;
}

export function webhookOccurrences(receiver: WebhookReceiver, prefix: string): Occurrences {
  return new Map([...receiver.accepted].filter(([id]) => id.startsWith(prefix)));
}

export interface DigestVerdict {
  valid: boolean;
  validDigests: number;
  invalidDigests: number;
  validLogFiles: number;
  invalidLogFiles: number;
  summary: string;
}

/** The digest chain's validate-logs verdict (the API's validateLogs, the AWS CLI's algorithm) since `start`. */
export async function validateLogs(cluster: Cluster, d: Destinations, start: Date): Promise<DigestVerdict> {
  const data = await gql(
    cluster.base,
    d.token,
    `query($input: ValidateLogsInput!) { validateLogs(input: $input) { valid validDigests invalidDigests validLogFiles invalidLogFiles summary } }`,
    { input: { trailArn: d.trailArn, startTime: start.toISOString() } },
    120_000,
  );
  return data.validateLogs;
}

export interface ChainVerdict {
  digests: number;
  /** Digests whose window does not start where the previous one of its chain ended. */
  gaps: number;
  /** Digests whose window starts before the previous one ended (two writers of one window). */
  overlaps: number;
}

/**
 * The trail's digest chains since `start`, from the database: each (account, region) chain's
 * windows must follow one another without a gap or an overlap. With several workers processes a
 * digest written twice for a window, or a window skipped, shows here. (That every delivered file
 * is in a digest is part of quiet: quietState's undigestedLogFiles; files the harness's own
 * counting calls cause later are not due yet.)
 */
export async function digestChain(pool: Pool, d: Destinations, start: Date): Promise<ChainVerdict> {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS digests,
            count(*) FILTER (WHERE prev_end IS NOT NULL AND start_time > prev_end)::int AS gaps,
            count(*) FILTER (WHERE prev_end IS NOT NULL AND start_time < prev_end)::int AS overlaps
       FROM (SELECT g.start_time, lag(g.end_time) OVER (PARTITION BY g.account_id, g.region ORDER BY g.end_time, g.start_time) AS prev_end
               FROM digests g JOIN trails t ON t.id = g.trail_id
              WHERE t.trail_arn = $1 AND NOT g.backfill AND g.end_time > $2) w`,
    [d.trailArn, start],
  );
  return rows[0] as ChainVerdict;
}
