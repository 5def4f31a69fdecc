import http from 'node:http';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** A GraphQL request whose body is still being sent: admitted, and holding or awaiting its turn. */
function heldRequest(app: TestApp, token: string, query: string): { finish(): void; done: Promise<number> } {
  const url = new URL(`${app.baseUrl}/graphql`);
  const body = JSON.stringify({ query });
  const req = http.request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) },
  });
  const done = new Promise<number>((resolve, reject) => {
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
  req.write(body.slice(0, 10));
  return { finish: () => req.end(body.slice(10)), done };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('GraphQL requests take turns by account in an api process', () => {
  let app: TestApp;
  let tokenA: string;
  let tokenB: string;

  beforeAll(async () => {
    // One request at a time, so the order of turns is visible.
    app = await startTestApp({ GRAPHQL_MAX_RUNNING_REQUESTS: '1' });
    tokenA = await app.login(app.admin);
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'b@example.com'));
    tokenB = await app.login(credsB);
  });
  afterAll(() => app?.close());

  it("serves tenant B's request before the rest of tenant A's admitted queue", async () => {
    const query = '{ getCallerIdentity { account } }';
    const order: string[] = [];
    const track = (name: string, r: { done: Promise<number> }) => r.done.then((status) => order.push(`${name} ${status}`));
    // A: one request running (its body unfinished), three admitted and waiting behind it.
    const a = [heldRequest(app, tokenA, query)];
    await settle();
    for (let i = 0; i < 3; i++) a.push(heldRequest(app, tokenA, query));
    await settle();
    // B asks once, after all of A's.
    const b = heldRequest(app, tokenB, query);
    b.finish();
    await settle();
    const all = [...a.map((r, i) => track(`a${i}`, r)), track('b', b)];
    expect(order).toEqual([]); // nothing ran past A's first request

    for (const r of a.slice(1)) r.finish();
    a[0].finish();
    await Promise.all(all);
    // A's first ends; A's second had its turn before B asked; then B, ahead of A's other two.
    expect(order).toEqual(['a0 200', 'a1 200', 'b 200', 'a2 200', 'a3 200']);
  });
});
