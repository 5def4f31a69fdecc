/**
 * `npm run bench console`: the console's event history in headless Chromium (Debian's, as the
 * browser tests use) against the api process, over a history of BENCH_EVENTS events (default
 * 1,000,000) of one account and Region, loaded by COPY through the events repository.
 *
 * - **First visit**: a fresh browser context (empty cache, a stored session) opens
 *   /console/history; measured from navigation start to the first page of events in the table's
 *   DOM (the page's handlers are attached by then: React commits them with the rows).
 *   Budget: p95 ≤ 1 s. Baseline: the page's own first lookupEvents request, replayed bare.
 * - **Filter to rows**: a lookup attribute applied with the form's button, measured in the page
 *   from the click to the filtered first page in the table's DOM. Budget: p95 within 1.5× of the
 *   bare lookupEvents call behind it: the very request the page sent, replayed from Node with the
 *   same headers right after each sample.
 */
import http from 'node:http';
import { chromium, type Page } from 'playwright-core';
import type { Database } from '../src/db/database';
import { eventCopyLine } from '../src/events/event-copy';
import { normaliseRecord } from '../src/events/event-record';
import { eventRepository } from '../src/events/event.repository';
import { createOrganizationWithAdmin } from '../src/organizations/organization-bootstrap';
import type { AppProcess } from './lib/app-process';
import { fmt, percentile, type Row } from './lib/stats';
import { syntheticEvent } from './lib/synthetic-events';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FIRST_VISITS = 20;
const FILTERS = 40;
const WARM_UP = 5;
const SPAN_MS = 7 * 24 * 3600 * 1000;
const agent = new http.Agent({ keepAlive: true });

function post(url: string, body: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => (res.statusCode === 200 && !data.includes('"errors"') ? resolve(data) : reject(new Error(data.slice(0, 500)))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One account's history of `count` events over the last 7 days, COPY text generated as it is loaded. */
async function loadHistory(db: Database, accountId: string, region: string, count: number): Promise<void> {
  const now = Date.now();
  await eventRepository.ensurePartitions(db.pool, new Date(now - SPAN_MS - 3600_000), new Date(now));
  async function* lines(): AsyncGenerator<string> {
    for (let i = 0; i < count;) {
      let chunk = '';
      for (let k = 0; k < 1000 && i < count; k++, i++) {
        const time = new Date(now - 60_000 - ((i * 7_919_993) % SPAN_MS));
        const result = normaliseRecord(syntheticEvent(accountId, region, time, i), {
          accountId,
          now: new Date(now),
          retentionDays: 90,
          ownsRaw: true,
        });
        if ('error' in result) throw new Error(`synthetic event ${i}: ${result.error.errorMessage}`);
        chunk += eventCopyLine(result.row);
      }
      yield chunk;
    }
  }
  const client = await db.pool.connect();
  try {
    await eventRepository.bulkLoadHistory(client, lines());
  } finally {
    client.release();
  }
}

const ms = (n: number) => `${fmt(n, 0)} ms`;
const p50p95 = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
};

const FIRST_ROW = 'table[aria-label="Events"] tbody tr[data-event-id]';
// In the page: when the first event row enters the table, and the filter's click-to-rows time.
const MARK_FIRST_ROWS = `
  new MutationObserver((_, obs) => {
    if (document.querySelector(${JSON.stringify(FIRST_ROW)})) {
      window.__firstRowsAt = performance.now();
      obs.disconnect();
    }
  }).observe(document, { subtree: true, childList: true });`;
const APPLY_AND_TIME = `new Promise((resolve) => {
  const status = () => document.querySelector('nav[aria-label="Event pages"] [role="status"]')?.textContent ?? '';
  const button = [...document.querySelectorAll('button[type="submit"]')].find((b) => b.textContent === 'Apply filter');
  let loading = false;
  const t0 = performance.now();
  const obs = new MutationObserver(() => {
    const s = status();
    if (s === 'Loading…') loading = true;
    else if (loading && s.startsWith('Page 1,')) {
      obs.disconnect();
      resolve(performance.now() - t0);
    }
  });
  obs.observe(document.body, { subtree: true, childList: true, characterData: true });
  button.click();
})`;

/** The page's next lookupEvents request (its body and headers), for replaying it bare. */
function nextLookup(page: Page): Promise<{ body: string; headers: Record<string, string> }> {
  return page
    .waitForRequest((r) => r.url().endsWith('/graphql') && (r.postData() ?? '').includes('LookupEvents'))
    .then((r) => {
      const h = r.headers();
      return { body: r.postData()!, headers: { authorization: h.authorization, ...(h['x-region'] ? { 'x-region': h['x-region'] } : {}) } };
    });
}

export async function benchConsoleHistory(
  app: AppProcess,
  db: Database,
  events: number,
  login: (c: { accessKeyId: string; secretAccessKey: string }) => Promise<string>,
): Promise<Row[]> {
  const creds = await db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'bench-console'));
  const token = await login(creds);
  const regions = JSON.parse(
    await post(app.url, JSON.stringify({ query: '{ listRegions { regionName isHomeRegion } }' }), { authorization: `Bearer ${token}` }),
  ).data.listRegions as Array<{ regionName: string; isHomeRegion: boolean }>;
  const region = regions.find((r) => r.isHomeRegion)!.regionName;
  console.error(`console: loading ${fmt(events)} events into one account's history…`);
  const loadStarted = Date.now();
  await loadHistory(db, creds.accountId, region, events);
  await db.pool.query('VACUUM (ANALYZE) events');
  await db.pool.query('CHECKPOINT');
  console.error(`console: loaded in ${fmt((Date.now() - loadStarted) / 1000, 1)} s`);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const session = JSON.stringify({ token });
    const storeSession = `sessionStorage.setItem('opentrail.console.session', ${JSON.stringify(session)});`;
    const historyUrl = `${app.base}/console/history`;

    // First visits, each in a fresh context (empty cache); the first WARM_UP are not counted.
    const visits: number[] = [];
    const visitBare: number[] = [];
    for (let i = 0; i < WARM_UP + FIRST_VISITS; i++) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      await context.addInitScript(storeSession + MARK_FIRST_ROWS);
      const page = await context.newPage();
      const lookup = nextLookup(page);
      await page.goto(historyUrl);
      // A locator, not waitForFunction: its string predicate would be an eval the page's CSP refuses.
      await page.locator(FIRST_ROW).first().waitFor({ timeout: 30_000 });
      const at = (await page.evaluate('window.__firstRowsAt')) as number;
      const { body, headers } = await lookup;
      await context.close();
      const t = process.hrtime.bigint();
      await post(app.url, body, headers);
      if (i >= WARM_UP) {
        visits.push(at);
        visitBare.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }

    // Filters applied in one open page, alternating event names and user names.
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    await context.addInitScript(storeSession);
    const page = await context.newPage();
    await page.goto(historyUrl);
    await page.locator(FIRST_ROW).first().waitFor();
    await page.getByRole('button', { name: 'Add attribute' }).click();
    const filtered: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < WARM_UP + FILTERS; i++) {
      const byName = i % 2 === 0;
      const sample = syntheticEvent(creds.accountId, region, new Date(), i * 11 + 3);
      await page.getByTestId('attribute-key-0').selectOption(byName ? 'EventName' : 'Username');
      await page.getByTestId('attribute-value-0').fill(byName ? String(sample.eventName) : `user-${i % 37}`);
      const lookup = nextLookup(page);
      const took = (await page.evaluate(APPLY_AND_TIME)) as number;
      const { body, headers } = await lookup;
      const t = process.hrtime.bigint();
      await post(app.url, body, headers);
      if (i >= WARM_UP) {
        filtered.push(took);
        bare.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }
    await context.close();

    const v = p50p95(visits);
    const vb = p50p95(visitBare);
    const f = p50p95(filtered);
    const fb = p50p95(bare);
    return [
      {
        benchmark: `console history first visit (${visits.length} visits, empty cache, ${fmt(events)} events stored)`,
        measured: `p50 ${ms(v.p50)} / p95 ${ms(v.p95)}`,
        baseline: `p50 ${fmt(vb.p50, 1)} / p95 ${fmt(vb.p95, 1)} ms its lookupEvents bare`,
        ratio: '',
        target: 'p95 ≤ 1,000 ms',
      },
      {
        benchmark: `console filter to rows (${filtered.length} filters, ${fmt(events)} events stored)`,
        measured: `p50 ${fmt(f.p50, 1)} / p95 ${fmt(f.p95, 1)} ms`,
        baseline: `p50 ${fmt(fb.p50, 1)} / p95 ${fmt(fb.p95, 1)} ms the same lookupEvents bare`,
        ratio: `${fmt(f.p95 / fb.p95, 2)}x`,
        target: 'p95 ≤ 1.50x',
      },
    ];
  } finally {
    await browser.close();
    agent.destroy();
  }
}
