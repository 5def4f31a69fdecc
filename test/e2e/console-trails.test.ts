import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startWorkers } from '../../workers/main';
import { buildConsole, seriousViolations, settled, openConsolePage, signInWithKey } from '../helpers/console-browser';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(240_000);

// Set to docs/console to refresh the README's screenshot.
const SCREENSHOT_COPY_DIR = process.env.CONSOLE_SCREENSHOTS_DIR;
// Deliveries every 2 s and digests every 5 s instead of 300 s and an hour, so the first delivery
// and a digest listing it arrive within the test; everything else is the default configuration.
const DIGEST_INTERVAL_SECONDS = 5;

/**
 * The Trails page in headless Chromium against the real server and workers: a bucket with
 * CloudTrail's recommended policy and a trail created from the page, logging started until the
 * first delivery, selectors edited (the API's error next to the selector), logging stopped, log
 * file validation with the AWS CLI's verdicts; axe-core on each state.
 */
describe('console Trails page in headless Chromium', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let browser: Browser;
  let page: Page;
  let shotDir: string;
  let problems: () => { pageErrors: string[]; cspReports: string[] };
  const trailName = 'console-trail';
  const bucket = 'console-trail-logs';

  const expectAccessible = async () => expect(await seriousViolations(page)).toEqual([]);
  const row = () => page.getByRole('table', { name: 'Trails' }).locator(`tr[data-trail="${trailName}"]`);
  const refreshUntil = async (testId: string, check: (text: string) => void, timeoutMs = 60_000) =>
    settled(
      async () => {
        await page.getByRole('button', { name: 'Refresh' }).click();
        await page.waitForTimeout(500);
        return (await page.getByTestId(testId).textContent()) ?? '';
      },
      check,
      timeoutMs,
    );

  beforeAll(async () => {
    await buildConsole();
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '2', DIGEST_INTERVAL_SECONDS: String(DIGEST_INTERVAL_SECONDS) });
    workers = await startWorkers(app.services);
    shotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'opentrail-console-shots-'));
    ({ browser, page, problems } = await openConsolePage());
  });

  afterAll(async () => {
    await browser?.close();
    await workers?.close();
    await app?.close();
  });

  afterEach(() => {
    expect(problems()).toEqual({ pageErrors: [], cspReports: [] });
  });

  it('signs in and opens the Trails page', async () => {
    await page.goto(`${app.baseUrl}/console/trails`);
    await signInWithKey(page, app.admin);
    await page.getByRole('table', { name: 'Trails' }).waitFor();
    expect(await page.getByRole('table', { name: 'Trails' }).textContent()).toContain('No trails in this region.');
  });

  it('creates a bucket with the recommended policy and a trail, showing a refused name next to the field', async () => {
    await page.getByRole('button', { name: 'Create trail' }).click();
    const form = page.getByRole('form', { name: 'Create trail' });
    await form.getByLabel('New bucket name').fill(bucket);
    await form.getByRole('button', { name: 'Create bucket' }).click();
    await settled(
      () => form.getByLabel('S3 bucket').inputValue(),
      (v) => expect(v).toBe(bucket),
    );

    // CloudTrail's length rule, reported by the API next to the name.
    await form.getByLabel('Trail name').fill('ab');
    await form.getByRole('button', { name: 'Create trail' }).click();
    const nameError = page.locator('#trail-name-error');
    await nameError.waitFor();
    expect(await nameError.textContent()).toMatch(/^InvalidTrailNameException: /);
    expect(await form.getByLabel('Trail name').getAttribute('aria-describedby')).toBe('trail-name-error');
    await expectAccessible();

    await form.getByLabel('Trail name').fill(trailName);
    const trailArn = `arn:aws:cloudtrail:${app.config.homeRegion}:${app.admin.accountId}:trail/${trailName}`;
    const shown = JSON.parse((await page.getByTestId('recommended-policy').textContent())!);
    expect(shown.Statement.map((s: any) => [s.Action, s.Resource, s.Condition.StringEquals['aws:SourceArn']])).toEqual([
      ['s3:GetBucketAcl', `arn:aws:s3:::${bucket}`, trailArn],
      ['s3:PutObject', `arn:aws:s3:::${bucket}/AWSLogs/${app.admin.accountId}/*`, trailArn],
    ]);
    await form.getByRole('button', { name: `Apply recommended policy to ${bucket}` }).click();
    await form.getByText(`Policy applied to ${bucket}.`).waitFor();
    const token = await app.login(app.admin);
    const stored = await app.gql(`query($b: String!) { getBucketPolicy(input: { bucketName: $b }) { policy } }`, { b: bucket }, { token });
    expect(JSON.parse(stored.data.getBucketPolicy.policy)).toEqual(shown);
    await expectAccessible();

    await form.getByRole('button', { name: 'Create trail' }).click();
    await page.getByRole('heading', { name: `Event selectors of ${trailName}` }).waitFor();
    await row().waitFor();
    expect(await row().locator('td').nth(3).textContent()).toBe(bucket);
    await settled(
      () => page.getByTestId(`logging-${trailName}`).textContent(),
      (t) => expect(t).toBe('Stopped'),
    );
  });

  it('edits the selectors: an invalid advanced selector shows the API error next to it, a valid one saves', async () => {
    const editor = page.getByRole('form', { name: `Event selectors of ${trailName}` });
    await editor.getByLabel('Advanced event selectors').check();
    const selector = page.getByTestId('advanced-selector-1');
    await selector.getByLabel('Name of selector 1').fill('Data without a type');
    // Data events need a resources.type: the API refuses, naming the selector.
    await selector.getByLabel('Values (one per line) 1 of selector 1').fill('Data');
    await editor.getByRole('button', { name: 'Save selectors' }).click();
    const error = page.locator('#advanced-selector-1-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^InvalidEventSelectorsException: .*selector "Data without a type"/);
    await expectAccessible();

    await selector.getByLabel('Name of selector 1').fill('Management events');
    await selector.getByLabel('Values (one per line) 1 of selector 1').fill('Management');
    await editor.getByRole('button', { name: 'Save selectors' }).click();
    await editor.getByText('Selectors saved.').waitFor();
    expect(await error.count()).toBe(0);
    const token = await app.login(app.admin);
    const stored = await app.gql(
      `query($t: String!) { getEventSelectors(input: { trailName: $t }) { advancedEventSelectors { name fieldSelectors { field equals } } } }`,
      { t: trailName },
      { token },
    );
    expect(stored.data.getEventSelectors.advancedEventSelectors).toEqual([
      { name: 'Management events', fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }] },
    ]);
  });

  it('starts logging and shows the first delivery and digest', async () => {
    await row()
      .getByRole('button', { name: `Start logging ${trailName}` })
      .click();
    await settled(
      () => page.getByTestId(`logging-${trailName}`).textContent(),
      (t) => expect(t).toBe('Logging'),
    );
    // The console's own calls are management events: the trail delivers them.
    await refreshUntil(`delivery-${trailName}`, (t) => expect(t).toMatch(/^\d{4}-\d\d-\d\dT/));
    const delivered = Date.parse((await page.getByTestId(`delivery-${trailName}`).textContent())!);
    // A digest written two windows after the delivery lists its log file.
    await refreshUntil(`digest-${trailName}`, (t) => expect(Date.parse(t)).toBeGreaterThan(delivered + 2 * DIGEST_INTERVAL_SECONDS * 1000));
    await expectAccessible();
  });

  it('stops logging', async () => {
    await row()
      .getByRole('button', { name: `Stop logging ${trailName}` })
      .click();
    await settled(
      () => page.getByTestId(`logging-${trailName}`).textContent(),
      (t) => expect(t).toBe('Stopped'),
    );
    await row()
      .getByRole('button', { name: `Start logging ${trailName}` })
      .waitFor();
  });

  it('validates the log files and shows the AWS CLI verdicts; a reversed range is refused next to the range', async () => {
    await row()
      .getByRole('button', { name: `Validate ${trailName}` })
      .click();
    const panel = page.getByRole('form', { name: `Validate log files of ${trailName}` });
    const end = await panel.getByLabel('End time').inputValue();
    await panel.getByLabel('Start time').fill('2099-01-01T00:00:00');
    await panel.getByRole('button', { name: 'Validate log files' }).click();
    const rangeError = page.locator('#validation-range-error');
    await rangeError.waitFor();
    expect(await rangeError.textContent()).toMatch(/^InvalidTimeRangeException: /);
    expect(await panel.getByLabel('Start time').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible();

    const start = new Date(Date.now() - 3600_000);
    const local = new Date(start.getTime() - start.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    await panel.getByLabel('Start time').fill(local);
    expect(await panel.getByLabel('End time').inputValue()).toBe(end);
    await panel.getByRole('button', { name: 'Validate log files' }).click();
    await page.getByTestId('validation-result').waitFor({ timeout: 60_000 });
    expect(await rangeError.count()).toBe(0);
    expect(await page.getByTestId('validation-verdict').textContent()).toBe('All digests and log files are valid.');
    const summary = (await page.getByTestId('validation-summary').textContent())!;
    expect(summary).toMatch(
      /^Results requested for \S+ to \S+\nResults found for \S+ to \S+:\n\n(\d+)\/\1 digest files valid\n(\d+)\/\2 log files valid\n$/,
    );
    const verdicts = await page
      .getByRole('table', { name: 'Validation verdicts' })
      .locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => (r as unknown as { innerText: string }).innerText.split('\t')));
    expect(verdicts[0][0]).toBe('Digest files');
    expect(Number(verdicts[0][1])).toBeGreaterThan(0);
    expect(verdicts[2]).toEqual(['Log files', expect.stringMatching(/^[1-9]\d*$/), '0']);
    expect(await page.getByTestId('validation-failures').count()).toBe(0);
    await expectAccessible();
    // The list (logging state, deliveries, digests) with the validation's verdicts below it.
    const file = path.join(shotDir, 'trails.png');
    await page.screenshot({ path: file, fullPage: true });
    expect(fs.statSync(file).size).toBeGreaterThan(1000);
    if (SCREENSHOT_COPY_DIR) fs.copyFileSync(file, path.join(SCREENSHOT_COPY_DIR, 'trails.png'));
  });
});
