import http from 'node:http';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { sampleEvent } from '../helpers/events';
import { startTestApp, type TestApp } from '../helpers/test-app';

function ndjson(count: number, name: string): string {
  return Array.from({ length: count }, () => JSON.stringify(sampleEvent({ eventName: name }))).join('\n') + '\n';
}

async function ingest(app: TestApp, token: string, body: string): Promise<{ status: number; retryAfter: string | null; body: any }> {
  const res = await fetch(`${app.baseUrl}/ingest`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
    body,
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json().catch(() => null) };
}

/** An upload whose body is still being sent: its headers are in, so it holds its admission. */
function openUpload(app: TestApp, token: string, firstLines: string): { finish(rest: string): Promise<{ status: number; body: any }> } {
  const url = new URL(`${app.baseUrl}/ingest`);
  let done!: (r: { status: number; body: any }) => void;
  let failed!: (e: Error) => void;
  const result = new Promise<{ status: number; body: any }>((resolve, reject) => ((done = resolve), (failed = reject)));
  const req = http.request(
    {
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' },
    },
    (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => done({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    },
  );
  req.on('error', failed);
  req.write(firstLines);
  return {
    finish(rest) {
      req.end(rest);
      return result;
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('per-account ingest limits at the default ingest concurrency', () => {
  let app: TestApp;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    app = await startTestApp();
    expect(app.config.accountMaxConcurrentIngests).toBe(1);
    tokenA = await app.login(app.admin);
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'b@example.com'));
    tokenB = await app.login(credsB);
  });
  afterAll(() => app?.close());

  it("refuses tenant A's second upload while its first is being written, and serves tenant B and A's other calls meanwhile", async () => {
    const first = openUpload(app, tokenA, ndjson(10, 'HeldOpen'));
    await settle(); // the first upload's headers are in: it holds A's ingest slot

    const second = await ingest(app, tokenA, ndjson(5, 'Second'));
    expect(second.status).toBe(429);
    expect(second.body).toEqual({ errorCode: 'ThrottlingException', message: 'Rate exceeded' });
    expect(Number(second.retryAfter)).toBeGreaterThanOrEqual(1);

    // Another account's upload, and A's own GraphQL calls, are not held by A's upload.
    const fromB = await ingest(app, tokenB, ndjson(5, 'FromB'));
    expect(fromB.status).toBe(200);
    expect(fromB.body).toMatchObject({ accepted: 5, failed: 0 });
    expect((await app.gql('{ getCallerIdentity { account } }', {}, { token: tokenA })).status).toBe(200);

    const firstDone = await first.finish(ndjson(10, 'HeldOpenTail'));
    expect(firstDone.status).toBe(200);
    expect(firstDone.body.accepted).toBe(20);
    await settle(); // the slot is given back when the response closes
    expect((await ingest(app, tokenA, ndjson(5, 'Third'))).status).toBe(200);
  });
});

describe('per-account ingest budget in events per second', () => {
  let app: TestApp;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    app = await startTestApp({
      ACCOUNT_INGEST_EVENTS_PER_SECOND: '500',
      ACCOUNT_INGEST_BURST_EVENTS: '500',
      ACCOUNT_MAX_CONCURRENT_INGESTS: '2',
    });
    tokenA = await app.login(app.admin);
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'b@example.com'));
    tokenB = await app.login(credsB);
  });
  afterAll(() => app?.close());

  it('writes an upload past the budget whole, then refuses the account with Retry-After until its events are paid for', async () => {
    // 1,500 events at 500 a second: written (never refused half-way), then about 3 s owed.
    const big = await ingest(app, tokenA, ndjson(1500, 'Big'));
    expect(big.status).toBe(200);
    expect(big.body.accepted).toBe(1500);

    const next = await ingest(app, tokenA, ndjson(1, 'TooSoon'));
    expect(next.status).toBe(429);
    expect(next.body).toEqual({ errorCode: 'ThrottlingException', message: 'Rate exceeded' });
    const retryAfter = Number(next.retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(2);
    expect(retryAfter).toBeLessThanOrEqual(4);
    const { rows } = await app.db.pool.query("SELECT count(*)::int AS n FROM events WHERE event_name = 'TooSoon'");
    expect(rows[0].n).toBe(0);

    // The budget is A's own: B's upload and A's other calls go through.
    expect((await ingest(app, tokenB, ndjson(400, 'FromB'))).status).toBe(200);
    expect((await app.gql('{ getCallerIdentity { account } }', {}, { token: tokenA })).status).toBe(200);

    // Once the owed seconds have passed, A may upload again.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200));
    const later = await ingest(app, tokenA, ndjson(1, 'Later'));
    expect(later.status).toBe(200);
    expect(later.body.accepted).toBe(1);
  });

  it('lets uploads within the budget through one after another', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1100));
    for (let i = 0; i < 3; i++) {
      const res = await ingest(app, tokenA, ndjson(100, `Within${i}`));
      expect(res.status).toBe(200);
    }
  });
});
