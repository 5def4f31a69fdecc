import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import IORedis from 'ioredis';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { liveChannel } from '../../src/streaming/live-events.hub';
import { startWorkers } from '../../workers/main';
import { buildConsole, seriousViolations, settled, signInWithKey } from '../helpers/console-browser';
import { RECORD, sampleEvent } from '../helpers/events';
import { createStore, lakeEvent, seed } from '../helpers/lake-query';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(180_000);

// Debian's Chromium is a prerequisite (.ci/run installs it); a missing browser fails, never skips.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Set to docs/console to refresh the README's screenshots.
const SCREENSHOT_COPY_DIR = process.env.CONSOLE_SCREENSHOTS_DIR;

/**
 * The console in headless Chromium against the real server (default settings, real workers):
 * sign-in, event history with two attributes, a record, the live stream, a Lake query and its
 * chart, expired sessions; axe-core on every page; no request leaves the origin, no CSP report.
 */
describe('console in headless Chromium', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let shotDir: string;
  const offOrigin: string[] = [];
  const cspReports: string[] = [];
  const pageErrors: string[] = [];

  const record = async (token: string, events: Array<Record<string, unknown>>) => {
    const result = await app.gql(RECORD, { input: { events } }, { token });
    expect(result.data.recordEvents.failed).toEqual([]);
  };
  const screenshot = async (name: string) => {
    const file = path.join(shotDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(1000);
    if (SCREENSHOT_COPY_DIR) fs.copyFileSync(file, path.join(SCREENSHOT_COPY_DIR, `${name}.png`));
  };
  const expectAccessible = async () => expect(await seriousViolations(page)).toEqual([]);
  const signIn = async () => {
    await signInWithKey(page, app.admin);
    await page.getByTestId('caller-arn').waitFor();
  };

  beforeAll(async () => {
    await buildConsole();
    app = await startTestApp();
    workers = await startWorkers(app.services);
    shotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-console-shots-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    const origin = new URL(app.baseUrl).host;
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (!['blob:', 'data:'].includes(url.protocol) && url.host !== origin) offOrigin.push(req.url());
    });
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) cspReports.push(msg.text());
    });
    page.on('pageerror', (err) => pageErrors.push(String(err)));
  });

  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await app?.close();
  });

  afterEach(() => {
    const seen = { offOrigin: offOrigin.splice(0), cspReports: cspReports.splice(0), pageErrors: pageErrors.splice(0) };
    expect(seen).toEqual({ offOrigin: [], cspReports: [], pageErrors: [] });
  });

  it('has Chromium installed', () => {
    expect(fs.existsSync(CHROMIUM)).toBe(true);
  });

  it('serves the page under the strict CSP with immutable hashed assets', async () => {
    const res = await fetch(`${app.baseUrl}/console/history?range=1h`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await res.text();
    const asset = /\/console\/assets\/[\w.-]+\.js/.exec(html)?.[0];
    expect(asset).toBeDefined();
    const js = await fetch(`${app.baseUrl}${asset}`);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${app.baseUrl}/console/assets/nope.js`)).status).toBe(404);
  });

  it('signs in with an access key and shows the identity, account and region', async () => {
    await page.goto(`${app.baseUrl}/console`);
    await page.getByRole('heading', { name: 'Sign in to OpenTrail' }).waitFor();
    await expectAccessible();
    // A wrong secret shows the API's code and stays on the page.
    await signInWithKey(page, { accessKeyId: app.admin.accessKeyId, secretAccessKey: 'not-the-secret' });
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toBe(
      'SignatureDoesNotMatch: The secret access key does not match the access key id.',
    );
    await signIn();
    expect(await page.getByTestId('caller-account').textContent()).toBe(app.admin.accountId);
    expect(await page.getByTestId('caller-arn').textContent()).toContain(`arn:aws:iam::${app.admin.accountId}:`);
    expect(await page.getByTestId('region-select').inputValue()).toBe(app.config.homeRegion);
    expect(new URL(page.url()).pathname).toBe('/console/history');
  });

  it('filters the history by two attributes, opens a record and follows a user link', async () => {
    const token = await app.login(app.admin);
    const target = sampleEvent(
      {
        eventName: 'RunInstances',
        userIdentity: {
          type: 'IAMUser',
          principalId: 'AIDAALICE',
          arn: 'arn:aws:iam::111122223333:user/alice',
          accountId: '111122223333',
          accessKeyId: 'AKIAALICE',
          userName: 'alice',
        },
      },
      120,
    );
    await record(token, [
      target,
      sampleEvent(
        {
          eventName: 'StopInstances',
          userIdentity: {
            type: 'IAMUser',
            principalId: 'AIDAALICE',
            arn: 'arn:aws:iam::111122223333:user/alice',
            accountId: '111122223333',
            accessKeyId: 'AKIAALICE',
            userName: 'alice',
          },
        },
        100,
      ),
      sampleEvent(
        {
          eventName: 'RunInstances',
          userIdentity: {
            type: 'IAMUser',
            principalId: 'AIDABOB',
            arn: 'arn:aws:iam::111122223333:user/bob',
            accountId: '111122223333',
            accessKeyId: 'AKIABOB',
            userName: 'bob',
          },
        },
        90,
      ),
    ]);

    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page.getByTestId('attribute-key-0').selectOption('Username');
    await page.getByTestId('attribute-value-0').fill('alice');
    await page.getByRole('button', { name: 'Add attribute' }).click();
    await page.getByTestId('attribute-key-1').selectOption('EventName');
    await page.getByTestId('attribute-value-1').fill('RunInstances');
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.waitForURL(/a=Username%3Aalice.*a=EventName%3ARunInstances/);
    const rows = page.locator('table[aria-label="Events"] tbody tr[data-event-id]');
    await settled(
      () => rows.count(),
      (n) => expect(n).toBe(1),
    );
    expect(await rows.first().getAttribute('data-event-id')).toBe(target.eventID);
    // Two attributes: the download is exactly the filtered slice (both attributes ANDed).
    const [both] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const bothLines = fs
      .readFileSync((await both.path())!, 'utf8')
      .trim()
      .split(/\r\n/);
    expect(bothLines.slice(1).map((l) => l.split(',')[0])).toEqual([target.eventID]);

    await page.getByRole('button', { name: /^Open record RunInstances/ }).click();
    const json = page.getByTestId('record-json');
    await json.waitFor();
    const shown = JSON.parse((await json.textContent())!);
    expect(shown.eventID).toBe(target.eventID);
    expect(shown.userIdentity.userName).toBe('alice');
    await expectAccessible();
    await screenshot('event-history');

    // The user link narrows to that user alone: both of alice's events, bob's not.
    await page.getByRole('button', { name: 'Close record' }).click();
    await page.getByRole('link', { name: 'alice' }).first().click();
    await page.waitForURL((url) => url.searchParams.getAll('a').join('|') === 'Username:alice');
    await settled(
      () => rows.count(),
      (n) => expect(n).toBe(2),
    );

    // One attribute: the export endpoint streams exactly that slice as CSV.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toMatch(/^Event ID,Event time,User name,Event name/);
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[3])
        .sort(),
    ).toEqual(['RunInstances', 'StopInstances']);
  });

  it('pages the history by keyset: 50, then the rest, and back', async () => {
    const token = await app.login(app.admin);
    const pager = {
      type: 'IAMUser',
      principalId: 'AIDAPAGER',
      arn: 'arn:aws:iam::111122223333:user/pager',
      accountId: '111122223333',
      accessKeyId: 'AKIAPAGER',
      userName: 'pager',
    };
    const events = Array.from({ length: 60 }, (_, i) => sampleEvent({ eventName: 'GetObject', userIdentity: pager }, 300 + i));
    await record(token, events);
    // A link (or reload) with the filter in its URL opens it as is.
    await page.goto(`${app.baseUrl}/console/history?a=Username%3Apager`);
    const rows = page.locator('table[aria-label="Events"] tbody tr[data-event-id]');
    await settled(
      () => rows.first().getAttribute('data-event-id'),
      (id) => expect(id).toBe(events[0].eventID),
    );
    expect(await rows.count()).toBe(50);
    // A second later the relative range ("last 90 days") starts a second later too: the next page
    // must still be asked with the first page's start time, which its cursor was issued for.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await page.getByRole('button', { name: 'Next page' }).click();
    await settled(
      () => rows.count(),
      (n) => expect(n).toBe(10),
    );
    expect(await rows.last().getAttribute('data-event-id')).toBe(events[59].eventID);
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await settled(
      () => rows.count(),
      (n) => expect(n).toBe(50),
    );
    // Back to alice for the live test.
    await page.goto(`${app.baseUrl}/console/history?a=Username%3Aalice`);
    await settled(
      () => rows.count(),
      (n) => expect(n).toBe(2),
    );
  });

  it('goes live and shows a matching event recorded meanwhile, not a non-matching one', async () => {
    const token = await app.login(app.admin);
    await page.getByRole('switch', { name: 'Live' }).check();
    await settled(
      () => page.getByTestId('live-status').textContent(),
      (t) => expect(t).toBe('Live: live'),
    );
    // "live" is the socket's acknowledgement; the subscription itself is in place once the hub
    // listens on the account's channel. Events recorded before that would never be streamed.
    const redis = new IORedis(app.config.redisUrl);
    try {
      await settled(
        async () =>
          Number(((await redis.pubsub('NUMSUB', liveChannel(app.config.redisPrefix, app.admin.accountId))) as [string, number])[1]),
        (n) => expect(n).toBeGreaterThan(0),
      );
    } finally {
      redis.disconnect();
    }
    const alice = {
      type: 'IAMUser',
      principalId: 'AIDAALICE',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
      accessKeyId: 'AKIAALICE',
      userName: 'alice',
    };
    const fresh = sampleEvent({ eventName: 'TerminateInstances', userIdentity: alice }, 1);
    const other = sampleEvent({ eventName: 'TerminateInstances', userIdentity: { ...alice, userName: 'carol' } }, 1);
    await record(token, [other, fresh]);
    const liveRow = page.locator(`tr.live-row[data-event-id="${fresh.eventID}"]`);
    await liveRow.waitFor({ timeout: 30_000 });
    expect(await page.locator(`tr[data-event-id="${other.eventID}"]`).count()).toBe(0);
    await page.getByRole('switch', { name: 'Live' }).uncheck();
  });

  it('runs a Lake query, shows its results and charts them', async () => {
    const token = await app.login(app.admin);
    const store = await createStore(app, { token }, 'console-store');
    await seed(app, store.id, app.admin.accountId, [
      ...[1, 2, 3].map((i) => lakeEvent({ eventID: `c-${i}`, eventName: 'CreateBucket' })),
      ...[1, 2].map((i) => lakeEvent({ eventID: `p-${i}`, eventName: 'PutBucketPolicy' })),
      lakeEvent({ eventID: 'd-1', eventName: 'DeleteBucket' }),
    ]);
    await page.getByRole('link', { name: 'Lake' }).click();
    await page.getByRole('button', { name: 'Query console-store' }).click();
    await settled(
      () => page.getByTestId('sql-editor').textContent(),
      (t) => expect(t).toContain(`FROM ${store.id}`),
    );
    await page.getByRole('button', { name: 'Run query' }).click();
    const results = page.getByTestId('query-results');
    await results.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('query-status').textContent()).toMatch(/^FINISHED/);
    const created = results.locator('tbody tr', { hasText: 'CreateBucket' });
    expect(await created.locator('td').allTextContents()).toEqual(['CreateBucket', '3']);
    const chart = page.getByTestId('result-chart');
    await chart.waitFor();
    await page.getByTestId('chart-kind').selectOption('pie');
    const box = await chart.boundingBox();
    expect(box!.height).toBeGreaterThan(100);
    await expectAccessible();
    await screenshot('lake-chart');

    // The shown page downloads as CSV; the history lists the query and reopens it.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download results page (CSV)' }).click(),
    ]);
    const csv = fs.readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toBe('eventName,events');
    expect(csv).toContain('CreateBucket,3');
    const history = page.getByTestId('query-history');
    await settled(
      () => history.textContent(),
      (t) => expect(t).toContain('FINISHED'),
    );
    const queryId = /· FINISHED · (\S+)/.exec((await history.textContent())!)![1];
    await page.getByRole('link', { name: 'Event history' }).click();
    await page.getByRole('link', { name: 'Lake' }).click();
    await page
      .getByTestId('query-history')
      .getByRole('button', { name: new RegExp(queryId) })
      .click();
    await page.getByTestId('query-results').waitFor();
    await settled(
      () => page.getByTestId('sql-editor').textContent(),
      (t) => expect(t).toContain(`FROM ${store.id}`),
    );

    // An error from the API shows its CloudTrail code.
    await page.getByTestId('sql-editor').click();
    await page.keyboard.press('Control+a');
    // Deleted by CodeMirror's command; typing over a multi-line selection is left to the browser,
    // whose contenteditable writes a style attribute the CSP refuses (blocked, harmless, reported).
    await page.keyboard.press('Backspace');
    await page.keyboard.type('SELECT nothing FROM no_such_store');
    await page.getByRole('button', { name: 'Run query' }).click();
    await page.getByRole('alert').first().waitFor();
    expect(await page.getByRole('alert').first().textContent()).toMatch(/^\w+(Exception|FAILED): /);
  });

  it('lists trails with their status', async () => {
    await page.getByRole('link', { name: 'Trails' }).click();
    await page.getByRole('heading', { name: 'Trails' }).waitFor();
    await page.getByRole('table', { name: 'Trails' }).waitFor();
    await expectAccessible();
  });

  it('lists Insights (a Start/End pair) and charts the curve behind one against its baseline', async () => {
    const token = await app.login(app.admin);
    const shared = randomUUID();
    const insight = (state: 'Start' | 'End', minutesAgo: number) => ({
      eventVersion: '1.08',
      eventTime: new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      awsRegion: app.config.homeRegion,
      eventID: randomUUID(),
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: app.admin.accountId,
      sharedEventID: shared,
      eventCategory: 'Insight',
      insightDetails: {
        state,
        eventSource: 'ec2.amazonaws.com',
        eventName: 'RunInstances',
        insightType: 'ApiCallRateInsight',
        insightContext: {
          statistics: { baseline: { average: 0.25 }, insight: { average: 42 }, insightDuration: 10, baselineDuration: 10080 },
        },
      },
    });
    await record(token, [insight('Start', 30), insight('End', 20)]);
    await page.getByRole('link', { name: 'Insights' }).click();
    const row = page.getByRole('table', { name: 'Insights' }).locator('tbody tr', { hasText: 'RunInstances' });
    await row.waitFor();
    expect(await row.locator('td').allTextContents()).toEqual(expect.arrayContaining(['ApiCallRateInsight', 'Past', '0.25', '42']));
    const [metrics] = await Promise.all([
      page.waitForRequest((r) => (r.postData() ?? '').includes('listInsightsMetricData')),
      row.getByRole('button', { name: 'ec2.amazonaws.com RunInstances' }).click(),
    ]);
    expect(JSON.parse(metrics.postData()!).variables.input).toMatchObject({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      insightType: 'ApiCallRateInsight',
      period: 60,
    });
    await page.getByTestId('insight-chart').waitFor();
    await settled(
      () => page.getByRole('status').count(),
      (n) => expect(n).toBe(0),
    );
    expect(await page.getByRole('alert').count()).toBe(0);
    await expectAccessible();
  });

  it('switches region: the page reloads and every call names the region', async () => {
    await page.getByRole('link', { name: 'Trails' }).click();
    await page.getByRole('table', { name: 'Trails' }).waitFor();
    const select = page.getByTestId('region-select');
    const other = (
      await select.locator('option').evaluateAll((options) => options.map((o) => (o as unknown as { value: string }).value))
    ).find((r) => r !== app.config.homeRegion)!;
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith('/graphql') && r.method() === 'POST' && (r.postData() ?? '').includes('describeTrails')),
      select.selectOption(other),
    ]);
    expect(request.headers()['x-region']).toBe(other);
    await page.getByRole('table', { name: 'Trails' }).waitFor();
    expect(await page.getByTestId('caller-account').textContent()).toBe(app.admin.accountId);
    await select.selectOption(app.config.homeRegion);
    expect(await select.inputValue()).toBe(app.config.homeRegion);
  });

  it('returns an expired session to sign-in and back to the same filters', async () => {
    await page.goto(`${app.baseUrl}/console/history?range=7d&a=Username%3Aalice&readOnly=false`);
    await page.getByTestId('caller-arn').waitFor();
    // The stored token stops being valid (as an expired one does); the next call is refused.
    await page.evaluate(`sessionStorage.setItem('opentrail.console.session', JSON.stringify({ token: 'expired.token.value' }))`);
    await page.getByRole('button', { name: 'Apply filter' }).click();
    await page.getByRole('heading', { name: 'Sign in to OpenTrail' }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain('session has ended');
    await screenshot('sign-in');
    await signIn();
    await page.waitForURL(/\/console\/history\?/);
    const params = new URL(page.url()).searchParams;
    expect({ range: params.get('range'), a: params.getAll('a'), readOnly: params.get('readOnly') }).toEqual({
      range: '7d',
      a: ['Username:alice'],
      readOnly: 'false',
    });
    expect(await page.getByTestId('attribute-value-0').inputValue()).toBe('alice');
  });

  it('signs out', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to OpenTrail' }).waitFor();
    expect(await page.evaluate(`sessionStorage.getItem('opentrail.console.session')`)).toBeNull();
  });
});
