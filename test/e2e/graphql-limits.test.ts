import { getIntrospectionQuery } from 'graphql';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { sampleEvent } from '../helpers/events';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** `{ a0: field { … } a1: field { … } … }`: the alias fan-out as an attacker writes it. */
function aliases(count: number, field: string): string {
  return `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
}

async function selfAuditCount(app: TestApp, eventName: string): Promise<number> {
  const { rows } = await app.db.pool.query('SELECT count(*)::int AS n FROM events WHERE event_name = $1', [eventName]);
  return rows[0].n;
}

describe('GraphQL limits with default settings: one request cannot stall the service', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login(app.admin);
  });
  afterAll(() => app?.close());

  it('refuses 1,900 aliases of listRegions with ValidationException before anything runs', async () => {
    const before = await selfAuditCount(app, 'ListRegions');
    const result = await app.gql(aliases(1900, 'listRegions { regionName description }'), {}, { token });
    expect(result.status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0].extensions?.code).toBe('ValidationException');
    // ~11,400 tokens: the parser stops first (the root-field cap answers smaller documents, below).
    expect(result.errors?.[0].message).toMatch(/more tha[nt] 10000 tokens/);
    expect(await selfAuditCount(app, 'ListRegions')).toBe(before);
  });

  it('refuses an alias fan-out of getCallerIdentity, so one request cannot write hundreds of self-audit events', async () => {
    const before = await selfAuditCount(app, 'GetCallerIdentity');
    const refused = await app.gql(aliases(1900, 'getCallerIdentity { account arn }'), {}, { token });
    expect(refused.status).toBe(400);
    expect(refused.errors?.[0].extensions?.code).toBe('ValidationException');
    expect(refused.data).toBeUndefined();
    // A document small enough for the parser meets the root-field cap.
    const hundred = await app.gql(aliases(100, 'getCallerIdentity { account }'), {}, { token });
    expect(hundred.status).toBe(400);
    expect(hundred.errors?.[0].extensions?.code).toBe('ValidationException');
    expect(hundred.errors?.map((e) => e.message).join(' ')).toMatch(/100 root fields \(aliases count\); the maximum is 20/);
    expect(await selfAuditCount(app, 'GetCallerIdentity')).toBe(before);

    // Also through a fragment, so spreading the aliases does not hide them.
    const viaFragment = await app.gql(
      `query { ...F } fragment F on Query { ${Array.from({ length: 21 }, (_, i) => `a${i}: getCallerIdentity { account }`).join(' ')} }`,
      {},
      { token },
    );
    expect(viaFragment.errors?.[0].message).toMatch(/21 root fields/);

    // The cap itself is honest work: 20 calls, 20 events.
    const atCap = await app.gql(aliases(20, 'getCallerIdentity { account }'), {}, { token });
    expect(atCap.errors).toBeUndefined();
    expect(Object.keys(atCap.data)).toHaveLength(20);
    expect(await selfAuditCount(app, 'GetCallerIdentity')).toBe(before + 20);
  });

  it('accepts a listObjects page of 1,000 keys (CloudTrail and S3 ordinary page)', async () => {
    const created = await app.gql('mutation { createBucket(input: { bucketName: "page-of-keys" }) { bucketName } }', {}, { token });
    expect(created.errors).toBeUndefined();
    for (let i = 0; i < 1000; i++) {
      await app.services.storage.objects.putObject('page-of-keys', `AWSLogs/key-${String(i).padStart(4, '0')}.json.gz`, Buffer.from('x'));
    }
    const result = await app.gql(
      '{ listObjects(first: 1000, input: { bucketName: "page-of-keys" }) { edges { node { key } } pageInfo { hasNextPage endCursor } } }',
      {},
      { token },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data.listObjects.edges).toHaveLength(1000);
    expect(result.data.listObjects.pageInfo.hasNextPage).toBe(false);
  });

  it("answers GraphiQL's real introspection query (depth 15)", async () => {
    const result = await app.gql(getIntrospectionQuery(), {}, { token });
    expect(result.errors).toBeUndefined();
    expect(result.data.__schema.queryType.name).toBe('Query');
    expect(result.data.__schema.types.length).toBeGreaterThan(50);
  });

  it('still refuses introspection that nests back into itself, and several introspections in one request', async () => {
    const cyclic = await app.gql(
      '{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }',
      {},
      { token },
    );
    expect(cyclic.errors?.[0].extensions?.code).toBe('ValidationException');
    expect(cyclic.data).toBeUndefined();
    const many = await app.gql(aliases(10, '__schema { types { name fields { name } } }'), {}, { token });
    expect(many.errors?.[0].extensions?.code).toBe('ValidationException');
    expect(many.errors?.[0].message).toMatch(/complexity \d+ exceeds the maximum of 2000/);
  });

  it('refuses documents past the token and directive limits with ValidationException', async () => {
    const tokens = await app.gql(`{ getCallerIdentity { ${'account '.repeat(10_001)} } }`, {}, { token });
    expect(tokens.status).toBe(400);
    expect(tokens.errors?.[0].extensions?.code).toBe('ValidationException');
    expect(tokens.errors?.[0].message).toMatch(/more tha[nt] 10000 tokens/);
    const directives = await app.gql(`{ getCallerIdentity { account ${'@include(if: true) '.repeat(51)} } }`, {}, { token });
    expect(directives.errors?.[0].extensions?.code).toBe('ValidationException');
    expect(directives.errors?.map((e) => e.message).join(' ')).toMatch(/Directives limit of 50 exceeded, found 51/);
  });
});

describe('GraphQL limits: small settings', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp({ GRAPHQL_MAX_COMPLEXITY: '50', GRAPHQL_MAX_DEPTH: '4' });
    token = await app.login(app.admin);
  });
  afterAll(() => app?.close());

  it('prices each root field at its fixed cost, aliases included', async () => {
    // Five aliases of a field with one object and no page: 5 x (10 + 1) > 50.
    const result = await app.gql(aliases(5, 'getCallerIdentity { account }'), {}, { token });
    expect(result.errors?.[0].message).toMatch(/complexity 55 exceeds the maximum of 50/);
    expect((await app.gql(aliases(4, 'getCallerIdentity { account }'), {}, { token })).errors).toBeUndefined();
  });

  it('limits the depth of ordinary fields but leaves the introspection query to its own rule', async () => {
    const deep = await app.gql('{ lookupEvents(first: 1) { edges { node { resources { resourceName } } } } }', {}, { token });
    expect(deep.errors?.[0].extensions?.code).toBe('ValidationException');
    expect(deep.errors?.[0].message).toMatch(/depth limit of 4 exceeded, found 5/);
    const introspection = await app.gql(getIntrospectionQuery(), {}, { token });
    expect(introspection.errors?.[0].message ?? '').not.toMatch(/depth/);
  });
});

describe('per-account rate and concurrency limits', () => {
  let app: TestApp;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    app = await startTestApp({ ACCOUNT_RATE_LIMIT_PER_SECOND: '5', ACCOUNT_RATE_BURST: '5', ACCOUNT_MAX_CONCURRENT_REQUESTS: '3' });
    tokenA = await app.login(app.admin);
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'b@example.com'));
    tokenB = await app.login(credsB);
  });
  afterAll(() => app?.close());

  /** Waits out the current windows so each test starts with full buckets. */
  const fresh = () => new Promise((resolve) => setTimeout(resolve, 10_500));

  it("throttles tenant A's flood with ThrottlingException and Retry-After while tenant B is served", async () => {
    await fresh();
    const flood = Array.from({ length: 40 }, () =>
      fetch(`${app.baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` },
        body: JSON.stringify({ query: aliases(20, 'listRegions { regionName description }') }),
      }),
    );
    // Tenant B, during the flood, one call after another.
    const bResults = [];
    for (let i = 0; i < 5; i++)
      bResults.push(await app.gql('{ lookupEvents(first: 5) { edges { node { eventId } } } }', {}, { token: tokenB }));
    const responses = await Promise.all(flood);
    const throttled = responses.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    for (const res of throttled) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = (await res.json()) as any;
      expect(body.errors[0]).toMatchObject({ message: 'Rate exceeded', extensions: { code: 'ThrottlingException' } });
      expect(body.data).toBeUndefined();
    }
    for (const r of bResults) {
      expect(r.status).toBe(200);
      expect(r.errors).toBeUndefined();
    }
  });

  it('does not self-audit refused requests, and gives the slots back when responses finish', async () => {
    await fresh();
    const before = await selfAuditCount(app, 'GetCallerIdentity');
    const results = await Promise.all(
      Array.from({ length: 30 }, () => app.gql('{ getCallerIdentity { account } }', {}, { token: tokenA })),
    );
    const served = results.filter((r) => r.status === 200).length;
    expect(results.filter((r) => r.status === 429).length).toBe(30 - served);
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThanOrEqual(10);
    expect(await selfAuditCount(app, 'GetCallerIdentity')).toBe(before + served);
    await fresh();
    // After the flood every slot is free again: three at once are served.
    const three = await Promise.all(Array.from({ length: 3 }, () => app.gql('{ getCallerIdentity { account } }', {}, { token: tokenA })));
    expect(three.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it('charges a request its price, so one dear request uses up what many cheap ones would', async () => {
    await fresh();
    // 1,000 items asked for: 1,011, i.e. 11 points, against a budget of 5 + 5.
    const dear = await app.gql(
      '{ listObjects(first: 1000, input: { bucketName: "no-such-bucket" }) { edges { node { key } } } }',
      {},
      { token: tokenA },
    );
    expect(dear.status).toBe(200);
    const next = await app.gql('{ getCallerIdentity { account } }', {}, { token: tokenA });
    expect(next.status).toBe(429);
    expect(next.errors?.[0].extensions?.code).toBe('ThrottlingException');
    const other = await app.gql('{ getCallerIdentity { account } }', {}, { token: tokenB });
    expect(other.status).toBe(200);
  });

  it('charges each root field as a call, and /ingest per 100 events written', async () => {
    // Twelve aliased calls are twelve calls (and twelve self-audit events): 12 points of 5 + 5.
    await fresh();
    const fanOut = await app.gql(aliases(12, 'getCallerIdentity { account }'), {}, { token: tokenA });
    expect(fanOut.status).toBe(200);
    expect((await app.gql('{ getCallerIdentity { account } }', {}, { token: tokenA })).status).toBe(429);
    // 1,200 events written are 12 points.
    await fresh();
    const body =
      Array.from({ length: 1200 }, (_, i) => JSON.stringify(sampleEvent({ eventName: 'Bulk', eventID: `bulk-${i}` }))).join('\n') + '\n';
    const bulk = await fetch(`${app.baseUrl}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${tokenA}` },
      body,
    });
    expect(bulk.status).toBe(200);
    await bulk.arrayBuffer();
    expect((await app.gql('{ getCallerIdentity { account } }', {}, { token: tokenA })).status).toBe(429);
    expect((await app.gql('{ getCallerIdentity { account } }', {}, { token: tokenB })).status).toBe(200);
  });

  it('applies the same limits to /ingest and /event-history/export', async () => {
    await fresh();
    const line = JSON.stringify(sampleEvent({ eventName: 'Flooded' })) + '\n';
    const ingest = (token: string) =>
      fetch(`${app.baseUrl}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
        body: line,
      });
    const exportOf = (token: string) =>
      fetch(`${app.baseUrl}/event-history/export?format=json`, { headers: { authorization: `Bearer ${token}` } });
    const flood = await Promise.all([
      ...Array.from({ length: 15 }, () => ingest(tokenA)),
      ...Array.from({ length: 10 }, () => exportOf(tokenA)),
    ]);
    const throttled = flood.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    for (const res of throttled) {
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await res.json()).toEqual({ errorCode: 'ThrottlingException', message: 'Rate exceeded' });
    }
    await Promise.all(flood.filter((r) => r.status !== 429).map((r) => r.arrayBuffer()));
    expect((await ingest(tokenB)).status).toBe(200);
    const bExport = await exportOf(tokenB);
    expect(bExport.status).toBe(200);
    await bExport.arrayBuffer();
  });
});

describe('per-account limits while Redis is unreachable', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails at once.
    app = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1', ACCOUNT_RATE_LIMIT_PER_SECOND: '3', ACCOUNT_RATE_BURST: '2' });
    token = await app.login(app.admin);
  });
  afterAll(() => app?.close());

  it("keeps serving and keeps limiting from each replica's memory", async () => {
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await app.gql('{ getCallerIdentity { account } }', {}, { token }));
    const statuses = results.map((r) => r.status);
    expect(statuses[0]).toBe(200);
    expect(statuses).toContain(429);
    expect(results.find((r) => r.status === 429)?.errors?.[0].extensions?.code).toBe('ThrottlingException');
  });
});
