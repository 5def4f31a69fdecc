import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { startTestApp, type TestApp } from '../helpers/test-app';

/** `{ a0: field … a19: field }`: twenty calls in one request, 20 points. */
const twentyCalls = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: getCallerIdentity { account }`).join(' ')} }`;

async function selfAuditCount(app: TestApp, accountId: string): Promise<number> {
  const { rows } = await app.db.pool.query(
    "SELECT count(*)::int AS n FROM events WHERE account_id = $1 AND event_name = 'GetCallerIdentity'",
    [accountId],
  );
  return rows[0].n;
}

/**
 * ACCOUNT_CONTENTION_CPU_PERCENT=0: the machine always counts as contended, so what is asserted
 * is the decision itself (src/common/contention-guard.ts), not how busy the test machine is. The
 * default rate limits (200 points/s + 2,000 burst) have room for everything sent here.
 */
describe('a contended api refuses the tenant crowding it, at default rate limits', () => {
  let app: TestApp;
  let tokenA: string;
  let tokenB: string;
  let accountA: string;

  beforeAll(async () => {
    app = await startTestApp({ ACCOUNT_CONTENTION_CPU_PERCENT: '0' });
    accountA = app.admin.accountId;
    tokenA = await app.login(app.admin);
  });
  afterAll(() => app?.close());

  it('serves a tenant alone whatever it spends, then refuses it while another tenant is served', async () => {
    // Alone: 200 points in ten requests, all served (nobody else is waiting for the machine).
    for (let i = 0; i < 10; i++) {
      const alone = await app.gql(twentyCalls, {}, { token: tokenA });
      expect(alone.status).toBe(200);
      expect(alone.errors).toBeUndefined();
    }
    // Tenant B arrives (signing in only now: its sign-in is spending too, and A was to be alone) with a few ordinary calls: it is served.
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'b@example.com'));
    tokenB = await app.login(credsB);
    for (let i = 0; i < 3; i++) {
      const b = await app.gql('{ getCallerIdentity { account } }', {}, { token: tokenB });
      expect(b.status).toBe(200);
      expect(b.errors).toBeUndefined();
    }
    // Now A's next request is refused before it is parsed, run or self-audited…
    const before = await selfAuditCount(app, accountA);
    const res = await fetch(`${app.baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokenA}` },
      body: JSON.stringify({ query: twentyCalls }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({ errors: [{ message: 'Rate exceeded', extensions: { code: 'ThrottlingException' } }] });
    expect(await selfAuditCount(app, accountA)).toBe(before);
    // …while B goes on being served.
    const b = await app.gql('{ getCallerIdentity { account } }', {}, { token: tokenB });
    expect(b.status).toBe(200);
    expect(b.errors).toBeUndefined();
  });
});
