import fs from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { settled } from '../helpers/console-browser';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

// Debian's Chromium is a test prerequisite (.ci/run installs it); a missing browser fails, never skips.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * GraphiQL as a newcomer meets it: the real server with default settings (its depth, cost and
 * introspection limits), in headless Chromium. The offline assets load under the CSP, the schema
 * loads (docs explorer and completion depend on it) and a query typed in the editor runs.
 */
describe('GraphiQL in headless Chromium against the real server', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let token: string;
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];
  const graphqlResponses: Array<{ status: number; body: any; query: string }> = [];

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login(app.admin);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') consoleErrors.push(msg.text());
    });
    page.on('request', (req) => {
      if (!req.url().startsWith(app.baseUrl) && !req.url().startsWith('data:')) foreignRequests.push(req.url());
    });
    page.on('response', async (res) => {
      if (!res.url().endsWith('/graphql') || res.request().method() !== 'POST') return;
      const query = String(JSON.parse(res.request().postData() ?? '{}').query ?? '');
      graphqlResponses.push({ status: res.status(), body: await res.json().catch(() => null), query });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('has Chromium installed', () => {
    expect(fs.existsSync(CHROMIUM)).toBe(true);
  });

  it('loads the whole schema at default limits, so the docs explorer shows the operations', async () => {
    await page.goto(`${app.baseUrl}/graphiql`);
    await page.waitForSelector('.graphiql-container');
    await settled(
      async () => graphqlResponses.find((r) => r.query.includes('__schema')),
      (r) => expect(r).toBeDefined(),
      20_000,
    );
    const introspection = graphqlResponses.find((r) => r.query.includes('__schema'))!;
    expect(introspection.status).toBe(200);
    expect(introspection.body.errors).toBeUndefined();
    expect(introspection.body.data.__schema.queryType.name).toBe('Query');

    await page.getByRole('button', { name: /documentation explorer/i }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Query', { exact: true }).first().click();
    await settled(
      () => docs.innerText(),
      (text) => expect(text).toContain('lookupEvents'),
    );
    expect(await page.locator('body').innerText()).not.toMatch(/Error fetching schema/i);
  });

  it('runs a query typed in the editor with the token given in the page, and breaks no CSP rule', async () => {
    await page.fill('#ot-token', token);
    const editor = page.locator('.graphiql-query-editor .CodeMirror').first();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('{ getCallerIdentity { account } }');
    await page.keyboard.press('Control+Enter');
    await settled(
      () => page.locator('.graphiql-response').innerText(),
      (text) => expect(text).toContain(app.admin.accountId),
    );
    await settled(
      async () => graphqlResponses.find((r) => r.query.includes('getCallerIdentity')),
      (call) => expect(call?.status).toBe(200),
    );

    expect(consoleErrors.filter((line) => /Content Security Policy|Refused to/i.test(line))).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
