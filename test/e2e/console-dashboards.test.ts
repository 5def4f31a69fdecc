import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startWorkers } from '../../workers/main';
import { buildConsole, openConsolePage, seriousViolations, settled, signInWithKey } from '../helpers/console-browser';
import { createStore, lakeEvent, qCall, seed } from '../helpers/lake-query';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(240_000);

// Set to docs/console to refresh the README's screenshots.
const SCREENSHOT_COPY_DIR = process.env.CONSOLE_SCREENSHOTS_DIR;

/** A widget's view properties in key order (the API returns them as stored, in jsonb's key order). */
const viewOf = (w: { viewProperties: Array<{ key: string; value: string }> }) =>
  Object.fromEntries(w.viewProperties.map((p) => [p.key, p.value]));

const GET_DASHBOARD = `query($input: DashboardRefInput!) { getDashboard(input: $input) {
  name type widgets { queryAlias queryStatement queryParameters viewProperties { key value } queryId queryStatus } } }`;

/**
 * Lake charts saved to dashboards, in headless Chromium against the real server and workers: a
 * bar chart saved to a new dashboard (a refused name shown next to the field), a time series
 * appended to it, the Dashboards page listing and opening it, a refresh running both widgets'
 * queries through the lake-query queue and drawing their charts; axe-core on each state.
 */
describe('console Dashboards in headless Chromium', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let browser: Browser;
  let page: Page;
  let shotDir: string;
  let problems: () => { pageErrors: string[]; cspReports: string[] };
  let store: { id: string; arn: string };
  let token: string;
  const dashboard = 'console-ops';

  const expectAccessible = async () => expect(await seriousViolations(page)).toEqual([]);
  // The store also receives the console's own calls (today): the time series reads March 2026 only.
  const perHour = () =>
    `SELECT date_trunc('hour', eventTime) AS hour, count(*) AS events FROM ${store.id} WHERE eventTime < '2026-03-02 00:00:00' GROUP BY 1 ORDER BY 1`;
  const runQuery = async () => {
    await page.getByRole('button', { name: 'Run query' }).click();
    await settled(
      () => page.getByTestId('query-status').textContent(),
      (t) => expect(t).toMatch(/^FINISHED/),
      60_000,
    );
    await page.getByTestId('query-results').waitFor();
  };
  const saveForm = () => page.getByRole('form', { name: 'Save chart to a dashboard' });

  beforeAll(async () => {
    await buildConsole();
    app = await startTestApp();
    workers = await startWorkers(app.services);
    shotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-console-shots-'));
    ({ browser, page, problems } = await openConsolePage());
    token = await app.login(app.admin);
    store = await createStore(app, { token }, 'console-dash-store');
    await seed(app, store.id, app.admin.accountId, [
      ...[5, 20, 40].map((m) => lakeEvent({ eventID: `a-${m}`, eventTime: `2026-03-01T10:${m}:00Z`, eventName: 'CreateBucket' })),
      lakeEvent({ eventID: 'b-1', eventTime: '2026-03-01T11:15:00Z', eventName: 'PutBucketPolicy' }),
      ...[1, 2].map((m) => lakeEvent({ eventID: `c-${m}`, eventTime: `2026-03-01T13:0${m}:00Z`, eventName: 'DeleteBucket' })),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await app?.close();
  });

  afterEach(() => {
    expect(problems()).toEqual({ pageErrors: [], cspReports: [] });
  });

  it('saves a bar chart of a Lake result to a new dashboard; a refused name shows next to the field', async () => {
    await page.goto(`${app.baseUrl}/console/lake`);
    await signInWithKey(page, app.admin);
    await page.getByRole('button', { name: 'Query console-dash-store' }).click();
    await runQuery();
    await page.getByTestId('result-chart').waitFor();
    expect(await page.getByTestId('chart-kind').inputValue()).toBe('bar');

    await saveForm().getByLabel('New dashboard name').fill('ab');
    await saveForm().getByRole('button', { name: 'Save chart to dashboard' }).click();
    const nameError = page.locator('#save-dashboard-name-error');
    await nameError.waitFor();
    expect(await nameError.textContent()).toMatch(/^InvalidParameterException: Dashboard name ab is not valid/);
    expect(await saveForm().getByLabel('New dashboard name').getAttribute('aria-describedby')).toBe('save-dashboard-name-error');
    await expectAccessible();

    await saveForm().getByLabel('New dashboard name').fill(dashboard);
    await saveForm().getByLabel('Widget title').fill('Calls by name');
    await saveForm().getByRole('button', { name: 'Save chart to dashboard' }).click();
    await settled(
      () => page.getByTestId('save-dashboard-status').textContent(),
      (t) => expect(t).toContain(`Saved to ${dashboard} (1 widget).`),
    );
    expect(await nameError.count()).toBe(0);
    const stored = (await app.gql(GET_DASHBOARD, { input: { dashboardId: dashboard } }, { token })).data.getDashboard;
    expect(stored.type).toBe('CUSTOM');
    expect(stored.widgets).toEqual([
      expect.objectContaining({
        queryStatement: `SELECT eventName, count(*) AS events FROM ${store.id} GROUP BY eventName ORDER BY events DESC LIMIT 20`,
        queryParameters: null,
      }),
    ]);
    expect(viewOf(stored.widgets[0])).toEqual({ Title: 'Calls by name', View: 'BarChart', XAxis: 'eventName', YAxis: 'events' });
  });

  it('charts a result over time as a time series and appends it to the dashboard', async () => {
    await page.getByTestId('sql-editor').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.press('Backspace');
    // insertText: the statement as written, without the editor's bracket and quote closing.
    await page.keyboard.insertText(perHour());
    await runQuery();
    await page.getByTestId('chart-kind').selectOption('timeseries');
    expect(await page.getByTestId('chart-label-column').inputValue()).toBe('hour');
    expect(await page.getByTestId('result-chart').getAttribute('aria-label')).toBe('Time series chart of events by hour');
    await saveForm().getByTestId('save-dashboard-target').selectOption(dashboard);
    expect(await saveForm().getByLabel('New dashboard name').count()).toBe(0);
    await saveForm().getByLabel('Widget title').fill('Calls per hour');
    await saveForm().getByRole('button', { name: 'Save chart to dashboard' }).click();
    await settled(
      () => page.getByTestId('save-dashboard-status').textContent(),
      (t) => expect(t).toContain(`Saved to ${dashboard} (2 widgets).`),
    );
    const stored = (await app.gql(GET_DASHBOARD, { input: { dashboardId: dashboard } }, { token })).data.getDashboard;
    expect(stored.widgets.map(viewOf)).toEqual([
      { Title: 'Calls by name', View: 'BarChart', XAxis: 'eventName', YAxis: 'events' },
      { Title: 'Calls per hour', View: 'TimeSeries', XAxis: 'hour', YAxis: 'events' },
    ]);
    expect(stored.widgets[1].queryStatement).toBe(perHour());
    await expectAccessible();
  });

  it('opens the dashboard from the Dashboards page, refreshes it and draws each widget from its query', async () => {
    await page.getByRole('link', { name: 'Dashboards' }).click();
    const list = page.getByRole('table', { name: 'Dashboards' });
    await list.waitFor();
    expect(await list.locator('tbody tr', { hasText: dashboard }).locator('td').nth(1).textContent()).toBe('CUSTOM');
    await list.getByRole('button', { name: `Open ${dashboard}` }).click();
    expect(new URL(page.url()).search).toBe(`?name=${dashboard}`);
    await page.getByRole('heading', { name: `Dashboard ${dashboard}` }).waitFor();
    expect(await page.getByTestId('widget-status-widget-1').textContent()).toBe('Not refreshed yet');
    expect(await page.getByTestId('dashboard-summary').textContent()).toContain('never refreshed');

    await page.getByRole('button', { name: 'Refresh dashboard' }).click();
    for (const alias of ['widget-1', 'widget-2'])
      await settled(
        () => page.getByTestId(`widget-status-${alias}`).textContent(),
        (t) => expect(t).toBe('FINISHED'),
        60_000,
      );
    const bar = page.getByTestId('widget-chart-widget-1');
    const series = page.getByTestId('widget-chart-widget-2');
    await bar.waitFor();
    await series.waitFor();
    expect(await bar.getAttribute('aria-label')).toBe('Bar chart of events by eventName');
    expect(await series.getAttribute('aria-label')).toBe('Time series chart of events by hour');
    expect((await series.boundingBox())!.height).toBeGreaterThan(100);
    expect(await page.getByTestId('dashboard-summary').textContent()).toMatch(/last refresh \d{17}/);

    // The charts draw the rows of the refresh's own queries.
    const refreshed = (await app.gql(GET_DASHBOARD, { input: { dashboardId: dashboard } }, { token })).data.getDashboard;
    const rows = async (queryId: string) =>
      (await qCall(app, 'getQueryResults', { queryId }, { token })).queryResultRows.map((r: Array<Record<string, string>>) =>
        r.map((c) => Object.values(c)[0]),
      );
    expect((await rows(refreshed.widgets[1].queryId)).map((r: string[]) => r[1])).toEqual(['3', '1', '2']);
    expect(await rows(refreshed.widgets[0].queryId)).toContainEqual(['CreateBucket', '3']);
    await expectAccessible();
    const file = path.join(shotDir, 'dashboards.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(1000);
    if (SCREENSHOT_COPY_DIR) fs.copyFileSync(file, path.join(SCREENSHOT_COPY_DIR, 'dashboards.png'));
  });
});
