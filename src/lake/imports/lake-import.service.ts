import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Logger } from 'pino';
import { In } from 'typeorm';
import { accountRepository } from '../../accounts/account.repository';
import { type RequestContext, tenantOf } from '../../common/request-context';
import { decodePageToken, encodePageToken } from '../../common/page-token';
import { OpenTrailError } from '../../common/errors';
import { jsonbStorable } from '../../common/jsonb';
import type { Database } from '../../db/database';
import type { OutboxService } from '../../events/outbox.service';
import type { StorageService } from '../../storage/storage.service';
import { QUEUES } from '../../jobs/queues';
import { holdsCloudTrailEvents, resolveStore } from '../event-data-store-access';
import { EventDataStoreEntity } from '../event-data-store.entity';
import { eventDataStoreRepository } from '../event-data-store.repository';
import { parseStoreReference } from '../event-data-store-names';
import type { MaxEventSize } from '../event-data-store.entity';
import { eventBytes, MAX_EVENT_BYTES } from '../event-configuration/event-configuration-rules';
import { ensureLakePartitionsFor, insertLakeEvents, lakeEventTimeAccepted, type LakeRecord } from '../lake-event.repository';
import { LakeErrors } from '../lake.errors';
import { parseImportSource, prefixOf, selectsLogFile } from './import-source';
import { type ImportStatus, LakeImportEntity, LakeImportFailureEntity } from './lake-import.entity';
import { lakeImportFailureRepository, lakeImportRepository, type LakeImportRow } from './lake-import.repository';

const gunzipAsync = promisify(gunzip);
const IMPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LIST_PAGE = 1000;
/** A log file's uncompressed JSON is at most 50 MiB (delivery's cap); anything bigger is refused. */
const MAX_UNCOMPRESSED = 64 * 1024 * 1024;
const ONGOING: ImportStatus[] = ['INITIALIZING', 'IN_PROGRESS'];
const IMPORT_STOPPED = new Error('import stopped');
/** The account a log file is delivered for: `…AWSLogs/[o-…/]<account>/CloudTrail/…`. */
const KEY_ACCOUNT = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]{10,32}\/)?(\d{12})\/CloudTrail\//;
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;
const STATUSES: ImportStatus[] = ['INITIALIZING', 'IN_PROGRESS', 'FAILED', 'STOPPED', 'COMPLETED'];

export interface StartImportParams {
  destinations?: string[] | null;
  importSource?: {
    s3?: { s3LocationUri?: string | null; s3BucketRegion?: string | null; s3BucketAccessRoleArn?: string | null } | null;
  } | null;
  startEventTime?: Date | null;
  endEventTime?: Date | null;
  importId?: string | null;
}

function validImportId(id: string): string {
  if (typeof id !== 'string' || !IMPORT_ID.test(id)) throw LakeErrors.invalidParameter('importId must be a 36-character import ID.');
  return id;
}

/**
 * Imports of delivered trail log files into an event data store (spec §8.4). StartImport checks
 * everything a caller can get wrong (destination, source, the caller's read access to the bucket)
 * and queues the import; the lake-import worker copies file after file, each file's events and
 * the import's progress in one transaction, so it resumes where it stopped and inserts nothing
 * twice (the lake_events primary key de-duplicates re-imported events).
 */
export class LakeImportService {
  constructor(
    private readonly db: Database,
    private readonly storage: StorageService,
    private readonly outbox: OutboxService,
    private readonly logger: Logger,
  ) {}

  /** cloudtrail:StartImport: a new import, or the retry of a FAILED one by importId alone. */
  async startImport(ctx: RequestContext, input: StartImportParams): Promise<LakeImportEntity> {
    if (input.importId !== undefined && input.importId !== null) {
      const imp = await this.retry(ctx, validImportId(input.importId));
      this.enqueue(imp.id);
      return imp;
    }
    const destinations = input.destinations ?? [];
    if (destinations.length !== 1) throw LakeErrors.invalidParameter('destinations must name exactly one event data store.');
    const source = parseImportSource(input.importSource?.s3);
    const start = input.startEventTime ?? null;
    const end = input.endEventTime ?? null;
    if (start && end && start > end) throw LakeErrors.invalidParameter('startEventTime must not be after endEventTime.');

    const store = await this.db.inTenant(tenantOf(ctx), async (m) => {
      const s = await resolveStore(m, ctx, destinations[0]);
      if (s.accountId !== ctx.caller.accountId) {
        throw LakeErrors.operationNotPermitted('Only the management account can import into an organization event data store.');
      }
      if (s.status === 'PENDING_DELETION') throw LakeErrors.inactive(s.arn);
      if (!holdsCloudTrailEvents(s))
        throw LakeErrors.invalidCategory(
          'Imports copy CloudTrail events: the destination must be an event data store of Management, Data or NetworkActivity events.',
        );
      return s;
    });
    await this.checkCallerCanRead(ctx, source.bucket, source.prefix);

    const id = randomUUID();
    const imp = await this.db.inTenant(tenantOf(ctx), async (m) => {
      if (await m.existsBy(LakeImportEntity, { accountId: ctx.caller.accountId, status: In(ONGOING) }))
        throw LakeErrors.accountHasOngoingImport();
      try {
        return await m.save(
          m.create(LakeImportEntity, {
            id,
            accountId: ctx.caller.accountId,
            region: ctx.region,
            eventDataStoreId: store.id,
            eventDataStoreArn: store.arn,
            importSource: { S3: source.source },
            bucketName: source.bucket,
            keyPrefix: source.prefix,
            startEventTime: start,
            endEventTime: end,
            status: 'INITIALIZING',
            resumeAfter: null,
          }),
        );
      } catch (err) {
        // The partial unique index is the final word when two StartImport calls race.
        if ((err as { code?: string }).code === '23505') throw LakeErrors.accountHasOngoingImport();
        throw err;
      }
    });
    this.enqueue(imp.id);
    return imp;
  }

  async getImport(ctx: RequestContext, importId: string): Promise<LakeImportEntity> {
    validImportId(importId);
    const imp = await this.db.inTenant(tenantOf(ctx), (m) =>
      m.findOneBy(LakeImportEntity, { id: importId, accountId: ctx.caller.accountId, region: ctx.region }),
    );
    if (!imp) throw LakeErrors.importNotFound(importId);
    return imp;
  }

  /** cloudtrail:StopImport: an ongoing import stops after the file in progress (whose events are then not committed). */
  async stopImport(ctx: RequestContext, importId: string): Promise<LakeImportEntity> {
    const imp = await this.getImport(ctx, importId);
    await this.db.inTenant(tenantOf(ctx), (m) => m.update(LakeImportEntity, { id: imp.id, status: 'INITIALIZING' }, { status: 'STOPPED' }));
    await this.db.inTenant(tenantOf(ctx), (m) => m.update(LakeImportEntity, { id: imp.id, status: 'IN_PROGRESS' }, { status: 'STOPPED' }));
    return this.getImport(ctx, importId);
  }

  async listImports(
    ctx: RequestContext,
    input: { maxResults?: number | null; destination?: string | null; importStatus?: string | null; nextToken?: string | null },
  ): Promise<{ imports: LakeImportEntity[]; nextToken: string | null }> {
    const limit = input.maxResults ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw LakeErrors.invalidParameter('maxResults must be between 1 and 1000.');
    if (input.importStatus && !STATUSES.includes(input.importStatus as ImportStatus))
      throw LakeErrors.invalidParameter(`importStatus must be one of ${STATUSES.join(', ')}.`);
    const after = input.nextToken ? decodePageToken(input.nextToken) : null;
    if (input.nextToken && after === null) throw LakeErrors.invalidNextToken();
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      let storeId: string | undefined;
      if (input.destination) {
        parseStoreReference(input.destination); // a malformed ARN is an error; an unknown store lists nothing
        const store = await resolveStore(m, ctx, input.destination).catch(() => null);
        storeId = store?.id ?? '00000000-0000-0000-0000-000000000000';
      }
      const rows = await lakeImportRepository.listInRegion(m, {
        accountId: ctx.caller.accountId,
        region: ctx.region,
        storeId,
        status: input.importStatus,
        afterId: after,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return { imports: page, nextToken: rows.length > limit ? encodePageToken(page[page.length - 1].id) : null };
    });
  }

  async listImportFailures(
    ctx: RequestContext,
    input: { importId: string; maxResults?: number | null; nextToken?: string | null },
  ): Promise<{ failures: LakeImportFailureEntity[]; nextToken: string | null }> {
    const imp = await this.getImport(ctx, input.importId);
    const limit = input.maxResults ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw LakeErrors.invalidParameter('maxResults must be between 1 and 1000.');
    const after = input.nextToken ? decodePageToken(input.nextToken) : null;
    if (input.nextToken && after === null) throw LakeErrors.invalidNextToken();
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const rows = await lakeImportFailureRepository.listForImport(m, imp.id, after, limit + 1);
      const page = rows.slice(0, limit);
      return { failures: page, nextToken: rows.length > limit ? encodePageToken(page[page.length - 1].location) : null };
    });
  }

  // ---- the worker side (as the service) ----

  /**
   * Runs one import to its end (or until it is stopped, or `maxFiles` files — tests use that to
   * simulate a crash). Two runners of the same import never overlap: a session advisory lock.
   */
  async runImport(importId: string, opts: { maxFiles?: number } = {}): Promise<{ status: ImportStatus | 'BUSY' }> {
    const lockClient = await this.db.pool.connect();
    try {
      if (!(await lakeImportRepository.tryLockRun(lockClient, importId))) return { status: 'BUSY' };
      try {
        return { status: await this.process(importId, opts.maxFiles ?? Infinity) };
      } finally {
        await lakeImportRepository.unlockRun(lockClient, importId);
      }
    } finally {
      lockClient.release();
    }
  }

  /** The repeatable tick: imports whose job was lost (crash, Redis outage) continue here. */
  async resumeUnfinished(): Promise<number> {
    const ids = await lakeImportRepository.unfinishedIds(this.db.pool);
    for (const id of ids) await this.runImport(id);
    return ids.length;
  }

  private async process(importId: string, maxFiles: number): Promise<ImportStatus> {
    const pool = this.db.pool;
    const load = async (): Promise<LakeImportRow> => {
      const row = await lakeImportRepository.byId(pool, importId);
      if (!row) throw new Error(`lake import ${importId} no longer exists`);
      return row;
    };
    let imp = await lakeImportRepository.byId(pool, importId);
    if (!imp || !ONGOING.includes(imp.status)) return imp?.status ?? 'FAILED';
    const destination = await eventDataStoreRepository.importDestination(pool, imp.event_data_store_id);
    if (!destination) throw new Error(`lake import ${importId}: event data store ${imp.event_data_store_id} no longer exists`);
    // The worker reads with the service's rights, so it keeps only events the store may hold: of
    // the store's account, or of its organization's accounts for an organization store. A bucket
    // shared with other tenants never lends their events to this one.
    const accounts = new Set<string>([destination.account_id]);
    if (destination.organization_enabled && destination.organization_id) {
      for (const id of await accountRepository.idsInOrganization(pool, destination.organization_id)) accounts.add(id);
    }
    const store = { ...destination, accounts };
    const keys = await this.listSource(imp.bucket_name, imp.key_prefix, imp.start_event_time, imp.end_event_time);
    const prefixes = new Map<string, string>(); // prefix → its last key
    for (const k of keys) prefixes.set(prefixOf(k), k);
    if (imp.status === 'INITIALIZING') {
      await lakeImportRepository.markInProgress(pool, importId, prefixes.size);
      imp = await load();
      if (imp.status !== 'IN_PROGRESS') return imp.status;
    }
    let done = 0;
    for (const key of keys) {
      if (imp.resume_after !== null && key <= imp.resume_after) continue;
      if (done >= maxFiles) return 'IN_PROGRESS';
      const completedPrefixes = [...prefixes.values()].filter((last) => last <= key).length;
      const ok = await this.importFile(imp, store, key, completedPrefixes);
      if (!ok) return (await load()).status; // stopped meanwhile
      done++;
    }
    return (await lakeImportRepository.finish(pool, importId)) ?? (await load()).status;
  }

  /** One file: its events and the import's progress commit together (or a failure entry does). */
  private async importFile(
    imp: LakeImportRow,
    store: { id: string; account_id: string; retention_period: number; max_event_size: MaxEventSize; accounts: Set<string> },
    key: string,
    completedPrefixes: number,
  ): Promise<boolean> {
    const location = `s3://${imp.bucket_name}/${key}`;
    let records: LakeRecord[] = [];
    let failure: { type: string; message: string } | null = null;
    try {
      records = await this.readRecords(imp.bucket_name, key, store.account_id);
    } catch (err) {
      failure = { type: err instanceof OpenTrailError ? err.code : 'InvalidData', message: (err as Error).message.slice(0, 1000) };
    }
    const start: Date | null = imp.start_event_time;
    const end: Date | null = imp.end_event_time;
    const oldest = Date.now() - store.retention_period * 86_400_000;
    const keyAccount = KEY_ACCOUNT.exec(key)?.[1] ?? null;
    const kept = records.filter((r) => {
      // CloudTrail's own formats only: what PostgreSQL parses exactly as Node does.
      if (typeof r.eventID !== 'string' || r.eventID.length === 0 || r.eventID.length > 128) return false;
      // A record without recipientAccountId belongs to the account its file is delivered for.
      const recipient = typeof r.recipientAccountId === 'string' ? r.recipientAccountId : keyAccount;
      if (!recipient || !store.accounts.has(recipient)) return false;
      if (typeof r.eventTime !== 'string' || !EVENT_TIME.test(r.eventTime)) return false;
      const t = Date.parse(r.eventTime);
      // Date.parse rolls impossible dates over (2024-02-30 → March 1); PostgreSQL refuses them.
      if (!Number.isFinite(t) || new Date(t).toISOString().slice(0, 19) !== r.eventTime.slice(0, 19)) return false;
      const json = JSON.stringify(r);
      if (!jsonbStorable(json)) return false;
      // The store's event configuration (spec §4.5): a record larger than its MaxEventSize is not kept.
      if (eventBytes(json) > MAX_EVENT_BYTES[store.max_event_size]) return false;
      return t >= oldest && lakeEventTimeAccepted(t) && (!start || t >= start.getTime()) && (!end || t <= end.getTime());
    });
    if (kept.length)
      await ensureLakePartitionsFor(
        this.db.pool,
        kept.map((r) => new Date(String(r.eventTime))),
      );
    try {
      await this.db.asService(
        async (client) => {
          const inserted = kept.length ? await insertLakeEvents(client, store.id, store.account_id, kept) : 0;
          if (failure) {
            await lakeImportFailureRepository.record(client, {
              importId: imp.id,
              location: location.slice(0, 1100),
              accountId: imp.account_id,
              errorType: failure.type.slice(0, 64),
              errorMessage: failure.message || 'The file could not be read.',
            });
          }
          const recorded = await lakeImportRepository.recordFileProgress(client, imp.id, {
            key,
            filesCompleted: failure ? 0 : 1,
            eventsCompleted: inserted,
            failedEntries: failure ? 1 : 0,
            prefixesCompleted: completedPrefixes,
          });
          // Stopped meanwhile: roll back, this file's events are not kept.
          if (!recorded) throw IMPORT_STOPPED;
        },
        { transaction: true },
      );
      return true;
    } catch (err) {
      if (err === IMPORT_STOPPED) return false;
      throw err;
    }
  }

  /** One log file's records; SSE-KMS files decrypted on behalf of the store's account (never with another tenant's key for it). */
  private async readRecords(bucket: string, key: string, forAccount: string): Promise<LakeRecord[]> {
    const object = await this.storage.readServiceObject(bucket, key, { kms: 'decrypt', forAccount });
    if (!object) throw new OpenTrailError('NoSuchKey', 'The log file no longer exists.');
    const json = await gunzipAsync(object.body, { maxOutputLength: MAX_UNCOMPRESSED });
    const parsed = JSON.parse(json.toString('utf8')) as { Records?: unknown };
    if (!Array.isArray(parsed.Records)) throw new OpenTrailError('InvalidData', 'The file is not a CloudTrail log file ({"Records":[…]}).');
    return parsed.Records.filter((r): r is LakeRecord => typeof r === 'object' && r !== null && !Array.isArray(r));
  }

  /** Every log file of the source in key order (the order resumption relies on). */
  private async listSource(bucket: string, prefix: string, start: Date | null, end: Date | null): Promise<string[]> {
    const keys: string[] = [];
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.storage.objects.listObjects(bucket, { prefix: prefix || undefined, startAfter, limit: LIST_PAGE });
      for (const o of page.objects) if (selectsLogFile(o.key, start, end)) keys.push(o.key);
      if (!page.isTruncated || page.objects.length === 0) break;
      startAfter = page.objects[page.objects.length - 1].key;
    }
    return keys.sort();
  }

  /** The caller must be able to list the bucket and read its objects (spec §8.4 prerequisites). */
  private async checkCallerCanRead(ctx: RequestContext, bucket: string, prefix: string): Promise<void> {
    try {
      const page = await this.storage.listObjects(ctx, bucket, { prefix: prefix || null, first: 1 });
      if (page.objects[0]) await this.storage.getObject(ctx, bucket, page.objects[0].key);
    } catch (err) {
      if (err instanceof OpenTrailError)
        throw LakeErrors.invalidImportSource(`The source bucket cannot be read by the caller: ${err.code}: ${err.message}`);
      throw err;
    }
  }

  private async retry(ctx: RequestContext, importId: string): Promise<LakeImportEntity> {
    const imp = await this.getImport(ctx, importId);
    if (imp.status !== 'FAILED')
      throw LakeErrors.invalidParameter(`Only a FAILED import can be retried; import ${importId} is ${imp.status}.`);
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const store = await m.findOneBy(EventDataStoreEntity, { id: imp.eventDataStoreId });
      if (!store || store.status === 'PENDING_DELETION') throw LakeErrors.inactive(imp.eventDataStoreArn);
      if (await m.existsBy(LakeImportEntity, { accountId: ctx.caller.accountId, status: In(ONGOING) }))
        throw LakeErrors.accountHasOngoingImport();
      await m.delete(LakeImportFailureEntity, { importId });
      // From the start again: files already imported insert nothing new (primary key), so the counts restart too.
      try {
        await m.update(
          LakeImportEntity,
          { id: importId, status: 'FAILED' },
          {
            status: 'INITIALIZING',
            resumeAfter: null,
            prefixesFound: '0',
            prefixesCompleted: '0',
            filesCompleted: '0',
            eventsCompleted: '0',
            failedEntries: '0',
          },
        );
      } catch (err) {
        // As in StartImport: the partial unique index decides when a start races this retry.
        if ((err as { code?: string }).code === '23505') throw LakeErrors.accountHasOngoingImport();
        throw err;
      }
    });
    return this.getImport(ctx, importId);
  }

  private enqueue(importId: string): void {
    this.outbox.jobs
      .enqueue(QUEUES.lakeImport, 'run', { importId })
      .catch((err) => this.logger.warn({ importId, err: (err as Error).message }, 'lake import not enqueued; the sweep will run it'));
  }
}
