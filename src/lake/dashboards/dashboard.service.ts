import { randomInt, randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { decodePageToken, encodePageToken } from '../../common/page-token';
import { type Caller, type RequestContext, tenantOf } from '../../common/request-context';
import type { Database } from '../../db/database';
import type { JobQueues } from '../../jobs/job-queues';
import { QUEUES } from '../../jobs/queues';
import { mergeTags } from '../../tagging/tag-rules';
import { resolveStore } from '../event-data-store-access';
import { parseStoreReference } from '../event-data-store-names';
import { LakeErrors } from '../lake.errors';
import { TERMINAL_STATUSES, type LakeQueryStatus } from '../query/lake-query.entity';
import type { LakeQueryService } from '../query/lake-query.service';
import { compileLakeQuery, loadLakeSqlParser } from '../sql/lake-sql.compiler';
import { dashboardArn, parseDashboardReference, validateDashboardName } from './dashboard-names';
import { DashboardEntity, type ScheduleCaller, type StoredRefreshSchedule, type StoredWidget } from './dashboard.entity';
import { DashboardErrors } from './dashboard.errors';
import { dashboardRepository } from './dashboard.repository';
import { dashboardWidgets, HIGHLIGHTS_DASHBOARD, managedDashboard } from './managed-dashboards';
import { latestSlot, type RefreshScheduleInput, validateRefreshSchedule } from './refresh-schedule';
import { lakeTimestamp, REFRESH_PARAMETERS, type RefreshValues, substitutePlaceholders } from './widget-query';

/** Spec §8.5: 100 custom dashboards per Region, 10 widgets per dashboard. */
export const MAX_CUSTOM_DASHBOARDS = 100;
export const MAX_WIDGETS = 10;
/** How often the scheduled-refresh tick looks for due dashboards (the shortest schedule is hourly). */
export const DASHBOARD_TICK_SECONDS = 60;
const DEFAULT_WINDOW_MS = 24 * 3_600_000;
const VIEW_KEY = /^[a-zA-Z0-9._-]{3,128}$/;
const VIEW_VALUE = /^[a-zA-Z0-9._\- ]{1,128}$/;
const PARAMETER_KEY = /^[a-zA-Z0-9._/\-:$]{3,128}$/;
const PARAMETER_VALUE = /^[a-zA-Z0-9._/\-:]{1,128}$/;
const PERIODS = ['minute', 'hour', 'day', 'week', 'month'];
/** Stands in for `$EventDataStoreId$` when a widget is checked at create/update: compiled, never resolved. */
const SAMPLE_STORE_ID = '00000000-0000-0000-0000-000000000000';

export interface WidgetInput {
  queryStatement: string;
  queryParameters?: string[] | null;
  viewProperties: Array<{ key: string; value: string }>;
}

export interface CreateDashboardInput {
  name: string;
  widgets?: WidgetInput[] | null;
  refreshSchedule?: RefreshScheduleInput | null;
  terminationProtectionEnabled?: boolean | null;
  tags?: Array<{ key: string; value?: string | null }> | null;
}

export interface UpdateDashboardInput {
  dashboardId: string;
  widgets?: WidgetInput[] | null;
  refreshSchedule?: RefreshScheduleInput | null;
  terminationProtectionEnabled?: boolean | null;
}

/** A widget as getDashboard shows it: with its query in the latest refresh. */
export interface DashboardWidget extends StoredWidget {
  queryId: string | null;
  queryStatus: LakeQueryStatus | null;
}

/** The current caller of the principal who set a schedule (src/auth), or null when it may no longer act. */
export type ScheduleCallerLoader = (snapshot: ScheduleCaller) => Promise<Caller | null>;

/**
 * Lake dashboards (spec §8.5): custom dashboards of Lake SQL widgets and the managed ones
 * (managed-dashboards.ts), refreshed on demand or by schedule. A refresh starts every widget's
 * query through the Lake query service as the caller (for a schedule: the principal who set
 * it, with its current policies), so startQuery's authorization, store checks and limits apply.
 */
export class DashboardService {
  constructor(
    private readonly db: Database,
    private readonly queries: Pick<LakeQueryService, 'startQuery'>,
    private readonly jobs: JobQueues,
    private readonly loadScheduleCaller: ScheduleCallerLoader,
  ) {}

  async create(ctx: RequestContext, input: CreateDashboardInput): Promise<DashboardEntity> {
    validateDashboardName(input.name);
    const managed = managedDashboard(input.name);
    if (managed && input.widgets?.length)
      throw DashboardErrors.unsupported(`${input.name} is a managed dashboard: its widgets are built in and cannot be given.`);
    const schedule = input.refreshSchedule ? validateRefreshSchedule(input.refreshSchedule) : null;
    if (managed) checkManagedSchedule(input.name, schedule);
    const widgets = managed ? [] : this.checkWidgetShapes(input.widgets ?? []);
    const tags = mergeTags(
      [],
      (input.tags ?? []).map((t) => ({ Key: t.key, Value: t.value ?? null })),
    );
    await loadLakeSqlParser();
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      await this.checkWidgetQueries(m, ctx, widgets);
      await dashboardRepository.lockAccountDashboards(m, ctx.caller.accountId);
      if (await dashboardRepository.byName(m, ctx.caller.accountId, ctx.region, input.name))
        throw DashboardErrors.alreadyExists(input.name);
      if (!managed && (await dashboardRepository.countCustom(m, ctx.caller.accountId, ctx.region)) >= MAX_CUSTOM_DASHBOARDS)
        throw DashboardErrors.quota(`Your account has the maximum number of custom dashboards (${MAX_CUSTOM_DASHBOARDS}) in this Region.`);
      return m.save(
        m.create(DashboardEntity, {
          id: randomUUID(),
          accountId: ctx.caller.accountId,
          region: ctx.region,
          name: input.name,
          arn: dashboardArn(ctx.region, ctx.caller.accountId, input.name),
          type: managed ? 'MANAGED' : 'CUSTOM',
          status: 'CREATED',
          widgets,
          refreshSchedule: schedule,
          scheduleCaller: schedule ? scheduleCallerOf(ctx.caller) : null,
          scheduleSetAt: schedule ? new Date() : null,
          // Managed dashboards start protected (the caller enabled a service feature); custom ones as asked.
          terminationProtectionEnabled: input.terminationProtectionEnabled ?? Boolean(managed),
          tags,
          lastRefreshQueries: [],
        }),
      );
    });
  }

  /** The dashboard and its widgets, each with its query of the latest refresh. */
  async get(ctx: RequestContext, reference: string): Promise<{ dashboard: DashboardEntity; widgets: DashboardWidget[] }> {
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const dashboard = await this.resolve(m, ctx, reference);
      const ids = dashboard.lastRefreshQueries.map((q) => q.queryId);
      const statuses = await dashboardRepository.queryStatuses(m, dashboard.accountId, ids);
      const widgets = dashboardWidgets(dashboard).map((w) => {
        const queryId = dashboard.lastRefreshQueries.find((q) => q.queryAlias === w.queryAlias)?.queryId ?? null;
        return { ...w, queryId, queryStatus: queryId ? ((statuses.get(queryId) as LakeQueryStatus | undefined) ?? null) : null };
      });
      return { dashboard, widgets };
    });
  }

  async list(
    ctx: RequestContext,
    input: { namePrefix?: string | null; type?: string | null; maxResults?: number | null; nextToken?: string | null },
  ): Promise<{ dashboards: DashboardEntity[]; nextToken: string | null }> {
    const limit = input.maxResults ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw DashboardErrors.invalidParameter('maxResults must be between 1 and 1000.');
    if (input.namePrefix != null) validateDashboardName(input.namePrefix);
    if (input.type != null && input.type !== 'MANAGED' && input.type !== 'CUSTOM')
      throw DashboardErrors.invalidParameter('type must be MANAGED or CUSTOM.');
    const after = input.nextToken ? decodePageToken(input.nextToken) : null;
    if (input.nextToken && after === null) throw DashboardErrors.invalidNextToken();
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const rows = await dashboardRepository.listInRegion(m, {
        accountId: ctx.caller.accountId,
        region: ctx.region,
        namePrefix: input.namePrefix ?? null,
        type: input.type ?? null,
        afterName: after,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return { dashboards: page, nextToken: rows.length > limit ? encodePageToken(page[page.length - 1].name) : null };
    });
  }

  /** Widgets given replace the whole list; a schedule given replaces the schedule and makes the caller its principal. */
  async update(ctx: RequestContext, input: UpdateDashboardInput): Promise<DashboardEntity> {
    const schedule = input.refreshSchedule ? validateRefreshSchedule(input.refreshSchedule) : null;
    const widgets = input.widgets ? this.checkWidgetShapes(input.widgets) : null;
    await loadLakeSqlParser();
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const dashboard = await this.resolve(m, ctx, input.dashboardId, { lock: true });
      if (dashboard.type === 'MANAGED') {
        if (widgets) throw DashboardErrors.unsupported(`${dashboard.name} is a managed dashboard: its widgets cannot be changed.`);
        if (schedule) checkManagedSchedule(dashboard.name, schedule);
      }
      if (widgets) {
        await this.checkWidgetQueries(m, ctx, widgets);
        dashboard.widgets = widgets;
      }
      if (schedule) {
        dashboard.refreshSchedule = schedule;
        dashboard.scheduleCaller = scheduleCallerOf(ctx.caller);
        dashboard.scheduleSetAt = new Date();
      }
      if (input.terminationProtectionEnabled != null) dashboard.terminationProtectionEnabled = input.terminationProtectionEnabled;
      dashboard.status = 'UPDATED';
      return m.save(dashboard);
    });
  }

  async delete(ctx: RequestContext, reference: string): Promise<void> {
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const dashboard = await this.resolve(m, ctx, reference, { lock: true });
      if (dashboard.terminationProtectionEnabled) throw DashboardErrors.terminationProtected(dashboard.arn);
      await m.delete(DashboardEntity, { id: dashboard.id });
    });
  }

  /**
   * StartDashboardRefresh: starts every widget's query as the caller and returns the refresh id.
   * One refresh at a time: while a query of the latest refresh is QUEUED or RUNNING another is
   * refused (ServiceQuotaExceededException); the row lock makes that exact under concurrent calls.
   */
  async startRefresh(ctx: RequestContext, reference: string, parameterValues: Record<string, string> | null): Promise<string> {
    const given = checkParameterValues(parameterValues ?? {});
    const outcome = await this.db.inTenant(tenantOf(ctx), async (m) => {
      const dashboard = await this.resolve(m, ctx, reference, { lock: true });
      if (dashboard.type === 'MANAGED' && !given.storeId)
        throw DashboardErrors.invalidParameter(
          `${dashboard.name} is a managed dashboard: give $EventDataStoreId$ in queryParameterValues.`,
        );
      return this.refresh(m, ctx, dashboard, given);
    });
    if (outcome.failure) throw outcome.failure;
    return outcome.refreshId;
  }

  /**
   * The scheduled-refresh tick (worker, every DASHBOARD_TICK_SECONDS): one `refresh` job per due
   * dashboard and schedule slot, with a job id of both, so a repeated tick adds nothing.
   */
  async enqueueDueRefreshes(now = new Date()): Promise<number> {
    const scheduled = await this.db.asService((c) => dashboardRepository.scheduled(c), { transaction: false });
    let due = 0;
    for (const d of scheduled) {
      const slot = latestSlot(d.refreshSchedule!, now);
      if (!slot || (d.scheduleSetAt && slot < d.scheduleSetAt) || (d.lastScheduledSlot && slot <= d.lastScheduledSlot)) continue;
      await this.jobs.enqueue(QUEUES.dashboardRefresh, 'refresh', { dashboardId: d.id, slot: slot.toISOString() });
      due++;
    }
    return due;
  }

  /**
   * One scheduled refresh (the `refresh` job): as the principal who set the schedule, with its
   * current policies, over the slot's window. Idempotent per slot: a slot already refreshed (a
   * repeated job) does nothing. Failures are the dashboard's LastRefreshFailureReason.
   */
  async refreshScheduled(dashboardId: string, slotIso: string): Promise<'REFRESHED' | 'FAILED' | 'SKIPPED'> {
    const owner = await this.db.asService((c) => dashboardRepository.owner(c, dashboardId), { transaction: false });
    if (!owner) return 'SKIPPED';
    const slot = new Date(slotIso);
    return this.db.inTenant({ accountId: owner.accountId, organizationId: null }, async (m) => {
      const dashboard = await dashboardRepository.byName(m, owner.accountId, owner.region, owner.name, { lock: true });
      if (!dashboard || dashboard.id !== dashboardId || dashboard.refreshSchedule?.status !== 'ENABLED') return 'SKIPPED';
      if (dashboard.lastScheduledSlot && dashboard.lastScheduledSlot >= slot) return 'SKIPPED';
      dashboard.lastScheduledSlot = slot;
      const caller = dashboard.scheduleCaller ? await this.loadScheduleCaller(dashboard.scheduleCaller) : null;
      if (!caller || caller.accountId !== dashboard.accountId) {
        dashboard.lastRefreshFailureReason =
          'The scheduled refresh did not run: the principal who set the schedule, or the access key it used, no longer exists or is inactive. Set the schedule again.';
        await m.save(dashboard);
        return 'FAILED';
      }
      const ctx: RequestContext = {
        requestId: randomUUID(),
        region: dashboard.region,
        sourceIp: 'cloudtrail.amazonaws.com',
        userAgent: 'cloudtrail.amazonaws.com',
        host: 'cloudtrail.amazonaws.com',
        caller,
      };
      if (dashboard.type === 'MANAGED' && !dashboard.refreshStoreId) {
        dashboard.lastRefreshFailureReason =
          'The scheduled refresh did not run: a managed dashboard reads the event data store of its last manual refresh, and it has none yet.';
        await m.save(dashboard);
        return 'FAILED';
      }
      const hours = dashboard.refreshSchedule.frequency!.unit === 'DAYS' ? 24 : dashboard.refreshSchedule.frequency!.value;
      try {
        const outcome = await this.refresh(m, ctx, dashboard, {
          startTime: new Date(slot.getTime() - Math.max(hours * 3_600_000, DEFAULT_WINDOW_MS)),
          endTime: slot,
          period: null,
          storeId: dashboard.refreshStoreId,
        });
        return outcome.failure ? 'FAILED' : 'REFRESHED';
      } catch (err) {
        // A manual refresh still running: this slot is skipped, and says so.
        dashboard.lastRefreshFailureReason = (err as Error).message.slice(0, 1000);
        await m.save(dashboard);
        return 'FAILED';
      }
    });
  }

  /** Starts the widgets' queries in order; the first that cannot start ends the refresh, recorded as its failure. */
  private async refresh(
    m: EntityManager,
    ctx: RequestContext,
    dashboard: DashboardEntity,
    given: RefreshParameterValues,
  ): Promise<{ refreshId: string; failure: Error | null }> {
    const ids = dashboard.lastRefreshQueries.map((q) => q.queryId);
    const statuses = await dashboardRepository.queryStatuses(m, dashboard.accountId, ids);
    if ([...statuses.values()].some((s) => !TERMINAL_STATUSES.includes(s as LakeQueryStatus)))
      throw DashboardErrors.refreshInProgress(dashboard.arn, dashboard.lastRefreshId ?? '');
    const endTime = given.endTime ?? new Date();
    const startTime = given.startTime ?? new Date(endTime.getTime() - DEFAULT_WINDOW_MS);
    if (startTime >= endTime) throw DashboardErrors.invalidParameter('$StartTime$ must be before $EndTime$.');
    const values: RefreshValues = {
      $StartTime$: lakeTimestamp(startTime),
      $EndTime$: lakeTimestamp(endTime),
      // Buckets that keep a chart readable: hourly up to two days, daily beyond.
      $Period$: given.period ?? (endTime.getTime() - startTime.getTime() <= 2 * DEFAULT_WINDOW_MS ? 'hour' : 'day'),
      $EventDataStoreId$: given.storeId ?? SAMPLE_STORE_ID,
    };
    const refreshId = `${Date.now()}${String(randomInt(0, 10_000)).padStart(4, '0')}`;
    const started: DashboardEntity['lastRefreshQueries'] = [];
    let failure: Error | null = null;
    for (const w of dashboardWidgets(dashboard)) {
      try {
        const statement = substitutePlaceholders(w.queryStatement, w.queryParameters, values);
        const { queryId } = await this.queries.startQuery(ctx, { queryStatement: statement });
        started.push({ queryAlias: w.queryAlias, queryId });
      } catch (err) {
        failure = err as Error;
        break;
      }
    }
    dashboard.lastRefreshId = refreshId;
    dashboard.lastRefreshQueries = started;
    dashboard.lastRefreshFailureReason = failure ? failure.message.slice(0, 1000).padEnd(4, '.') : null;
    if (given.storeId) dashboard.refreshStoreId = given.storeId;
    await m.save(dashboard);
    return { refreshId, failure };
  }

  /** The caller's dashboard in the request's Region; anything else is "not found". */
  private async resolve(m: EntityManager, ctx: RequestContext, reference: string, opts: { lock?: boolean } = {}): Promise<DashboardEntity> {
    const ref = parseDashboardReference(reference);
    if (!ref) throw DashboardErrors.notFound(String(reference));
    if ((ref.region !== null && ref.region !== ctx.region) || (ref.accountId !== null && ref.accountId !== ctx.caller.accountId))
      throw DashboardErrors.notFound(reference);
    const dashboard = await dashboardRepository.byName(m, ctx.caller.accountId, ctx.region, ref.name, opts);
    if (!dashboard) throw DashboardErrors.notFound(reference);
    return dashboard;
  }

  /** The widgets' shapes (spec §8.5 RequestWidget), before any query is compiled. */
  private checkWidgetShapes(input: WidgetInput[]): StoredWidget[] {
    if (input.length > MAX_WIDGETS)
      throw DashboardErrors.quota(`A dashboard has at most ${MAX_WIDGETS} widgets; ${input.length} were given.`);
    return input.map((w, i) => {
      const params = w.queryParameters ?? null;
      if (params && (params.length < 1 || params.length > 10 || params.some((p) => p.length < 1 || p.length > 1024)))
        throw DashboardErrors.invalidParameter(`Widget ${i + 1}: queryParameters has 1 to 10 values of 1 to 1024 characters.`);
      const view: Record<string, string> = {};
      for (const { key, value } of w.viewProperties) {
        if (!VIEW_KEY.test(key) || !VIEW_VALUE.test(value))
          throw DashboardErrors.invalidParameter(
            `Widget ${i + 1}: view property ${key.slice(0, 128)} is not valid: keys are 3 to 128 of [a-zA-Z0-9._-], values 1 to 128 of [a-zA-Z0-9._- ].`,
          );
        view[key] = value;
      }
      return { queryAlias: `widget-${i + 1}`, queryStatement: w.queryStatement, queryParameters: params, viewProperties: view };
    });
  }

  /**
   * Each widget's query compiles as Lake SQL once its placeholders hold sample refresh values
   * (InvalidQueryStatementException otherwise), and every store it names is the caller's and
   * not pending deletion. `$EventDataStoreId$` stays unresolved until a refresh names the store.
   */
  private async checkWidgetQueries(m: EntityManager, ctx: RequestContext, widgets: StoredWidget[]): Promise<void> {
    const now = new Date();
    const sample: RefreshValues = {
      $StartTime$: lakeTimestamp(new Date(now.getTime() - DEFAULT_WINDOW_MS)),
      $EndTime$: lakeTimestamp(now),
      $Period$: 'hour',
      $EventDataStoreId$: SAMPLE_STORE_ID,
    };
    for (const w of widgets) {
      const compiled = compileLakeQuery(substitutePlaceholders(w.queryStatement, w.queryParameters, sample));
      for (const id of compiled.storeIds) {
        if (id === SAMPLE_STORE_ID) continue;
        const store = await resolveStore(m, ctx, id);
        if (store.status === 'PENDING_DELETION') throw LakeErrors.inactive(store.arn);
      }
    }
  }
}

interface RefreshParameterValues {
  startTime: Date | null;
  endTime: Date | null;
  period: string | null;
  storeId: string | null;
}

/** StartDashboardRefresh's QueryParameterValues: the refresh parameters only, each in its form. */
function checkParameterValues(values: Record<string, string>): RefreshParameterValues {
  const out: RefreshParameterValues = { startTime: null, endTime: null, period: null, storeId: null };
  for (const [key, value] of Object.entries(values)) {
    if (!PARAMETER_KEY.test(key) || !(REFRESH_PARAMETERS as readonly string[]).includes(key))
      throw DashboardErrors.invalidParameter(`Query parameter ${key.slice(0, 128)} is not one of ${REFRESH_PARAMETERS.join(', ')}.`);
    // No quote, space or semicolon can be in a value: it cannot leave the literal it is put in.
    if (typeof value !== 'string' || !PARAMETER_VALUE.test(value))
      throw DashboardErrors.invalidParameter(`The value of ${key} must be 1 to 128 of [a-zA-Z0-9._/-:].`);
    if (key === '$StartTime$' || key === '$EndTime$') {
      const t = /^\d{1,12}$/.test(value) ? new Date(Number(value) * 1000) : new Date(value);
      if (Number.isNaN(t.getTime()))
        throw DashboardErrors.invalidParameter(`The value of ${key} must be an ISO 8601 time or epoch seconds.`);
      if (key === '$StartTime$') out.startTime = t;
      else out.endTime = t;
    } else if (key === '$Period$') {
      if (!PERIODS.includes(value)) throw DashboardErrors.invalidParameter(`The value of $Period$ must be one of ${PERIODS.join(', ')}.`);
      out.period = value;
    } else out.storeId = parseStoreReference(value).id;
  }
  return out;
}

/** Spec §8.5: the Highlights dashboard keeps an ENABLED 6-hourly schedule. */
function checkManagedSchedule(name: string, schedule: StoredRefreshSchedule | null): void {
  const required = managedDashboard(name)?.requiredSchedule;
  if (!required) return;
  const f = schedule?.frequency;
  if (!schedule || schedule.status !== 'ENABLED' || f?.unit !== required.unit || f.value !== required.value)
    throw DashboardErrors.invalidParameter(
      `${HIGHLIGHTS_DASHBOARD} needs the refresh schedule ${required.unit} ${required.value} with status ENABLED.`,
    );
}

const scheduleCallerOf = (caller: Caller): ScheduleCaller => ({
  identity: caller.identity,
  principalRef: caller.principalRef,
  sourceAccessKeyId: caller.sourceAccessKeyId,
});
