import { randomUUID } from 'node:crypto';
import type { KeyUseService } from '../../kms/key-use.service';
import type { Logger } from 'pino';
import { Errors } from '../../common/errors';
import { decodePageToken, encodePageToken } from '../../common/page-token';
import { type RequestContext, tenantOf } from '../../common/request-context';
import type { Config } from '../../config';
import type { Database } from '../../db/database';
import type { OutboxService } from '../../events/outbox.service';
import { evaluate } from '../../policies/policy-evaluator';
import { QUEUES } from '../../../workers/queues';
import { resolveStore } from '../event-data-store-access';
import type { EventDataStoreEntity } from '../event-data-store.entity';
import { compileLakeQuery, loadLakeSqlParser } from '../sql/lake-sql.compiler';
import { InvalidQueryStatement } from '../sql/lake-sql.errors';
import { LAKE_QUERY_STATUSES, LakeQueryEntity, type LakeQueryStatistics, type LakeQueryStatus, TERMINAL_STATUSES } from './lake-query.entity';
import { LakeQueryErrors } from './lake-query.errors';
import { RESULT_BATCH_ROWS, runLakeStatement } from './lake-query.runner';
import { type LakeReaderPool, registerReaderBackend } from './lake-reader';
import { deliverResults, parseDeliveryUri } from './lake-query.delivery';
import type { ResultSigner } from './result-signer';
import type { StorageService } from '../../storage/storage.service';

/** CloudTrail: at most 10 queued and running queries per account and Region. */
export const MAX_CONCURRENT_QUERIES = 10;
/** CloudTrail keeps queries and their results 7 days. */
export const QUERY_RETENTION_DAYS = 7;
const DAY_MS = 86_400_000;
/** Stores whose data can be queried (spec §8.1.2: a stopped store still answers queries). */
const QUERYABLE = new Set(['ENABLED', 'STOPPED_INGESTION', 'STARTING_INGESTION', 'STOPPING_INGESTION']);
const QUERY_ID = /^[a-f0-9-]{36}$/;

export interface StartQueryInput {
  queryStatement?: string | null;
  queryAlias?: string | null;
  deliveryS3Uri?: string | null;
  eventDataStoreOwnerAccountId?: string | null;
}

export interface QueryResultsPage {
  query: LakeQueryEntity;
  rows: Array<Array<Record<string, string | null>>>;
  totalResultsCount: number;
  nextToken: string | null;
}

export interface ListQueriesInput {
  eventDataStore: string;
  startTime?: Date | null;
  endTime?: Date | null;
  queryStatus?: string | null;
  maxResults?: number | null;
  nextToken?: string | null;
}

/**
 * The query lifecycle (spec §8.2): startQuery compiles and checks the statement, resolves and
 * authorizes every data store it names, and queues it (queue `lake-query`); the worker runs it
 * (run) and stores the rows in batches; describe/getQueryResults/list read the row; cancelQuery
 * cancels the backend statement from any process. Statements never run as the application: see
 * lake-query.runner.ts for the walls.
 */
export class LakeQueryService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly outbox: OutboxService,
    private readonly logger: Logger,
    private readonly storage: StorageService,
    /** Signs result_sign.json with the Region's signing key (result-signer.ts). */
    readonly signer: ResultSigner,
    /** Connections whose session user is the reader role (lake-reader.ts). */
    readonly reader: LakeReaderPool,
    /** Checks a store's customer managed key (src/kms): a disabled, deleted or revoked key makes the store unqueryable. */
    private readonly keys: Pick<KeyUseService, 'checkEventDataStoreKey'>,
  ) {
    void loadLakeSqlParser();
  }

  async startQuery(ctx: RequestContext, input: StartQueryInput): Promise<{ queryId: string }> {
    if (input.queryAlias) throw Errors.invalidParameter('queryAlias is for dashboard queries, which are not offered; pass queryStatement.');
    const statement = input.queryStatement;
    if (!statement) throw Errors.invalidParameter('queryStatement is required.');
    if (input.eventDataStoreOwnerAccountId && input.eventDataStoreOwnerAccountId !== ctx.caller.accountId) {
      throw Errors.invalidParameter('eventDataStoreOwnerAccountId must be the caller\'s account: stores shared by resource policy are not offered.');
    }
    if (input.deliveryS3Uri) parseDeliveryUri(input.deliveryS3Uri);
    await loadLakeSqlParser();
    const compiled = compileLakeQuery(statement);

    const stores = await this.db.inTenant(tenantOf(ctx), async (m) => {
      const out: EventDataStoreEntity[] = [];
      for (const id of compiled.storeIds) out.push(await resolveStore(m, ctx, id));
      return out;
    });
    for (const store of stores) {
      if (!QUERYABLE.has(store.status)) throw LakeQueryErrors.inactiveStore(store.arn, store.status);
      if (evaluate(ctx.caller.policies, 'cloudtrail:StartQuery', store.arn) !== 'Allow') {
        throw Errors.accessDenied('cloudtrail:StartQuery', store.arn, ctx.caller.identity.arn);
      }
      // Spec §7: a store whose key is disabled, deleted or no longer lets CloudTrail decrypt cannot be queried.
      if (store.kmsKeyId) await this.keys.checkEventDataStoreKey(store.kmsKeyId, { region: store.region, accountId: store.accountId, storeArn: store.arn });
    }
    // CloudTrail checks the results bucket at start (S3BucketDoesNotExistException,
    // InsufficientS3BucketPolicyException), with the rule the delivery's writes will meet.
    if (input.deliveryS3Uri) {
      const target = parseDeliveryUri(input.deliveryS3Uri);
      await this.storage.checkQueryResultBucket(target.bucket, { source: { accountId: ctx.caller.accountId, arns: stores.map((s) => s.arn) }, prefix: target.prefix });
    }
    const estimate = await this.plan(compiled.sql);

    const id = randomUUID();
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      // Serialize an account's starts so that the limit holds under concurrent calls.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('lake-query:' || $1 || ':' || $2))`, [ctx.caller.accountId, ctx.region]);
      const [{ n }] = await m.query(
        `SELECT count(*)::int AS n FROM lake_queries WHERE account_id = $1 AND region = $2 AND status IN ('QUEUED', 'RUNNING')`,
        [ctx.caller.accountId, ctx.region],
      );
      if (n >= MAX_CONCURRENT_QUERIES) throw LakeQueryErrors.maxConcurrent(MAX_CONCURRENT_QUERIES);
      await m.insert(LakeQueryEntity, {
        id,
        accountId: ctx.caller.accountId,
        region: ctx.region,
        statement,
        compiledSql: compiled.sql,
        columns: compiled.columns,
        eventDataStoreIds: compiled.storeIds,
        status: 'QUEUED',
        statistics: { ...estimate, executionTimeInMillis: 0, resultsCount: 0 },
        timeoutSeconds: this.config.lakeQueryTimeoutSeconds,
        deliveryS3Uri: input.deliveryS3Uri ?? null,
        deliveryStatus: input.deliveryS3Uri ? 'PENDING' : null,
      });
    });
    this.enqueue(id);
    return { queryId: id };
  }

  /**
   * Plans the statement under the reader role (EXPLAIN, nothing runs): errors PostgreSQL finds
   * only with the catalog at hand (types, ambiguous names) are reported at start, as CloudTrail
   * does; the plan's row and width estimates are the scan statistics.
   */
  private async plan(sql: string): Promise<Pick<LakeQueryStatistics, 'eventsMatched' | 'eventsScanned' | 'bytesScanned'>> {
    const client = await this.reader.connect();
    let broken: Error | undefined;
    try {
      // Planned as the reader (constant folding runs immutable functions): same walls as the run.
      const res = (await client.query(`RESET ALL; SET statement_timeout = 10000; EXPLAIN (FORMAT JSON) ${sql}`)) as unknown as Array<{ rows: Array<Record<string, string>> }>;
      const plan = JSON.parse(res[res.length - 1].rows[0]['QUERY PLAN'])[0].Plan;
      let scanned = 0;
      let bytes = 0;
      const walk = (node: Record<string, any>) => {
        if (typeof node['Relation Name'] === 'string' && node['Relation Name'].startsWith('lake_events')) {
          scanned += Number(node['Plan Rows'] ?? 0);
          bytes += Number(node['Plan Rows'] ?? 0) * Number(node['Plan Width'] ?? 0);
        }
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(plan);
      return { eventsMatched: Math.round(scanned), eventsScanned: Math.round(scanned), bytesScanned: Math.round(bytes) };
    } catch (err) {
      broken = err as Error;
      const e = err as { code?: string; message?: string };
      // Syntax and name (42), data (22, e.g. constants folded while planning), program limits (54:
      // too complex, too many columns or arguments) and unsupported features (0A) are the statement's.
      if (e.code && /^(42|22|54|0A)/.test(e.code)) throw new InvalidQueryStatement(e.message ?? 'The query statement is not valid.');
      throw err;
    } finally {
      client.release(broken);
    }
  }

  private enqueue(id: string): void {
    this.outbox
      .queue(QUEUES.lakeQuery)
      .add('run', { queryId: id }, { jobId: `lake-query-${id}`, removeOnComplete: true, removeOnFail: { count: 100 } })
      .catch((err) => this.logger.warn({ queryId: id, err: (err as Error).message }, 'lake query not enqueued; the sweep will run it'));
  }

  async describeQuery(ctx: RequestContext, queryId: string): Promise<LakeQueryEntity> {
    return this.find(ctx, queryId);
  }

  private async find(ctx: RequestContext, queryId: string): Promise<LakeQueryEntity> {
    if (!QUERY_ID.test(queryId)) throw LakeQueryErrors.queryNotFound(queryId);
    const row = await this.db.inTenant(tenantOf(ctx), (m) => m.findOneBy(LakeQueryEntity, { id: queryId, accountId: ctx.caller.accountId }));
    if (!row || row.region !== ctx.region || row.createdAt.getTime() < Date.now() - QUERY_RETENTION_DAYS * DAY_MS) {
      throw LakeQueryErrors.queryNotFound(queryId);
    }
    return row;
  }

  async getQueryResults(ctx: RequestContext, input: { queryId: string; maxQueryResults?: number | null; nextToken?: string | null }): Promise<QueryResultsPage> {
    const max = input.maxQueryResults ?? 1000;
    if (!Number.isInteger(max) || max < 1 || max > 1000) throw LakeQueryErrors.invalidMaxResults();
    let offset = 0;
    if (input.nextToken != null) {
      const key = decodePageToken(input.nextToken);
      const m = key ? /^([0-9a-f-]{36}):(\d{1,12})$/.exec(key) : null;
      if (!m || m[1] !== input.queryId) throw LakeQueryErrors.invalidNextToken();
      offset = Number(m[2]);
    }
    const query = await this.find(ctx, input.queryId);
    const first = Math.floor(offset / RESULT_BATCH_ROWS);
    const last = Math.floor((offset + max - 1) / RESULT_BATCH_ROWS);
    const { batches, stored } = await this.db.inTenant(tenantOf(ctx), async (m) => {
      const rows: Array<{ batch: number; rows: Array<Array<string | null>> }> = await m.query(
        `SELECT batch, rows FROM lake_query_results WHERE account_id = $1 AND query_id = $2 AND batch BETWEEN $3 AND $4 ORDER BY batch`,
        [ctx.caller.accountId, query.id, first, last],
      );
      const [{ total }] = await m.query(
        `SELECT coalesce(sum(row_count), 0)::int AS total FROM lake_query_results WHERE account_id = $1 AND query_id = $2`,
        [ctx.caller.accountId, query.id],
      );
      return { batches: rows, stored: Number(total) };
    });
    const flat: Array<Array<string | null>> = [];
    for (const b of batches) {
      const base = b.batch * RESULT_BATCH_ROWS;
      b.rows.forEach((r, i) => {
        const at = base + i;
        if (at >= offset && at < offset + max) flat.push(r);
      });
    }
    const columns = query.columns;
    const rows = flat.map((r) => r.map((v, i) => ({ [columns[i] ?? `_col${i}`]: v })));
    const next = offset + flat.length;
    return { query, rows, totalResultsCount: stored, nextToken: next < stored ? encodePageToken(`${query.id}:${next}`) : null };
  }

  async cancelQuery(ctx: RequestContext, queryId: string): Promise<LakeQueryEntity> {
    await this.find(ctx, queryId);
    const cancelled = await this.db.inTenant(tenantOf(ctx), async (m) => {
      const [row] = await m.query(`SELECT status, backend_pid FROM lake_queries WHERE id = $1 AND account_id = $2 FOR UPDATE`, [queryId, ctx.caller.accountId]);
      if (!row) throw LakeQueryErrors.queryNotFound(queryId);
      if (TERMINAL_STATUSES.includes(row.status)) throw LakeQueryErrors.inactiveQuery(queryId, row.status);
      await m.query(`UPDATE lake_queries SET status = 'CANCELLED', finished_at = now() WHERE id = $1`, [queryId]);
      return row as { backend_pid: number | null };
    });
    if (cancelled.backend_pid !== null) await this.cancelBackend(queryId, cancelled.backend_pid);
    return this.find(ctx, queryId);
  }

  /** Cancels the runner's statement: only that backend, recognised by pid and application_name. */
  private async cancelBackend(queryId: string, pid: number): Promise<void> {
    await this.db.asService(
      (c) => c.query(`SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND application_name = $2`, [pid, applicationName(queryId)]),
      { transaction: false },
    );
  }

  async listQueries(ctx: RequestContext, input: ListQueriesInput): Promise<{ queries: LakeQueryEntity[]; nextToken: string | null }> {
    const max = input.maxResults ?? 1000;
    if (!Number.isInteger(max) || max < 1 || max > 1000) throw LakeQueryErrors.invalidMaxResults();
    if (input.queryStatus != null && !LAKE_QUERY_STATUSES.includes(input.queryStatus as LakeQueryStatus)) throw LakeQueryErrors.invalidQueryStatus(input.queryStatus);
    if (input.startTime && input.endTime && input.startTime.getTime() > input.endTime.getTime()) throw LakeQueryErrors.invalidDateRange();
    let after: { createdAt: string; id: string } | null = null;
    if (input.nextToken != null) {
      const key = decodePageToken(input.nextToken);
      const m = key ? /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\|([0-9a-f-]{36})$/.exec(key) : null;
      if (!m) throw LakeQueryErrors.invalidNextToken();
      after = { createdAt: m[1], id: m[2] };
    }
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const store = await resolveStore(m, ctx, input.eventDataStore);
      const since = new Date(Math.max(Date.now() - QUERY_RETENTION_DAYS * DAY_MS, input.startTime?.getTime() ?? 0));
      const params: unknown[] = [ctx.caller.accountId, store.id, since, input.endTime ?? new Date(8.64e15), ctx.region];
      let sql = `SELECT id FROM lake_queries WHERE account_id = $1 AND $2 = ANY (event_data_store_ids)
        AND created_at >= $3 AND created_at <= $4 AND region = $5`;
      if (input.queryStatus) sql += ` AND status = $${params.push(input.queryStatus)}`;
      if (after) sql += ` AND (created_at, id) < ($${params.push(after.createdAt)}::timestamptz, $${params.push(after.id)}::uuid)`;
      sql += ` ORDER BY created_at DESC, id DESC LIMIT ${max + 1}`;
      const ids: Array<{ id: string }> = await m.query(sql, params);
      const page = ids.slice(0, max);
      const rows = page.length ? await m.getRepository(LakeQueryEntity).findBy(page.map((r) => ({ id: r.id }))) : [];
      const byId = new Map(rows.map((r) => [r.id, r]));
      const queries = page.map((r) => byId.get(r.id)!).filter(Boolean);
      const last = queries[queries.length - 1];
      return { queries, nextToken: ids.length > max && last ? encodePageToken(`${last.createdAt.toISOString()}|${last.id}`) : null };
    });
  }

  /** Closes the reader connections. */
  close(): Promise<void> {
    return this.reader.close();
  }

  /** The worker: runs one queued query to a terminal status. Safe to call twice (the claim is atomic). */
  async run(queryId: string): Promise<LakeQueryStatus | null> {
    const pool = this.db.pool;
    const claimed = await pool.query(
      `UPDATE lake_queries SET status = 'RUNNING', started_at = now() WHERE id = $1 AND status = 'QUEUED'
       RETURNING account_id, region, columns, compiled_sql, event_data_store_ids, timeout_seconds, statistics, delivery_s3_uri`,
      [queryId],
    );
    if (claimed.rowCount === 0) return null;
    const q = claimed.rows[0] as {
      account_id: string; region: string; columns: string[]; compiled_sql: string; event_data_store_ids: string[];
      timeout_seconds: number; statistics: LakeQueryStatistics; delivery_s3_uri: string | null;
    };
    const started = Date.now();
    // The row-level security policy admits the stores of the RUNNING row carrying the reader's
    // pid: onStarted registers it before the statement starts.
    const outcome = await runLakeStatement(
      this.reader,
      { statementSql: q.compiled_sql, timeoutMs: q.timeout_seconds * 1000, maxResultBytes: this.config.lakeQueryMaxResultBytes, applicationName: applicationName(queryId) },
      {
        onStarted: (pid) => registerReaderBackend(pool, queryId, pid),
        onBatch: async (batch, rows) => {
          await pool.query(
            `INSERT INTO lake_query_results (account_id, query_id, batch, row_count, rows) VALUES ($1, $2, $3, $4, $5::jsonb)
             ON CONFLICT DO NOTHING`,
            [q.account_id, queryId, batch, rows.length, JSON.stringify(rows)],
          );
        },
      },
    );
    const status: LakeQueryStatus =
      outcome.kind === 'finished' ? 'FINISHED' : outcome.kind === 'timed_out' ? 'TIMED_OUT' : outcome.kind === 'cancelled' ? 'CANCELLED' : 'FAILED';
    const statistics: LakeQueryStatistics = { ...q.statistics, executionTimeInMillis: Date.now() - started, resultsCount: outcome.rows };
    const error = outcome.kind === 'failed' ? outcome.message.slice(0, 1000).padEnd(4, '.') : outcome.kind === 'timed_out' ? 'Query timed out.' : null;
    // A cancelled query keeps CANCELLED (set by cancelQuery); everything else ends here.
    await pool.query(
      `UPDATE lake_queries SET status = CASE WHEN status = 'RUNNING' THEN $2 ELSE status END, error_message = CASE WHEN status = 'RUNNING' THEN $3 ELSE error_message END,
         statistics = $4, finished_at = coalesce(finished_at, now()), backend_pid = NULL WHERE id = $1`,
      [queryId, status, error, JSON.stringify(statistics)],
    );
    if (q.delivery_s3_uri) await this.deliver(queryId, q, outcome.kind === 'finished' ? null : outcome.kind === 'cancelled' ? 'CANCELLED' : 'FAILED');
    return status;
  }

  /**
   * Delivers a finished query's rows to its deliveryS3Uri (lake-query.delivery.ts); partial
   * (timed-out, failed, cancelled) results are not delivered (spec §6.9).
   */
  private async deliver(queryId: string, q: { account_id: string; region: string; columns: string[]; event_data_store_ids: string[]; delivery_s3_uri: string | null }, notDelivered: string | null): Promise<void> {
    const pool = this.db.pool;
    let status: string = notDelivered ?? 'FAILED';
    if (!notDelivered) {
      const [final] = (await pool.query(`SELECT status, finished_at FROM lake_queries WHERE id = $1`, [queryId])).rows;
      if (final?.status !== 'FINISHED') status = 'CANCELLED';
      else {
        async function* batches() {
          for (let b = 0; ; b++) {
            const { rows } = await pool.query(`SELECT rows FROM lake_query_results WHERE account_id = $1 AND query_id = $2 AND batch = $3`, [q.account_id, queryId, b]);
            if (!rows.length) return;
            yield rows[0].rows as Array<Array<string | null>>;
          }
        }
        const storeArns = (await pool.query(`SELECT arn FROM event_data_stores WHERE id = ANY($1::uuid[]) ORDER BY arn`, [q.event_data_store_ids])).rows.map((r) => r.arn as string);
        status = await deliverResults(this.storage, this.signer, {
          id: queryId, accountId: q.account_id, region: q.region, columns: q.columns, storeArns,
          target: parseDeliveryUri(q.delivery_s3_uri!), completedAt: new Date(final.finished_at),
        }, batches()).catch((err) => {
          this.logger.warn({ queryId, err: (err as Error).message }, 'lake query result delivery failed');
          return 'FAILED' as const;
        });
      }
    }
    await pool.query(`UPDATE lake_queries SET delivery_status = $2 WHERE id = $1`, [queryId, status]);
  }

  /**
   * Retention (called by the lake-retention job): queries and results older than 7 days go;
   * a RUNNING query whose runner backend is gone (worker died) becomes FAILED; a QUEUED one whose
   * job was lost is queued again.
   */
  async expire(now = new Date()): Promise<{ expired: number; failed: number; requeued: number }> {
    return this.db.asService(async (c) => {
      const cutoff = new Date(now.getTime() - QUERY_RETENTION_DAYS * DAY_MS);
      await c.query(`DELETE FROM lake_query_results r USING lake_queries q WHERE q.id = r.query_id AND q.created_at < $1`, [cutoff]);
      const expired = await c.query(`DELETE FROM lake_queries WHERE created_at < $1`, [cutoff]);
      const failed = await c.query(
        `UPDATE lake_queries q SET status = 'FAILED', error_message = 'The query runner stopped before the query finished.', finished_at = now(), backend_pid = NULL
         WHERE status = 'RUNNING' AND started_at < $1
           AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = 'lake-query:' || q.id::text)`,
        [new Date(now.getTime() - 60_000)],
      );
      const queued = await c.query(`SELECT id FROM lake_queries WHERE status = 'QUEUED' AND created_at < $1`, [new Date(now.getTime() - 60_000)]);
      for (const r of queued.rows) this.enqueue(r.id);
      return { expired: expired.rowCount ?? 0, failed: failed.rowCount ?? 0, requeued: queued.rowCount ?? 0 };
    }, { transaction: true });
  }
}

export const applicationName = (queryId: string) => `lake-query:${queryId}`;
