import type { Services } from '../../src/app/services';
import type { RequestContext } from '../../src/common/request-context';
import { ensureLakePartitionsFor, insertLakeEvents } from '../../src/lake/lake-event.repository';
import { latestSlot } from '../../src/lake/dashboards/refresh-schedule';
import { lakeEvent } from '../helpers/lake-query';
import { failsWith, startServiceHarness, type ServiceHarness } from '../helpers/service-harness';

jest.setTimeout(120_000);

/** Dashboard rules (spec §8.5) on the real services: names, widgets, SQL, schedules, refreshes, tenant walls. */
describe('service: dashboards', () => {
  let h: ServiceHarness;
  let dashboards: Services['lakeDashboards'];
  let ctx: RequestContext;
  let other: RequestContext;
  let storeId: string;
  const view = [{ key: 'Title', value: 'Calls by name' }];
  const byName = () =>
    `SELECT eventName, count(*) AS n FROM ${storeId} WHERE eventTime >= '?' AND eventTime < '?' GROUP BY eventName ORDER BY eventName`;
  const rowsOf = async (queryId: string) =>
    (await h.services.lakeQueries.getQueryResults(ctx, { queryId })).rows.map((r) => r.map((c) => Object.values(c)[0]));

  beforeAll(async () => {
    h = await startServiceHarness();
    dashboards = h.services.lakeDashboards;
    ctx = h.ctx();
    other = (await h.createTenant('Dashboards Tenant B')).ctx();
    const store = await h.services.lakeStorage.stores.create(ctx, { name: 'dash-store', terminationProtectionEnabled: false });
    storeId = store.id;
    const records = [
      lakeEvent({ eventTime: '2026-03-01T10:00:00Z', eventName: 'GetObject', eventCategory: 'Data', managementEvent: false }),
      lakeEvent({ eventTime: '2026-03-01T11:00:00Z', eventName: 'CreateBucket' }),
      lakeEvent({ eventTime: '2026-03-01T12:00:00Z', eventName: 'CreateBucket', errorCode: 'AccessDenied' }),
    ];
    await ensureLakePartitionsFor(
      h.db.pool,
      records.map((r) => new Date(String(r.eventTime))),
    );
    const client = await h.db.pool.connect();
    try {
      await insertLakeEvents(client, storeId, h.admin.accountId, records);
    } finally {
      client.release();
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  it('refuses bad names, too many widgets, invalid SQL, placeholder mismatches and bad schedules', async () => {
    await failsWith(dashboards.create(ctx, { name: 'no.periods' }), 'InvalidParameterException');
    await failsWith(dashboards.create(ctx, { name: 'ab' }), 'InvalidParameterException');
    const w = { queryStatement: `SELECT count(*) FROM ${storeId}`, viewProperties: view };
    await failsWith(dashboards.create(ctx, { name: 'too-many', widgets: Array(11).fill(w) }), 'ServiceQuotaExceededException');
    await failsWith(
      dashboards.create(ctx, { name: 'bad-sql', widgets: [{ queryStatement: `DELETE FROM ${storeId}`, viewProperties: view }] }),
      'InvalidQueryStatementException',
    );
    await failsWith(
      dashboards.create(ctx, {
        name: 'bad-params',
        widgets: [{ queryStatement: byName(), queryParameters: ['$StartTime$'], viewProperties: view }],
      }),
      'InvalidQueryStatementException',
    );
    await failsWith(
      dashboards.create(ctx, {
        name: 'no-store',
        widgets: [{ queryStatement: 'SELECT count(*) FROM 11111111-2222-3333-4444-555555555555', viewProperties: view }],
      }),
      'EventDataStoreNotFoundException',
    );
    for (const frequency of [
      { unit: 'HOURS', value: 2 },
      { unit: 'DAYS', value: 7 },
    ])
      await failsWith(dashboards.create(ctx, { name: 'bad-schedule', refreshSchedule: { frequency } }), 'InvalidParameterException');
    await failsWith(
      dashboards.create(ctx, { name: 'bad-time', refreshSchedule: { frequency: { unit: 'DAYS', value: 1 }, timeOfDay: '25:00' } }),
      'InvalidParameterException',
    );
    // The highlights dashboard keeps its 6-hourly schedule; managed widgets are built in.
    await failsWith(dashboards.create(ctx, { name: 'AWSCloudTrail-Highlights' }), 'InvalidParameterException');
    await failsWith(dashboards.create(ctx, { name: 'AWSCloudTrail-DataActivity', widgets: [w] }), 'UnsupportedOperationException');
  });

  it('refreshes every widget through startQuery, one refresh at a time, and walls tenants off', async () => {
    const created = await dashboards.create(ctx, {
      name: 'ops',
      widgets: [
        { queryStatement: byName(), queryParameters: ['$StartTime$', '$EndTime$'], viewProperties: view },
        { queryStatement: `SELECT count(*) AS failed FROM ${storeId} WHERE errorCode IS NOT NULL`, viewProperties: view },
      ],
    });
    expect(created.type).toBe('CUSTOM');
    await failsWith(dashboards.create(ctx, { name: 'ops' }), 'ConflictException');
    const values = { $StartTime$: '2026-03-01T00:00:00Z', $EndTime$: '2026-03-02T00:00:00Z' };
    const refreshId = await dashboards.startRefresh(ctx, 'ops', values);
    expect(refreshId).toMatch(/^\d{10,20}$/);
    await failsWith(dashboards.startRefresh(ctx, created.arn, values), 'ServiceQuotaExceededException');
    const { widgets } = await dashboards.get(ctx, 'ops');
    expect(widgets.map((x) => x.queryStatus)).toEqual(['QUEUED', 'QUEUED']);
    for (const x of widgets) expect(await h.services.lakeQueries.run(x.queryId!)).toBe('FINISHED');
    expect(await rowsOf(widgets[0].queryId!)).toEqual([
      ['CreateBucket', '2'],
      ['GetObject', '1'],
    ]);
    expect(await rowsOf(widgets[1].queryId!)).toEqual([['1']]);
    expect((await dashboards.get(ctx, 'ops')).widgets.map((x) => x.queryStatus)).toEqual(['FINISHED', 'FINISHED']);
    // Another tenant can neither see, list nor refresh it (not found, not denied).
    await failsWith(dashboards.get(other, created.arn), 'ResourceNotFoundException');
    await failsWith(dashboards.startRefresh(other, 'ops', values), 'ResourceNotFoundException');
    expect((await dashboards.list(other, {})).dashboards).toEqual([]);
  });

  it('runs a schedule once per slot as the principal who set it', async () => {
    await dashboards.create(ctx, {
      name: 'hourly',
      widgets: [{ queryStatement: byName(), queryParameters: ['$StartTime$', '$EndTime$'], viewProperties: view }],
      refreshSchedule: { frequency: { unit: 'HOURS', value: 1 }, status: 'ENABLED' },
    });
    const later = new Date(Date.now() + 2 * 3_600_000);
    const slot = latestSlot({ frequency: { unit: 'HOURS', value: 1 }, status: 'ENABLED', timeOfDay: '00:00' }, later)!;
    expect(await dashboards.enqueueDueRefreshes(later)).toBe(1);
    expect(await dashboards.refreshScheduled((await dashboards.get(ctx, 'hourly')).dashboard.id, slot.toISOString())).toBe('REFRESHED');
    const again = await dashboards.get(ctx, 'hourly');
    expect(again.widgets[0].queryStatus).toBe('QUEUED');
    expect(await dashboards.refreshScheduled(again.dashboard.id, slot.toISOString())).toBe('SKIPPED');
    expect(await dashboards.enqueueDueRefreshes(later)).toBe(0);
    expect(await h.services.lakeQueries.run(again.widgets[0].queryId!)).toBe('FINISHED');
  });

  it('enables managed dashboards, protected from deletion, and refreshes them on a named store', async () => {
    const managed = await dashboards.create(ctx, { name: 'AWSCloudTrail-DataActivity' });
    expect(managed.type).toBe('MANAGED');
    expect((await dashboards.list(ctx, { type: 'MANAGED' })).dashboards.map((d) => d.name)).toEqual(['AWSCloudTrail-DataActivity']);
    await failsWith(dashboards.startRefresh(ctx, 'AWSCloudTrail-DataActivity', {}), 'InvalidParameterException');
    await dashboards.startRefresh(ctx, 'AWSCloudTrail-DataActivity', {
      $EventDataStoreId$: storeId,
      $StartTime$: '2026-03-01T00:00:00Z',
      $EndTime$: '2026-03-02T00:00:00Z',
    });
    const { widgets } = await dashboards.get(ctx, 'AWSCloudTrail-DataActivity');
    expect(widgets.length).toBeGreaterThan(1);
    for (const x of widgets) expect(await h.services.lakeQueries.run(x.queryId!)).toBe('FINISHED');
    const ops = widgets.find((x) => x.queryAlias === 'data-operations')!;
    expect(await rowsOf(ops.queryId!)).toEqual([['s3.amazonaws.com', 'GetObject', '1']]);
    await failsWith(dashboards.delete(ctx, 'AWSCloudTrail-DataActivity'), 'ConflictException');
    await dashboards.update(ctx, { dashboardId: 'AWSCloudTrail-DataActivity', terminationProtectionEnabled: false });
    await dashboards.delete(ctx, 'AWSCloudTrail-DataActivity');
    await failsWith(dashboards.get(ctx, 'AWSCloudTrail-DataActivity'), 'ResourceNotFoundException');
  });
});
