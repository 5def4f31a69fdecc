import { startTestApp, type TestApp } from '../helpers/test-app';

describe('GraphQL hygiene: limits, error codes, regions, metrics', () => {
  let app: TestApp;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp({ GRAPHQL_MAX_DEPTH: '6', GRAPHQL_MAX_COMPLEXITY: '300', BODY_LIMIT_BYTES: '65536' });
    token = await app.login(app.admin);
  });
  afterAll(() => app.close());

  it('rejects a query nested deeper than the limit', async () => {
    // __schema is left to graphql's own introspection rule; __type is not.
    const result = await app.gql('{ __type(name: "Query") { fields { type { ofType { ofType { ofType { name } } } } } } }', {}, { token });
    expect(result.errors?.[0].extensions?.code).toBe('ValidationException');
    expect(result.errors?.[0].message).toMatch(/depth limit of 6 exceeded, found 7/);
    expect(result.data).toBeUndefined();
  });

  it('rejects an operation whose estimated cost is above the limit', async () => {
    // 1,000 items asked for, refused before the bucket is even looked up.
    const result = await app.gql(
      '{ listObjects(first: 1000, input: { bucketName: "no-such-bucket" }) { edges { node { key } } } }',
      {},
      { token },
    );
    expect(result.errors?.[0].extensions?.code).toBe('ValidationException');
    expect(result.errors?.[0].message).toMatch(/complexity 1011 exceeds the maximum of 300/);
  });

  it('prices a page by its items, not by the number of fields asked for', async () => {
    // 50 items with 10 scalar fields each: 10 for the root field + 51 under a limit of 300 (items x fields would be 601).
    const result = await app.gql(
      `{ lookupEvents(first: 50) { edges { node { eventId eventName eventTime eventSource username readOnly accessKeyId cloudTrailEvent } cursor } pageInfo { hasNextPage endCursor } } }`,
      {},
      { token },
    );
    expect(result.errors).toBeUndefined();
    expect(Array.isArray(result.data.lookupEvents.edges)).toBe(true);
  });

  it('answers an oversized body with 413 and a code', async () => {
    const res = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ getCallerIdentity { account } }', variables: { pad: 'x'.repeat(70_000) } }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions.code).toBe('RequestEntityTooLargeException');
  });

  it('answers malformed JSON and unknown fields with ValidationException', async () => {
    const res = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('ValidationException');
    const unknown = await app.gql('{ noSuchField }', {}, { token });
    expect(unknown.errors?.[0].extensions?.code).toBe('ValidationException');
  });

  it('requires a session for protected operations', async () => {
    const result = await app.gql('{ getCallerIdentity { account } }');
    expect(result.errors?.[0].extensions?.code).toBe('UnrecognizedClientException');
    expect(result.data?.getCallerIdentity ?? null).toBeNull();
  });

  it('rejects unknown regions and uses the one named by x-region', async () => {
    const bad = await app.gql('{ getCallerIdentity { account } }', {}, { token, region: 'xx-nowhere-1' });
    expect(bad.errors?.[0].extensions?.code).toBe('InvalidRegionException');
    const regions = await app.gql('{ listRegions { regionName isHomeRegion } }', {}, { token, region: 'eu-west-1' });
    expect(regions.data.listRegions).toContainEqual({ regionName: 'us-east-1', isHomeRegion: true });
    expect(regions.data.listRegions.length).toBeGreaterThan(20);
  });

  it('never sends stack traces, SQL or internal details', async () => {
    const results = [
      await app.gql('{ getCallerIdentity { account } }', {}, { token: 'not-a-token' }),
      await app.gql('{ noSuchField }', {}, { token }),
      await app.gql('mutation { createSession(input: {accessKeyId: "AKIA\'; DROP TABLE x;--", secretAccessKey: "x"}) { token } }'),
    ];
    for (const result of results) {
      const text = JSON.stringify(result);
      expect(text).not.toMatch(/stacktrace|at .*\.ts:\d+|SELECT |INSERT |node_modules/i);
      for (const error of result.errors ?? []) expect(error.extensions?.code).toMatch(/^[A-Z][A-Za-z]+$/);
    }
  });

  it('echoes a request id, logs the request under its path, and exposes Prometheus metrics for the operations served', async () => {
    const logged = jest.spyOn(app.services.logger, 'info');
    const res = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': 'req-abc-123' },
      body: JSON.stringify({ query: '{ getCallerIdentity { account } }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
    await res.text();
    const line = logged.mock.calls
      .map(([fields]) => fields as any)
      .find((fields) => fields?.requestId === 'req-abc-123' && fields.status !== undefined);
    logged.mockRestore();
    expect(line).toMatchObject({ method: 'POST', path: '/graphql', status: 200 });
    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/opentrail_graphql_request_duration_seconds_count\{operation="getCallerIdentity",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/opentrail_http_request_duration_seconds_count\{route="\/graphql"/);
    expect(metrics).toContain('opentrail_events_recorded_total');
    expect(metrics).toContain('opentrail_queue_depth');
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${app.baseUrl}/readyz`)).status).toBe(200);
  });
});
