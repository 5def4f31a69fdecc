import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startWorkers } from '../../workers/main';
import { buildConsole, seriousViolations, settled, openConsolePage, signInWithKey } from '../helpers/console-browser';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTrailBucket, trailCall } from '../helpers/trails';

jest.setTimeout(300_000);

// Set to docs/console to refresh the bucket browser's screenshot.
const SCREENSHOT_COPY_DIR = process.env.CONSOLE_SCREENSHOTS_DIR;

/**
 * The Resources pages in headless Chromium against the real server and workers. Deliveries run
 * every 2 s instead of 300 s (the only setting changed), so a trail started through the API writes
 * real gzip log files that the bucket browser opens as records. Each kind: its list, a create or
 * delete or detail action through the page, an API error next to its field; axe-core on each page.
 */
describe('console Resources pages in headless Chromium', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let browser: Browser;
  let page: Page;
  let token: string;
  let shotDir: string;
  let problems: () => { pageErrors: string[]; cspReports: string[] };
  const logBucket = 'console-resource-logs';

  const expectAccessible = async () => expect(await seriousViolations(page)).toEqual([]);
  const openKind = async (label: string) => {
    await page.getByRole('navigation', { name: 'Resource kinds' }).getByRole('link', { name: label }).click();
    await page.getByRole('heading', { level: 1, name: label }).waitFor();
  };
  const errorText = async (id: string) => {
    const el = page.locator(`#${id}`);
    await el.waitFor();
    return el.textContent();
  };
  const api = async (query: string, variables: Record<string, unknown> = {}) => {
    const result = await app.gql(query, variables, { token });
    expect(result.errors).toBeUndefined();
    return result.data;
  };

  beforeAll(async () => {
    await buildConsole();
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '2' });
    workers = await startWorkers(app.services);
    token = await app.login(app.admin);
    // A logging trail: the console's own calls are management events it delivers as log files.
    await createTrailBucket(app, { token }, logBucket, [app.admin.accountId]);
    await trailCall(app, 'createTrail', { name: 'resources-trail', s3BucketName: logBucket }, { token });
    await trailCall(app, 'startLogging', { name: 'resources-trail' }, { token });
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

  it('signs in onto the Resources page, current in the navigation', async () => {
    await page.goto(`${app.baseUrl}/console/resources/event-data-stores`);
    await signInWithKey(page, app.admin);
    await page.getByRole('table', { name: 'Event data stores' }).waitFor();
    expect(
      await page.getByRole('navigation', { name: 'Console pages' }).getByRole('link', { name: 'Resources' }).getAttribute('aria-current'),
    ).toBe('page');
    expect(await page.getByRole('table', { name: 'Event data stores' }).textContent()).toContain('No event data stores in this region.');
    await expectAccessible();
  });

  it('creates an event data store (a refused name next to the name) and shows its details', async () => {
    await page.getByRole('button', { name: 'New event data store' }).click();
    const form = page.getByRole('form', { name: 'Create event data store' });
    await form.getByLabel('Event data store name').fill('ab');
    await form.getByRole('button', { name: 'Create event data store' }).click();
    expect(await errorText('store-name-error')).toMatch(/^InvalidParameterException: Event data store name ab is not valid/);
    expect(await form.getByLabel('Event data store name').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible();

    await form.getByLabel('Event data store name').fill('console-store');
    await form.getByLabel('Events collected').selectOption({ label: 'Events from integrations (channels)' });
    await form.getByLabel('Retention period (days)').fill('5');
    await form.getByRole('button', { name: 'Create event data store' }).click();
    expect(await errorText('store-retention-error')).toMatch(/^InvalidParameterException: retentionPeriod must be 7 to/);
    await form.getByLabel('Retention period (days)').fill('30');
    await form.getByLabel('Termination protection').uncheck();
    await form.getByRole('button', { name: 'Create event data store' }).click();
    const panel = page.getByRole('region', { name: 'Event data store console-store' });
    await panel.getByTestId('store-status').waitFor();
    expect(await panel.getByTestId('store-status').textContent()).toBe('ENABLED');
    expect(await panel.textContent()).toContain('Retention (days)30');
    await page.getByRole('table', { name: 'Event data stores' }).getByRole('button', { name: 'console-store' }).waitFor();
    await expectAccessible();
  });

  it('creates a channel into the store, shows it and deletes it', async () => {
    await openKind('Channels');
    await page.getByRole('button', { name: 'New channel' }).click();
    const form = page.getByRole('form', { name: 'Create channel' });
    await form.getByLabel('Channel name').fill('console-channel');
    await settled(
      () => form.getByLabel('Destination event data store').locator('option').allTextContents(),
      (options) => expect(options).toContain('console-store'),
    );
    await form.getByLabel('Destination event data store').selectOption({ label: 'console-store' });
    await form.getByRole('button', { name: 'Create channel' }).click();
    const panel = page.getByRole('region', { name: 'Channel console-channel' });
    await panel.getByText('Custom').waitFor();
    expect(await panel.textContent()).toMatch(/DestinationsEVENT_DATA_STORE arn:aws:cloudtrail:/);
    await expectAccessible();

    await panel.getByRole('button', { name: 'Delete channel console-channel' }).click();
    await page.getByText('No channels in this region.').waitFor();
    expect((await api('query { listChannels { channels { name } } }')).listChannels.channels).toEqual([]);
  });

  it('deletes the event data store from its details', async () => {
    await openKind('Event data stores');
    await page.getByRole('table', { name: 'Event data stores' }).getByRole('button', { name: 'console-store' }).click();
    const panel = page.getByRole('region', { name: 'Event data store console-store' });
    await panel.getByRole('button', { name: 'Delete event data store console-store' }).click();
    await panel.waitFor({ state: 'detached' });
    const stores = await api('query { listEventDataStores { eventDataStores { eventDataStoreArn name } } }');
    const arn = stores.listEventDataStores.eventDataStores.find((s: { name: string }) => s.name === 'console-store')?.eventDataStoreArn;
    const status = arn
      ? (await api('query($s: String!) { getEventDataStore(input: { eventDataStore: $s }) { status } }', { s: arn })).getEventDataStore
          .status
      : 'gone';
    expect(['PENDING_DELETION', 'gone']).toContain(status);
  });

  it('creates and deletes a bucket, a refused name next to the name', async () => {
    await openKind('Buckets');
    const form = page.getByRole('form', { name: 'Create bucket' });
    await form.getByLabel('Bucket name').fill('Not_A_Bucket');
    await form.getByRole('button', { name: 'Create bucket' }).click();
    expect(await errorText('bucket-name-error')).toMatch(/^InvalidBucketName: /);
    expect(await form.getByLabel('Bucket name').getAttribute('aria-describedby')).toBe('bucket-name-error');
    await expectAccessible();

    await form.getByLabel('Bucket name').fill('console-scratch');
    await form.getByRole('button', { name: 'Create bucket' }).click();
    const row = page.locator('tr[data-bucket="console-scratch"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Delete console-scratch' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await api('query { listBuckets { buckets { bucketName } } }')).listBuckets.buckets).toEqual([{ bucketName: logBucket }]);
  });

  it('browses the trail bucket and opens a delivered log file as its records', async () => {
    await page.getByRole('button', { name: `Browse ${logBucket}` }).click();
    const browser = page.getByRole('region', { name: `Bucket ${logBucket}` });
    const prefix = `AWSLogs/${app.admin.accountId}/CloudTrail/`;
    await browser.getByLabel('Key prefix').fill(prefix);
    const keys = browser.getByRole('table', { name: `Keys of ${logBucket}` });
    // The first delivery arrives within a few 2 s rounds.
    await settled(
      async () => {
        await browser.getByRole('button', { name: 'List keys' }).click();
        await page.waitForTimeout(500);
        return keys.getByRole('button').allTextContents();
      },
      (names) => expect(names.some((k) => k.endsWith('.json.gz'))).toBe(true),
      60_000,
    );
    const key = (await keys.getByRole('button').allTextContents()).find((k) => k.endsWith('.json.gz'))!;
    expect(key.startsWith(`${prefix}${app.config.homeRegion}/`)).toBe(true);
    await keys.getByRole('button', { name: key }).click();
    const records = page.getByRole('table', { name: 'Log file records' });
    await records.waitFor();
    const count = Number(/^(\d+) record/.exec((await page.getByTestId('record-count').textContent())!)![1]);
    expect(count).toBeGreaterThan(0);
    expect(await records.locator('tbody tr').count()).toBe(count);

    // The rows are the file's records: the same event ids, in order, as the gzip JSON read here.
    const object = await api('query($b: String!, $k: String!) { getObject(input: { bucketName: $b, key: $k }) { body } }', {
      b: logBucket,
      k: key,
    });
    const { gunzipSync } = await import('node:zlib');
    const file = JSON.parse(gunzipSync(Buffer.from(object.getObject.body, 'base64')).toString('utf8'));
    const shownIds = await records.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-event-id')));
    expect(shownIds).toEqual(file.Records.map((r: { eventID: string }) => r.eventID));
    await records.getByText('JSON of record 1', { exact: true }).click();
    expect(JSON.parse((await records.getByLabel('Record 1 JSON', { exact: true }).textContent())!)).toEqual(file.Records[0]);
    await expectAccessible();

    const shot = path.join(shotDir, 'bucket-browser.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(1000);
    if (SCREENSHOT_COPY_DIR) fs.copyFileSync(shot, path.join(SCREENSHOT_COPY_DIR, 'bucket-browser.png'));
  });

  it('creates a KMS key, disables it, and schedules its deletion (a refused window next to the window)', async () => {
    await openKind('KMS keys');
    await page.getByLabel('Key description').fill('console key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const panel = page.getByRole('region', { name: /^KMS key / });
    await settled(
      () => panel.getByTestId('key-state').textContent(),
      (t) => expect(t).toBe('Enabled'),
    );
    expect(await panel.textContent()).toContain('Descriptionconsole key');
    await panel.getByRole('button', { name: 'Disable key' }).click();
    await settled(
      () => panel.getByTestId('key-state').textContent(),
      (t) => expect(t).toBe('Disabled'),
    );
    const schedule = panel.getByRole('form', { name: 'Schedule key deletion' });
    await schedule.getByLabel('Waiting period (days)').fill('3');
    await schedule.getByRole('button', { name: 'Schedule key deletion' }).click();
    const windowError = schedule.locator('[id$="-window-error"]');
    await windowError.waitFor();
    expect(await windowError.textContent()).toMatch(/^ValidationException: .*pendingWindowInDays/);
    expect(await schedule.getByLabel('Waiting period (days)').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible();

    await schedule.getByLabel('Waiting period (days)').fill('7');
    await schedule.getByRole('button', { name: 'Schedule key deletion' }).click();
    await settled(
      () => panel.getByTestId('key-state').textContent(),
      (t) => expect(t).toBe('PendingDeletion'),
    );
    await panel.getByRole('button', { name: 'Cancel key deletion' }).click();
    await settled(
      () => panel.getByTestId('key-state').textContent(),
      (t) => expect(t).toBe('Disabled'),
    );
    expect(await page.getByRole('table', { name: 'KMS keys' }).locator('tbody tr').count()).toBe(1);
  });

  it('creates an IAM user (a refused name next to the name), an access key and deletes it, attaches a policy', async () => {
    await openKind('IAM users');
    const form = page.getByRole('form', { name: 'Create user' });
    await form.getByLabel('User name').fill('not a name');
    await form.getByRole('button', { name: 'Create user' }).click();
    expect(await errorText('user-userName-error')).toMatch(/^ValidationError: userName must be/);
    await expectAccessible();
    await form.getByLabel('User name').fill('console-user');
    await form.getByRole('button', { name: 'Create user' }).click();
    const panel = page.getByRole('region', { name: 'User console-user' });
    await panel.waitFor();
    await page.getByRole('table', { name: 'IAM users' }).getByRole('button', { name: 'console-user' }).waitFor();

    const keys = panel.getByRole('table', { name: 'Access keys of console-user' });
    await keys.getByText('No access keys.').waitFor();
    await panel.getByRole('button', { name: 'Create access key' }).click();
    await panel.getByTestId('new-access-key').waitFor();
    expect((await panel.getByTestId('new-secret').textContent())!.length).toBeGreaterThan(20);
    const listed = await api('query { listAccessKeys(input: { userName: "console-user" }) { accessKeyMetadata { accessKeyId } } }');
    const keyId = listed.listAccessKeys.accessKeyMetadata[0].accessKeyId;
    await keys.locator(`tr[data-access-key="${keyId}"]`).waitFor();
    await expectAccessible();
    await keys.getByRole('button', { name: `Delete access key ${keyId}` }).click();
    await keys.getByText('No access keys.').waitFor();

    const attach = panel.getByRole('form', { name: 'Attach a policy to console-user' });
    await settled(
      () => attach.getByLabel('Managed policy').locator('option').count(),
      (n) => expect(n).toBeGreaterThan(1),
    );
    await attach.getByLabel('Managed policy').selectOption({ index: 1 });
    const policyArn = await attach.getByLabel('Managed policy').inputValue();
    await attach.getByRole('button', { name: 'Attach policy' }).click();
    await attach.getByText(`Attached ${policyArn}.`).waitFor();
  });

  it('creates an IAM role: a malformed trust policy is refused next to it', async () => {
    await openKind('IAM roles');
    const form = page.getByRole('form', { name: 'Create role' });
    await form.getByLabel('Role name').fill('console-role');
    await form.getByLabel('Trust policy (JSON)').fill('{ not json');
    await form.getByRole('button', { name: 'Create role' }).click();
    expect(await errorText('role-trust-error')).toMatch(/^MalformedPolicyDocument/);
    expect(await form.getByLabel('Trust policy (JSON)').getAttribute('aria-describedby')).toBe('role-trust-error');
    await expectAccessible();

    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${app.admin.accountId}:root` }, Action: 'sts:AssumeRole' }],
    };
    await form.getByLabel('Trust policy (JSON)').fill(JSON.stringify(trust));
    await form.getByRole('button', { name: 'Create role' }).click();
    const panel = page.getByRole('region', { name: 'Role console-role' });
    await panel.waitFor();
    // The role's stored trust policy (IAM keeps it in its normalized form), as the API returns it.
    const roles = await api('query { listRoles { roles { roleName assumeRolePolicyDocument } } }');
    const stored = roles.listRoles.roles.find((r: { roleName: string }) => r.roleName === 'console-role').assumeRolePolicyDocument;
    expect(JSON.parse((await panel.getByLabel('Trust policy of console-role').textContent())!)).toEqual(JSON.parse(stored));
    expect(JSON.parse(stored).Statement[0].Principal.AWS).toEqual([trust.Statement[0].Principal.AWS]);
    await page.getByRole('table', { name: 'IAM roles' }).getByRole('button', { name: 'console-role' }).waitFor();
  });

  it('lists IAM policies and opens one as its document; lists the caller’s access keys', async () => {
    await openKind('IAM policies');
    const table = page.getByRole('table', { name: 'IAM policies' });
    await table.waitFor();
    const first = table.getByRole('button').first();
    const name = (await first.textContent())!;
    await first.click();
    const document = page.getByLabel(`Document of ${name}`);
    expect(JSON.parse((await document.textContent())!).Statement).toBeDefined();
    await expectAccessible();

    await openKind('Access keys');
    await page.getByRole('table', { name: 'Access keys of you' }).locator(`tr[data-access-key="${app.admin.accessKeyId}"]`).waitFor();
    await expectAccessible();
  });

  it('creates a member account (a refused email next to it), registers and deregisters it as delegated administrator, removes it', async () => {
    await openKind('Organization accounts');
    const form = page.getByRole('form', { name: 'Create account' });
    await form.getByLabel('Account name').fill('Console member');
    await form.getByLabel('Email address').fill('nope');
    await form.getByRole('button', { name: 'Create account' }).click();
    expect(await errorText('account-email-error')).toMatch(/^InvalidInputException: email must be/);
    await expectAccessible();
    await form.getByLabel('Email address').fill('console-member@example.com');
    await form.getByRole('button', { name: 'Create account' }).click();
    const row = page.locator('tr[data-account="Console member"]');
    await row.waitFor();
    const memberId = (await row.locator('td').first().textContent())!;
    expect(memberId).toMatch(/^\d{12}$/);

    await openKind('Delegated administrators');
    const register = page.getByRole('form', { name: 'Register delegated administrator' });
    await register.getByLabel('Member account ID').fill('123');
    await register.getByRole('button', { name: 'Register delegated administrator' }).click();
    expect(await errorText('delegated-account-error')).toMatch(/^InvalidParameterException: /);
    await expectAccessible();
    await register.getByLabel('Member account ID').fill(memberId);
    await register.getByRole('button', { name: 'Register delegated administrator' }).click();
    const admin = page.locator('tr[data-account="Console member"]');
    await admin.waitFor();
    await admin.getByRole('button', { name: 'Deregister Console member' }).click();
    await page.getByText('No delegated administrators.').waitFor();

    await openKind('Organization accounts');
    await row.getByRole('button', { name: 'Remove Console member from the organization' }).click();
    await row.waitFor({ state: 'detached' });
    const accounts = await api('query { listAccounts { accounts { id } } }');
    expect(accounts.listAccounts.accounts.map((a: { id: string }) => a.id)).not.toContain(memberId);
  });
});
