import { randomUUID } from 'node:crypto';
import type { KeyUseService } from '../../kms/key-use.service';
import type { Logger } from 'pino';
import { Errors } from '../../common/errors';
import { decodePageToken, encodePageToken } from '../../common/page-token';
import { type RequestContext, tenantOf } from '../../common/request-context';
import type { Config } from '../../config';
import type { Database } from '../../db/database';
import type { OutboxService } from '../../events/outbox.service';
import { authorize } from '../../policies/authorize';
import { lakeQueryJobId, QUEUES } from '../../jobs/queues';
import { resolveStore } from '../event-data-store-access';
import type { EventDataStoreEntity } from '../event-data-store.entity';
import { compileLakeQuery, loadLakeSqlParser } from '../sql/lake-sql.compiler';
import { InvalidQueryStatement } from '../sql/lake-sql.errors';
import {
  LAKE_QUERY_STATUSES,
  LakeQueryEntity,
  type LakeQueryStatistics,
  type LakeQueryStatus,
  TERMINAL_STATUSES,
} from './lake-query.entity';
import { LakeQueryErrors } from './lake-query.errors';
import { type RunOutcome, runLakeStatement } from './lake-query.runner';
import { type LakeReaderPool, registerReaderBackend } from './lake-reader';
import { parseDeliveryUri } from './lake-query.delivery';
import { deliverQueryResults } from './lake-query.result-delivery';
import { type ClaimedQuery, lakeQueryRepository, lakeQueryResultRepository, type LakeResultRow } from './lake-query.repository';
import { ResultBuffer } from './result-buffer';
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
/** startQuery enqueues right after its commit: the sweep leaves younger queries to that job. */
const ENQUEUE_GRACE_SECONDS = 2;
/** A runner whose connections are gone this long after its claim (or its query's end) is dead. */
const ORPHAN_GRACE_SECONDS = 30;

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
    this.buffer = new ResultBuffer(config.lakeQueryBufferBytes);
  }

  /** Result bytes held unstored by every query this process runs (LAKE_QUERY_BUFFER_BYTES). */
  readonly buffer: ResultBuffer;
  /** While the workers shut down, a runner finishes its query but claims no other. */
  private draining = false;

  setDraining(draining: boolean): void {
    this.draining = draining;
  }

  private installationId: Promise<string> | null = null;

  /**
   * This installation's identity, as its database's (the cluster's system identifier and the
   * database name): the same from every process and every spelling of DATABASE_URL.
   */
  installation(): Promise<string> {
    if (!this.installationId) {
      const id = lakeQueryRepository.installationIdentity(this.db.pool);
      id.catch(() => {
        this.installationId = null;
      });
      this.installationId = id;
      return id;
    }
    return this.installationId;
  }

  async startQuery(ctx: RequestContext, input: StartQueryInput): Promise<{ queryId: string }> {
    if (input.queryAlias) throw Errors.invalidParameter('queryAlias is for dashboard queries, which are not offered; pass queryStatement.');
    const statement = input.queryStatement;
    if (!statement) throw Errors.invalidParameter('queryStatement is required.');
    if (input.eventDataStoreOwnerAccountId && input.eventDataStoreOwnerAccountId !== ctx.caller.accountId) {
      throw Errors.invalidParameter(
        "eventDataStoreOwnerAccountId must be the caller's account: stores shared by resource policy are not offered.",
      );
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
      authorize(ctx, 'cloudtrail:StartQuery', store.arn);
      // Spec §7: a store whose key is disabled, deleted or no longer lets CloudTrail decrypt cannot be queried.
      if (store.kmsKeyId)
        await this.keys.checkEventDataStoreKey(store.kmsKeyId, { region: store.region, accountId: store.accountId, storeArn: store.arn });
    }
    // CloudTrail checks the results bucket at start (S3BucketDoesNotExistException,
    // InsufficientS3BucketPolicyException), with the rule the delivery's writes will meet.
    if (input.deliveryS3Uri) {
      const target = parseDeliveryUri(input.deliveryS3Uri);
      await this.storage.checkQueryResultBucket(target.bucket, {
        source: { accountId: ctx.caller.accountId, arns: stores.map((s) => s.arn) },
        prefix: target.prefix,
      });
    }
    await this.plan(compiled.sql);

    const id = randomUUID();
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      // Serialize an account's starts so that the limit holds under concurrent calls.
      await lakeQueryRepository.lockAccountStarts(m, ctx.caller.accountId, ctx.region);
      const n = await lakeQueryRepository.countActive(m, ctx.caller.accountId, ctx.region);
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
        // Measured when the statement has run (execute); nothing is scanned while it waits.
        statistics: { eventsMatched: 0, eventsScanned: 0, bytesScanned: 0, executionTimeInMillis: 0, resultsCount: 0 },
        timeoutSeconds: this.config.lakeQueryTimeoutSeconds,
        deliveryS3Uri: input.deliveryS3Uri ?? null,
        deliveryStatus: input.deliveryS3Uri ? 'PENDING' : null,
      });
    });
    void this.enqueue(id);
    return { queryId: id };
  }

  /**
   * Plans the statement under the reader role (EXPLAIN, nothing runs): errors PostgreSQL finds
   * only with the catalog at hand (types, ambiguous names) are reported at start, as CloudTrail
   * does. Its estimates are not statistics: those are measured when the statement has run.
   */
  private async plan(sql: string): Promise<void> {
    try {
      await this.reader.explain(sql);
    } catch (err) {
      const e = err as { code?: string; message?: string };
      // Syntax and name (42), data (22, e.g. constants folded while planning), program limits (54:
      // too complex, too many columns or arguments) and unsupported features (0A) are the statement's.
      if (e.code && /^(42|22|54|0A)/.test(e.code)) throw new InvalidQueryStatement(e.message ?? 'The query statement is not valid.');
      throw err;
    }
  }

  /** Queues a run job (best effort: the sweep re-queues a query whose job never arrived). */
  private enqueue(id: string, attempt?: number): Promise<void> {
    return this.installation()
      .then((installation) => this.outbox.jobs.enqueue(QUEUES.lakeQuery, 'run', { queryId: id, installation }, attempt))
      .then(
        () => undefined,
        (err) => this.logger.warn({ queryId: id, err: (err as Error).message }, 'lake query not enqueued; the sweep will run it'),
      );
  }

  /** The query, and for a QUEUED one why it waits (`waitReason`, an OpenTrail addition). */
  async describeQuery(ctx: RequestContext, queryId: string): Promise<{ query: LakeQueryEntity; waitReason: string | null }> {
    const query = await this.find(ctx, queryId);
    if (query.status !== 'QUEUED') return { query, waitReason: null };
    // The account's own running queries only: other tenants' load is not the caller's to see.
    const running = await this.db.inTenant(tenantOf(ctx), (m) => lakeQueryRepository.accountRunning(m, query.accountId));
    const max = this.config.lakeQueryMaxRunningPerAccount;
    const waitReason =
      running >= max
        ? `ACCOUNT_RUNNING_LIMIT: ${running} queries of this account are running; at most ${max} run at once per account, the others wait in order.`
        : 'WAITING_FOR_RUNNER: every query runner is busy; the query starts when one is free (accounts with fewer running queries go first).';
    return { query, waitReason };
  }

  private async find(ctx: RequestContext, queryId: string): Promise<LakeQueryEntity> {
    if (!QUERY_ID.test(queryId)) throw LakeQueryErrors.queryNotFound(queryId);
    const row = await this.db.inTenant(tenantOf(ctx), (m) =>
      m.findOneBy(LakeQueryEntity, { id: queryId, accountId: ctx.caller.accountId }),
    );
    if (!row || row.region !== ctx.region || row.createdAt.getTime() < Date.now() - QUERY_RETENTION_DAYS * DAY_MS) {
      throw LakeQueryErrors.queryNotFound(queryId);
    }
    return row;
  }

  async getQueryResults(
    ctx: RequestContext,
    input: { queryId: string; maxQueryResults?: number | null; nextToken?: string | null },
  ): Promise<QueryResultsPage> {
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
    // Batches hold up to RESULT_BATCH_ROWS rows, fewer when they reached their byte cap: a
    // batch's first row is the sum of the row counts before it (row_count only; rows stay unread).
    const { batches, stored } = await this.db.inTenant(tenantOf(ctx), async (m) => ({
      batches: await lakeQueryResultRepository.batchesOverlapping(m, ctx.caller.accountId, query.id, offset, max),
      stored: await lakeQueryResultRepository.storedRowCount(m, ctx.caller.accountId, query.id),
    }));
    const flat: LakeResultRow[] = [];
    for (const b of batches) {
      b.rows.forEach((r, i) => {
        const at = b.first + i;
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
      const row = await lakeQueryRepository.lockForCancel(m, queryId, ctx.caller.accountId);
      if (!row) throw LakeQueryErrors.queryNotFound(queryId);
      if (TERMINAL_STATUSES.includes(row.status)) throw LakeQueryErrors.inactiveQuery(queryId, row.status);
      await lakeQueryRepository.markCancelled(m, queryId);
      return row;
    });
    if (cancelled.backend_pid !== null) await this.cancelBackend(queryId, cancelled.backend_pid);
    return this.find(ctx, queryId);
  }

  /** Cancels the runner's statement: only that backend, recognised by pid and application_name. */
  private async cancelBackend(queryId: string, pid: number): Promise<void> {
    await this.db.asService((c) => lakeQueryRepository.cancelReaderBackend(c, pid, applicationName(queryId)), { transaction: false });
  }

  async listQueries(ctx: RequestContext, input: ListQueriesInput): Promise<{ queries: LakeQueryEntity[]; nextToken: string | null }> {
    const max = input.maxResults ?? 1000;
    if (!Number.isInteger(max) || max < 1 || max > 1000) throw LakeQueryErrors.invalidMaxResults();
    if (input.queryStatus != null && !LAKE_QUERY_STATUSES.includes(input.queryStatus as LakeQueryStatus))
      throw LakeQueryErrors.invalidQueryStatus(input.queryStatus);
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
      const ids = await lakeQueryRepository.idsReadingStore(m, {
        accountId: ctx.caller.accountId,
        storeId: store.id,
        region: ctx.region,
        since,
        until: input.endTime ?? new Date(8.64e15),
        status: input.queryStatus,
        after,
        limit: max + 1,
      });
      const page = ids.slice(0, max);
      const rows = page.length ? await m.getRepository(LakeQueryEntity).findBy(page.map((id) => ({ id }))) : [];
      const byId = new Map(rows.map((r) => [r.id, r]));
      const queries = page.map((id) => byId.get(id)!).filter(Boolean);
      const last = queries[queries.length - 1];
      return { queries, nextToken: ids.length > max && last ? encodePageToken(`${last.createdAt.toISOString()}|${last.id}`) : null };
    });
  }

  /** Closes the reader connections. */
  close(): Promise<void> {
    return this.reader.close();
  }

  /**
   * Runs the query `queryId` to a terminal status if it is QUEUED and its account is under
   * LAKE_QUERY_MAX_RUNNING_PER_ACCOUNT (tests, the bench); null when it was not claimed.
   */
  async run(queryId: string): Promise<LakeQueryStatus | null> {
    const q = await lakeQueryRepository.claimQuery(this.db.pool, this.config.lakeQueryMaxRunningPerAccount, { only: queryId });
    return q ? this.execute(q) : null;
  }

  /**
   * The lake-query job: a job is a free runner, not one query's property. It claims the fairest
   * QUEUED query it may run (its own first among equals; accounts with fewer running queries
   * before others; never more than LAKE_QUERY_MAX_RUNNING_PER_ACCOUNT of one account), runs it,
   * and claims again until nothing is claimable. So a job that finds its own query taken or
   * waiting is never wasted, and a query whose job was lost is run by the next runner that ends.
   */
  async work(prefer?: string, installation?: string): Promise<number> {
    // Two installations (databases) sharing one Redis prefix take each other's jobs; a job
    // taken here would find no query and end as if run, leaving the query QUEUED over there.
    // Failing it says so in the worker log, and the owner's sweep queues the query again.
    if (installation !== undefined && installation !== (await this.installation())) {
      throw new Error(
        `This lake-query job was queued by another OpenTrail installation (${installation.slice(0, 100)}) whose workers share REDIS_PREFIX ${this.config.redisPrefix} with this one; give each installation its own REDIS_PREFIX.`,
      );
    }
    let ran = 0;
    for (;;) {
      if (ran > 0 && this.draining) return ran;
      const q = await lakeQueryRepository.claimQuery(this.db.pool, this.config.lakeQueryMaxRunningPerAccount, {
        prefer: ran === 0 ? prefer : undefined,
      });
      if (!q) return ran;
      await this.execute(q);
      ran++;
    }
  }

  private async execute(q: ClaimedQuery): Promise<LakeQueryStatus> {
    const pool = this.db.pool;
    const queryId = q.id;
    const started = Date.now();
    const limits = {
      maxBytes: this.config.lakeQueryMaxResultBytes,
      maxRowBytes: this.config.lakeQueryMaxRowBytes,
      batchBytes: this.config.lakeQueryBatchBytes,
      buffer: this.buffer,
    };
    // The row-level security policy admits the stores of the RUNNING row carrying the reader's
    // pid: onStarted registers it before the statement starts.
    await loadLakeSqlParser();
    // The statement compiles as it did at start (the compiler is deterministic); only its statistics statement is new here.
    let statisticsSql: string | undefined;
    try {
      statisticsSql = compileLakeQuery(q.statement).statisticsSql;
    } catch {
      statisticsSql = undefined;
    }
    const outcome = await runLakeStatement(
      this.reader,
      {
        statementSql: q.compiled_sql,
        timeoutMs: q.timeout_seconds * 1000,
        limits,
        applicationName: applicationName(queryId),
        statisticsSql,
      },
      {
        onStarted: (pid) => registerReaderBackend(pool, queryId, pid),
        onBatch: (batch, rows) => lakeQueryResultRepository.insertBatch(pool, q.account_id, queryId, batch, rows),
      },
    ).catch((err: Error): RunOutcome => ({ kind: 'failed', rows: 0, message: `The query could not run: ${err.message}` }));
    const status: LakeQueryStatus =
      outcome.kind === 'finished'
        ? 'FINISHED'
        : outcome.kind === 'timed_out'
          ? 'TIMED_OUT'
          : outcome.kind === 'cancelled'
            ? 'CANCELLED'
            : 'FAILED';
    const statistics: LakeQueryStatistics = {
      ...(q.statistics as unknown as LakeQueryStatistics),
      ...(outcome.kind === 'finished' ? outcome.measured : undefined),
      executionTimeInMillis: Date.now() - started,
      resultsCount: outcome.rows,
    };
    const error =
      outcome.kind === 'failed' ? outcome.message.slice(0, 1000).padEnd(4, '.') : outcome.kind === 'timed_out' ? 'Query timed out.' : null;
    // A cancelled query keeps CANCELLED (set by cancelQuery); everything else ends here.
    await lakeQueryRepository.finishRun(pool, queryId, status, error, statistics);
    if (q.delivery_s3_uri) await deliverQueryResults(this.db.pool, this.storage, this.signer, this.logger, queryId);
    return status;
  }

  /**
   * The lake-query sweep (every LAKE_QUERY_SWEEP_SECONDS): a RUNNING query whose runner is gone
   * becomes FAILED; results a dead runner left PENDING are delivered; a claimable QUEUED query
   * whose job is no longer waiting or running (lost in Redis, failed, or completed without
   * claiming it) is queued again under an attempt-suffixed job id.
   */
  async sweep(): Promise<{ failed: number; delivered: number; requeued: number }> {
    const pool = this.db.pool;
    const failed = await lakeQueryRepository.failOrphanedRuns(pool, ORPHAN_GRACE_SECONDS);
    let delivered = 0;
    for (const id of await lakeQueryRepository.undelivered(pool, ORPHAN_GRACE_SECONDS))
      if (await deliverQueryResults(pool, this.storage, this.signer, this.logger, id)) delivered++;
    let requeued = 0;
    const queue = this.outbox.jobs.queue(QUEUES.lakeQuery);
    for (const { id, attempts } of await lakeQueryRepository.claimableQueued(
      pool,
      this.config.lakeQueryMaxRunningPerAccount,
      ENQUEUE_GRACE_SECONDS,
    )) {
      const state = await queue.getJobState(lakeQueryJobId(id, attempts || undefined));
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children')
        continue;
      const attempt = await lakeQueryRepository.nextEnqueueAttempt(pool, id);
      if (attempt === 0) continue; // claimed meanwhile
      await this.enqueue(id, attempt);
      requeued++;
    }
    return { failed, delivered, requeued };
  }

  /**
   * Retention (called by the lake-retention job): queries and their results older than 7 days
   * go; then a sweep (which the lake-query queue also runs every few seconds).
   */
  async expire(now = new Date()): Promise<{ expired: number; failed: number; delivered: number; requeued: number }> {
    const expired = await this.db.asService(
      async (c) => {
        const cutoff = new Date(now.getTime() - QUERY_RETENTION_DAYS * DAY_MS);
        await lakeQueryResultRepository.deleteOfQueriesCreatedBefore(c, cutoff);
        return lakeQueryRepository.deleteCreatedBefore(c, cutoff);
      },
      { transaction: true },
    );
    return { expired, ...(await this.sweep()) };
  }
}

export const applicationName = (queryId: string) => `lake-query:${queryId}`;
