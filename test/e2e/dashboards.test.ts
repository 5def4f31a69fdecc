import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { QUEUES } from '../../src/jobs/queues';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { startWorkers } from '../../workers/main';
import { storedRecords } from '../helpers/events';
import { createStore, lakeEvent, qCall, seed } from '../helpers/lake-query';
import { lakeCall, type LakeSession } from '../helpers/lake-store';
import { type GqlResult, startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(180_000);

const DASHBOARD_FIELDS = `dashboardArn name type status terminationProtectionEnabled lastRefreshId lastRefreshFailureReason
  refreshSchedule { frequency { unit value } status timeOfDay }
  widgets { queryAlias queryStatement queryParameters viewProperties { key value } queryId queryStatus }`;

const OPS = {
  createDashboard: `mutation($input: CreateDashboardInput!) { createDashboard(input: $input) { ${DASHBOARD_FIELDS} tagsList { key value } } }`,
  getDashboard: `query($input: DashboardRefInput!) { getDashboard(input: $input) { ${DASHBOARD_FIELDS} } }`,
  listDashboards: `query($input: ListDashboardsInput) { listDashboards(input: $input) { dashboards { dashboardArn type } nextToken } }`,
  updateDashboard: `mutation($input: UpdateDashboardInput!) { updateDashboard(input: $input) { ${DASHBOARD_FIELDS} } }`,
  deleteDashboard: `mutation($input: DashboardRefInput!) { deleteDashboard(input: $input) }`,
  startDashboardRefresh: `mutation($input: StartDashboardRefreshInput!) { startDashboardRefresh(input: $input) { refreshId } }`,
} as const;
type DashboardOp = keyof typeof OPS;

async function dCall<T = any>(app: TestApp, op: DashboardOp, input: Record<string, unknown> | undefined, s: LakeSession): Promise<T> {
  const result = await app.gql(OPS[op], input === undefined ? {} : { input }, { token: s.token, region: s.region });
  if (result.errors?.length || !result.data) throw new Error(`${op} failed: ${JSON.stringify(result.errors)}`);
  return result.data[op] as T;
}

/** Runs an operation that must fail with `code`; returns the message. */
async function dFails(app: TestApp, op: DashboardOp, input: Record<string, unknown>, s: LakeSession, code: string): Promise<string> {
  const result: GqlResult = await app.gql(OPS[op], { input }, { token: s.token, region: s.region });
  const error = result.errors?.[0];
  if (!error) throw new Error(`${op} was expected to fail with ${code} but returned ${JSON.stringify(result.data)}`);
  expect({ op, code: error.extensions?.code }).toEqual({ op, code });
  return error.message;
}

/**
 * Lake dashboards over GraphQL against the real server and workers (spec §8.5): create, refresh
 * through the lake-query queue, results, update, list, errors with CloudTrail codes, tenant walls,
 * delete and self-audit. The rules themselves are service-tier tests (test/service/dashboards.service.test.ts).
 */
describe('dashboards', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let redis: IORedis;
  let lakeQueue: Queue;
  let admin: LakeSession;
  let other: LakeSession;
  let storeId: string;
  let arn: string;
  const view = [{ key: 'Title', value: 'Calls by name' }];
  const window = { $StartTime$: '2026-03-01T00:00:00Z', $EndTime$: '2026-03-02T00:00:00Z' };
  const refreshValues = Object.entries(window).map(([key, value]) => ({ key, value }));
  const byName = () =>
    `SELECT eventName, count(*) AS n FROM ${storeId} WHERE eventTime >= '?' AND eventTime < '?' GROUP BY eventName ORDER BY eventName`;
  const failed = () => `SELECT count(*) AS failed FROM ${storeId} WHERE eventTime >= '?' AND eventTime < '?' AND errorCode IS NOT NULL`;
  const bySource = () =>
    `SELECT eventSource, count(*) AS n FROM ${storeId} WHERE eventTime >= '?' AND eventTime < '?' GROUP BY eventSource ORDER BY eventSource`;
  const widget = (queryStatement: string, queryParameters: string[] | null = ['$StartTime$', '$EndTime$']) => ({
    queryStatement,
    queryParameters,
    viewProperties: view,
  });

  /** Waits for every started widget query of the latest refresh to end; returns the dashboard. */
  async function refreshed(dashboardId: string): Promise<any> {
    for (let i = 0; i < 300; i++) {
      const d = await dCall(app, 'getDashboard', { dashboardId }, admin);
      if (d.widgets.every((w: { queryStatus: string | null }) => !['QUEUED', 'RUNNING'].includes(w.queryStatus ?? ''))) return d;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the refresh of ${dashboardId} did not end`);
  }
  const rowsOf = async (queryId: string) =>
    (await qCall(app, 'getQueryResults', { queryId }, admin)).queryResultRows.map((r: Array<Record<string, string>>) =>
      r.map((c) => Object.values(c)[0]),
    );

  beforeAll(async () => {
    app = await startTestApp();
    workers = await startWorkers(app.services);
    redis = new IORedis(app.config.redisUrl, { maxRetriesPerRequest: null });
    lakeQueue = new Queue(QUEUES.lakeQuery, { connection: redis, prefix: app.config.redisPrefix });
    admin = { token: await app.login(app.admin) };
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Dashboards B', 'dashboards-b@example.com'));
    other = { token: await app.login(credsB) };
    storeId = (await createStore(app, admin, 'dash-e2e-store')).id;
    // The store also receives these calls' self-audit events, all of today: the widgets read March 2026 only.
    await seed(app, storeId, app.admin.accountId, [
      lakeEvent({ eventTime: '2026-03-01T10:00:00Z', eventName: 'GetObject', eventCategory: 'Data', managementEvent: false }),
      lakeEvent({ eventTime: '2026-03-01T11:00:00Z', eventName: 'CreateBucket' }),
      lakeEvent({ eventTime: '2026-03-01T12:00:00Z', eventName: 'CreateBucket', errorCode: 'AccessDenied' }),
      lakeEvent({ eventTime: '2026-03-01T13:00:00Z', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' }),
      lakeEvent({ eventTime: '2026-03-03T10:00:00Z', eventName: 'DeleteBucket' }),
    ]);
  });
  afterAll(async () => {
    await lakeQueue?.resume().catch(() => undefined);
    await lakeQueue?.close();
    redis?.disconnect();
    await workers?.close();
    await app?.close();
  });

  it('creates a dashboard of two widgets, refreshes it through the workers and serves each widget’s rows', async () => {
    const created = await dCall(
      app,
      'createDashboard',
      { name: 'ops-e2e', widgets: [widget(byName()), widget(failed())], tagsList: [{ key: 'team', value: 'sec' }] },
      admin,
    );
    arn = created.dashboardArn;
    expect(arn).toBe(`arn:aws:cloudtrail:${app.config.homeRegion}:${app.admin.accountId}:dashboard/ops-e2e`);
    expect(created).toMatchObject({
      name: 'ops-e2e',
      type: 'CUSTOM',
      terminationProtectionEnabled: false,
      refreshSchedule: null,
      lastRefreshId: null,
      tagsList: [{ key: 'team', value: 'sec' }],
    });
    expect(created.widgets.map((w: { queryAlias: string; queryId: string | null }) => [w.queryAlias, w.queryId])).toEqual([
      ['widget-1', null],
      ['widget-2', null],
    ]);

    // With the lake-query queue paused, the first refresh's queries stay QUEUED: a second is refused.
    // (Deterministic because no query ran before: a runner still active would claim queued queries.)
    await lakeQueue.pause();
    const { refreshId } = await dCall(app, 'startDashboardRefresh', { dashboardId: 'ops-e2e', queryParameterValues: refreshValues }, admin);
    expect(refreshId).toMatch(/^\d{17}$/);
    const msg = await dFails(
      app,
      'startDashboardRefresh',
      { dashboardId: arn, queryParameterValues: refreshValues },
      admin,
      'ServiceQuotaExceededException',
    );
    expect(msg).toContain(refreshId);
    const queued = await dCall(app, 'getDashboard', { dashboardId: arn }, admin);
    expect(queued.lastRefreshId).toBe(refreshId);
    expect(queued.widgets.map((w: { queryStatus: string }) => w.queryStatus)).toEqual(['QUEUED', 'QUEUED']);
    await lakeQueue.resume();

    const d = await refreshed('ops-e2e');
    expect(d).toMatchObject({ status: 'CREATED', lastRefreshId: refreshId, lastRefreshFailureReason: null });
    expect(d.widgets.map((w: { queryStatement: string; queryStatus: string }) => [w.queryStatement, w.queryStatus])).toEqual([
      [byName(), 'FINISHED'],
      [failed(), 'FINISHED'],
    ]);
    expect(d.widgets[0].viewProperties).toEqual(view);
    expect(await rowsOf(d.widgets[0].queryId)).toEqual([
      ['CreateBucket', '2'],
      ['GetObject', '1'],
      ['RunInstances', '1'],
    ]);
    expect(await rowsOf(d.widgets[1].queryId)).toEqual([['1']]);
  });

  it('updates a widget and the refresh schedule; the next refresh runs the new widget', async () => {
    const updated = await dCall(
      app,
      'updateDashboard',
      {
        dashboardId: arn,
        widgets: [widget(byName()), widget(bySource())],
        refreshSchedule: { frequency: { unit: 'HOURS', value: 6 }, status: 'ENABLED', timeOfDay: '01:30' },
      },
      admin,
    );
    expect(updated.refreshSchedule).toEqual({ frequency: { unit: 'HOURS', value: 6 }, status: 'ENABLED', timeOfDay: '01:30' });
    const got = await dCall(app, 'getDashboard', { dashboardId: 'ops-e2e' }, admin);
    expect(got.status).toBe('UPDATED');
    expect(got.refreshSchedule).toEqual(updated.refreshSchedule);
    expect(got.widgets.map((w: { queryStatement: string }) => w.queryStatement)).toEqual([byName(), bySource()]);

    await dCall(app, 'startDashboardRefresh', { dashboardId: 'ops-e2e', queryParameterValues: refreshValues }, admin);
    const d = await refreshed('ops-e2e');
    expect(await rowsOf(d.widgets[1].queryId)).toEqual([
      ['ec2.amazonaws.com', '1'],
      ['s3.amazonaws.com', '3'],
    ]);
    // Without a window the refresh reads the last 24 hours: none of the seeded events.
    await dCall(app, 'startDashboardRefresh', { dashboardId: 'ops-e2e' }, admin);
    const recent = await refreshed('ops-e2e');
    expect((await rowsOf(recent.widgets[1].queryId)).some((r: string[]) => r[0] === 's3.amazonaws.com')).toBe(false);
  });

  it('lists the dashboard, and a managed one once enabled', async () => {
    const managed = await dCall(app, 'createDashboard', { name: 'AWSCloudTrail-DataActivity' }, admin);
    expect(managed).toMatchObject({ type: 'MANAGED', terminationProtectionEnabled: true });
    expect(managed.widgets.length).toBeGreaterThan(1);
    const all = await dCall(app, 'listDashboards', undefined, admin);
    expect(all).toEqual({
      dashboards: [
        { dashboardArn: managed.dashboardArn, type: 'MANAGED' },
        { dashboardArn: arn, type: 'CUSTOM' },
      ],
      nextToken: null,
    });
    expect((await dCall(app, 'listDashboards', { type: 'CUSTOM' }, admin)).dashboards).toEqual([{ dashboardArn: arn, type: 'CUSTOM' }]);
    const first = await dCall(app, 'listDashboards', { maxResults: 1 }, admin);
    expect(first.dashboards).toEqual([{ dashboardArn: managed.dashboardArn, type: 'MANAGED' }]);
    const second = await dCall(app, 'listDashboards', { maxResults: 1, nextToken: first.nextToken }, admin);
    expect(second).toEqual({ dashboards: [{ dashboardArn: arn, type: 'CUSTOM' }], nextToken: null });

    // A managed dashboard refreshes on the store it is given.
    await dFails(app, 'startDashboardRefresh', { dashboardId: 'AWSCloudTrail-DataActivity' }, admin, 'InvalidParameterException');
    await dCall(
      app,
      'startDashboardRefresh',
      { dashboardId: managed.dashboardArn, queryParameterValues: [...refreshValues, { key: '$EventDataStoreId$', value: storeId }] },
      admin,
    );
    const d = await refreshed('AWSCloudTrail-DataActivity');
    const ops = d.widgets.find((w: { queryAlias: string }) => w.queryAlias === 'data-operations');
    expect(await rowsOf(ops.queryId)).toEqual([['s3.amazonaws.com', 'GetObject', '1']]);
  });

  it('answers bad input with CloudTrail codes and changes nothing', async () => {
    for (const name of ['no.periods', 'ab'])
      await dFails(app, 'createDashboard', { name, widgets: [widget(byName())] }, admin, 'InvalidParameterException');
    const eleven = Array.from({ length: 11 }, () => widget(byName()));
    await dFails(app, 'createDashboard', { name: 'too-many', widgets: eleven }, admin, 'ServiceQuotaExceededException');
    await dFails(app, 'updateDashboard', { dashboardId: arn, widgets: eleven }, admin, 'ServiceQuotaExceededException');
    await dFails(
      app,
      'createDashboard',
      { name: 'bad-sql', widgets: [widget(`DELETE FROM ${storeId}`, null)] },
      admin,
      'InvalidQueryStatementException',
    );
    await dFails(
      app,
      'updateDashboard',
      { dashboardId: arn, widgets: [widget(`SELECT nope FROM`, null)] },
      admin,
      'InvalidQueryStatementException',
    );
    await dFails(
      app,
      'createDashboard',
      { name: 'no-store', widgets: [widget('SELECT count(*) FROM 11111111-2222-3333-4444-555555555555', null)] },
      admin,
      'EventDataStoreNotFoundException',
    );
    await dFails(app, 'createDashboard', { name: 'ops-e2e' }, admin, 'ConflictException');
    await dFails(
      app,
      'updateDashboard',
      { dashboardId: arn, refreshSchedule: { frequency: { unit: 'HOURS', value: 2 } } },
      admin,
      'InvalidParameterException',
    );
    await dFails(app, 'getDashboard', { dashboardId: 'missing-dashboard' }, admin, 'ResourceNotFoundException');
    // Nothing was created or changed.
    expect((await dCall(app, 'listDashboards', { type: 'CUSTOM' }, admin)).dashboards).toEqual([{ dashboardArn: arn, type: 'CUSTOM' }]);
    const d = await dCall(app, 'getDashboard', { dashboardId: arn }, admin);
    expect(d.widgets.map((w: { queryStatement: string }) => w.queryStatement)).toEqual([byName(), bySource()]);
    expect(d.refreshSchedule.frequency).toEqual({ unit: 'HOURS', value: 6 });
  });

  it('ends a refresh at a widget whose query cannot start, with its code, and shows why', async () => {
    const doomed = await createStore(app, admin, 'dash-e2e-doomed');
    await dCall(
      app,
      'createDashboard',
      { name: 'doomed-e2e', widgets: [widget(byName()), widget(`SELECT count(*) FROM ${doomed.id}`, null)] },
      admin,
    );
    await lakeCall(app, 'deleteEventDataStore', { eventDataStore: doomed.arn }, admin);
    const msg = await dFails(
      app,
      'startDashboardRefresh',
      { dashboardId: 'doomed-e2e', queryParameterValues: refreshValues },
      admin,
      'InactiveEventDataStoreException',
    );
    const d = await refreshed('doomed-e2e');
    expect(d.lastRefreshFailureReason).toBe(msg);
    // The widgets before it started and ran; the failing one has no query.
    expect(d.widgets.map((w: { queryStatus: string | null }) => w.queryStatus)).toEqual(['FINISHED', null]);
    expect(await dCall(app, 'deleteDashboard', { dashboardId: 'doomed-e2e' }, admin)).toBe(true);
  });

  it('walls the dashboard off from another organization: not found, never listed', async () => {
    for (const dashboardId of [arn, 'ops-e2e']) {
      await dFails(app, 'getDashboard', { dashboardId }, other, 'ResourceNotFoundException');
      await dFails(app, 'updateDashboard', { dashboardId, terminationProtectionEnabled: true }, other, 'ResourceNotFoundException');
      await dFails(app, 'startDashboardRefresh', { dashboardId, queryParameterValues: refreshValues }, other, 'ResourceNotFoundException');
      await dFails(app, 'deleteDashboard', { dashboardId }, other, 'ResourceNotFoundException');
    }
    expect(await dCall(app, 'listDashboards', undefined, other)).toEqual({ dashboards: [], nextToken: null });
    // Its own dashboard of the same name is its own.
    const own = await dCall(app, 'createDashboard', { name: 'ops-e2e' }, other);
    expect(own.dashboardArn).not.toBe(arn);
    const mine = await dCall(app, 'getDashboard', { dashboardId: arn }, admin);
    expect(mine.terminationProtectionEnabled).toBe(false);
    expect(mine.widgets).toHaveLength(2);
  });

  it('deletes dashboards, a protected one only once unprotected', async () => {
    await dFails(app, 'deleteDashboard', { dashboardId: 'AWSCloudTrail-DataActivity' }, admin, 'ConflictException');
    await dCall(app, 'updateDashboard', { dashboardId: 'AWSCloudTrail-DataActivity', terminationProtectionEnabled: false }, admin);
    expect(await dCall(app, 'deleteDashboard', { dashboardId: 'AWSCloudTrail-DataActivity' }, admin)).toBe(true);
    expect(await dCall(app, 'deleteDashboard', { dashboardId: arn }, admin)).toBe(true);
    await dFails(app, 'getDashboard', { dashboardId: arn }, admin, 'ResourceNotFoundException');
    await dFails(app, 'deleteDashboard', { dashboardId: arn }, admin, 'ResourceNotFoundException');
    expect(await dCall(app, 'listDashboards', undefined, admin)).toEqual({ dashboards: [], nextToken: null });
  });

  it('records every dashboard call as a cloudtrail.amazonaws.com management event', async () => {
    const records = await storedRecords(
      app,
      `record::jsonb->>'eventSource' = 'cloudtrail.amazonaws.com' AND record::jsonb->>'recipientAccountId' = $1`,
      [app.admin.accountId],
    );
    const names = new Set(records.map((r) => r.eventName));
    for (const n of ['CreateDashboard', 'GetDashboard', 'ListDashboards', 'UpdateDashboard', 'DeleteDashboard', 'StartDashboardRefresh'])
      expect(names).toContain(n);
    const create = records.find((r) => r.eventName === 'CreateDashboard' && r.requestParameters?.input?.name === 'ops-e2e' && !r.errorCode);
    expect(create).toMatchObject({ readOnly: false, eventCategory: 'Management', managementEvent: true });
    expect(records.find((r) => r.eventName === 'GetDashboard')).toMatchObject({ readOnly: true });
    const refused = records.find((r) => r.eventName === 'CreateDashboard' && r.requestParameters?.input?.name === 'too-many');
    expect(refused?.errorCode).toBe('ServiceQuotaExceededException');
  });
});
