import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

/** Builds the console from source (what `npm run build:console` does), so the test sees the current code. */
export async function buildConsole(): Promise<void> {
  await run(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'console/vite.config.ts', '--logLevel', 'error'],
    {
      cwd: ROOT,
      // Jest sets NODE_ENV=test, which would make Vite bundle React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 120_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
}

const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * axe-core run inside the page. page.evaluate goes through the DevTools protocol, which the
 * page's CSP does not govern, so the console's own CSP stays fully enforced.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  // A string, not a function: the test's tsconfig has no DOM types, and this runs in the page.
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) })))`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Polls `read` until it satisfies `check` (or time runs out), then asserts on the last value. */
export async function settled<T>(read: () => Promise<T>, check: (value: T) => void, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    try {
      check(value);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Debian's Chromium, a test prerequisite (.ci/run installs it): a missing browser fails, never skips. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Headless Chromium with one page, which collects the page's uncaught errors and CSP reports;
 * `problems()` hands them over (and forgets them), for a test to assert there were none.
 */
export async function openConsolePage(): Promise<{
  browser: Browser;
  page: Page;
  problems(): { pageErrors: string[]; cspReports: string[] };
}> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  const pageErrors: string[] = [];
  const cspReports: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('console', (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspReports.push(msg.text());
  });
  return { browser, page, problems: () => ({ pageErrors: pageErrors.splice(0), cspReports: cspReports.splice(0) }) };
}

/** Fills the console's sign-in form with an access key and submits it. */
export async function signInWithKey(page: Page, key: { accessKeyId: string; secretAccessKey: string }): Promise<void> {
  await page.getByLabel('Access key ID').fill(key.accessKeyId);
  await page.getByLabel('Secret access key').fill(key.secretAccessKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
