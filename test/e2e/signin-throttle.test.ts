import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { createOrganizationWithAdmin, type TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { storedRecords } from '../helpers/events';
import { createUserSession } from '../helpers/iam-ops';
import { startTestApp, type TestApp } from '../helpers/test-app';

const CREATE_SESSION = 'mutation($input: CreateSessionInput!) { createSession(input: $input) { token } }';
const BASE_DELAY = 10;

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/**
 * Issue 11 §5, as an attacker sends it: plain HTTP POSTs to /graphql, each from a chosen loopback
 * address (all of 127.0.0.0/8 reaches the server), so "another address" is a real other source.
 */
describe('createSession cannot be brute-forced', () => {
  let app: TestApp;
  let admin: string;

  function post(from: string, body: unknown, headers: Record<string, string> = {}, path = '/graphql'): Promise<Answer> {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: app.server.port,
          path,
          method: 'POST',
          localAddress: from,
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: res.headers['retry-after'] as string | undefined,
              body: text ? JSON.parse(text) : {},
            });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
  const signIn = (from: string, accessKeyId: string, secretAccessKey: string) =>
    post(from, { query: CREATE_SESSION, variables: { input: { accessKeyId, secretAccessKey } } });
  const codeOf = (a: Answer) => a.body.errors?.[0]?.extensions?.code ?? (a.body.data?.createSession?.token ? 'OK' : 'none');
  const wrongSecret = () => randomBytes(30).toString('base64');
  const unknownKeyId = () => `AKIA${Array.from(randomBytes(16), (b) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[b % 32]).join('')}`;

  /** Sends `attempts` wrong secrets, `concurrency` at a time; `onAnswer` runs after each answer. */
  async function flood(
    from: string,
    accessKeyId: string,
    attempts: number,
    concurrency: number,
    onAnswer: (answers: Answer[]) => Promise<void>,
  ): Promise<Answer[]> {
    const answers: Answer[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < attempts) {
          next++;
          answers.push(await signIn(from, accessKeyId, wrongSecret()));
          await onAnswer(answers);
        }
      }),
    );
    return answers;
  }

  beforeAll(async () => {
    app = await startTestApp({
      SIGNIN_FREE_FAILURES_PER_KEY_ADDRESS: '5',
      SIGNIN_FREE_FAILURES_PER_ADDRESS: '30',
      SIGNIN_FREE_FAILURES_PER_KEY: '100',
      SIGNIN_BASE_DELAY_SECONDS: String(BASE_DELAY),
      SIGNIN_MAX_DELAY_SECONDS: '900',
      AUTH_FAILURE_AUDIT_FREE_PER_ADDRESS: '10',
    });
    admin = await app.login(app.admin);
  });
  afterAll(async () => app?.close());

  it('300 wrong secrets for one key from one address: the free allowance and one per growing delay are judged, the rest are 429 ThrottlingException', async () => {
    const victim = await createUserSession(app, admin, 'victim');
    // The lockout is no oracle: the right secret, sent from the flooding address while the flood is
    // on (just after the first delay began), is refused like the guesses.
    let rightDuringLockout: Answer | null = null;
    let sent = false;
    const answers = await flood('127.0.0.2', victim.accessKeyId, 300, 10, async (so) => {
      if (sent || so.filter((a) => codeOf(a) === 'SignatureDoesNotMatch').length < 6) return;
      sent = true;
      rightDuringLockout = await signIn('127.0.0.2', victim.accessKeyId, victim.secretAccessKey);
    });
    expect(rightDuringLockout).not.toBeNull();
    expect(codeOf(rightDuringLockout!)).toBe('ThrottlingException');
    expect(rightDuringLockout!.status).toBe(429);
    const judged = answers.filter((a) => codeOf(a) === 'SignatureDoesNotMatch');
    const throttled = answers.filter((a) => codeOf(a) === 'ThrottlingException');
    expect(judged.length + throttled.length).toBe(300);
    // 5 free, then one attempt per delay of 10 s, 20 s, 40 s …: a dozen judged would take over ten minutes.
    expect(judged.length).toBeGreaterThanOrEqual(6);
    expect(judged.length).toBeLessThanOrEqual(12);
    for (const a of throttled) {
      expect(a.status).toBe(429);
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1);
      expect(a.body.errors).toHaveLength(1);
      expect(a.body.errors![0].message).toMatch(/^Rate exceeded/);
      expect(a.body.data?.createSession ?? null).toBeNull();
    }

    // Only judged attempts are written: one failed-sign-in record each, none for the refused ones.
    const records = await storedRecords(app, `event_name = 'ConsoleLogin' AND access_key_id = $1`, [victim.accessKeyId]);
    expect(records).toHaveLength(judged.length);

    // The owner signing in from elsewhere, and another key from the flooding address, are unaffected.
    expect(codeOf(await signIn('127.0.0.1', victim.accessKeyId, victim.secretAccessKey))).toBe('OK');
    const bystander = await createUserSession(app, admin, 'bystander');
    expect(codeOf(await signIn('127.0.0.2', bystander.accessKeyId, bystander.secretAccessKey))).toBe('OK');
  });

  it('the right secret during a lockout is refused until the delay has passed, then accepted, and a success resets the count', async () => {
    const owner = await createUserSession(app, admin, 'patient');
    for (let i = 0; i < 6; i++) expect(codeOf(await signIn('127.0.0.3', owner.accessKeyId, wrongSecret()))).toBe('SignatureDoesNotMatch');
    const refused = await signIn('127.0.0.3', owner.accessKeyId, owner.secretAccessKey);
    expect(codeOf(refused)).toBe('ThrottlingException');
    const wait = Number(refused.retryAfter);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(BASE_DELAY);
    await new Promise((r) => setTimeout(r, wait * 1000 + 300));
    expect(codeOf(await signIn('127.0.0.3', owner.accessKeyId, owner.secretAccessKey))).toBe('OK');
    // Reset on success: the free allowance is whole again.
    for (let i = 0; i < 5; i++) expect(codeOf(await signIn('127.0.0.3', owner.accessKeyId, wrongSecret()))).toBe('SignatureDoesNotMatch');
  });

  it('one address spraying unknown key ids is throttled for every key once past its allowance; other addresses are not', async () => {
    const valid = await createUserSession(app, admin, 'sprayed');
    const codes: string[] = [];
    for (let i = 0; i < 40; i++) codes.push(codeOf(await signIn('127.0.0.4', unknownKeyId(), wrongSecret())));
    expect(codes.slice(0, 30)).toEqual(Array(30).fill('InvalidClientTokenId'));
    expect(codes.filter((c) => c === 'ThrottlingException').length).toBeGreaterThanOrEqual(8);
    // The address is throttled whatever key it names, a valid one included …
    expect(codeOf(await signIn('127.0.0.4', valid.accessKeyId, valid.secretAccessKey))).toBe('ThrottlingException');
    // A throttled attempt is still recorded (sampled), but a secret pasted as the key id never is.
    const pasted = randomBytes(30).toString('base64');
    expect(codeOf(await signIn('127.0.0.4', pasted, wrongSecret()))).toBe('ThrottlingException');
    expect((await app.db.pool.query(`SELECT 1 FROM events WHERE record LIKE '%' || $1 || '%'`, [pasted])).rows).toHaveLength(0);
    const throttledRecords = await storedRecords(
      app,
      `event_name = 'CreateSession' AND error_code = 'ThrottlingException' AND source_ip_address = '127.0.0.4'`,
    );
    expect(throttledRecords.length).toBeGreaterThan(0);
    expect(throttledRecords[0]).toMatchObject({ recipientAccountId: app.admin.accountId, userIdentity: { type: 'Unknown' } });
    expect(throttledRecords.some((r) => r.requestParameters.input.accessKeyId === 'HIDDEN_DUE_TO_SECURITY_REASONS')).toBe(true);
    // … and nowhere else.
    expect(codeOf(await signIn('127.0.0.1', valid.accessKeyId, valid.secretAccessKey))).toBe('OK');
  });
});

describe('failed sign-ins and unattributable calls are recorded', () => {
  let app: TestApp;
  let management: string;
  let tenantB: TenantCredentials;

  beforeAll(async () => {
    app = await startTestApp({ AUTH_FAILURE_AUDIT_FREE_PER_ADDRESS: '10', SIGNIN_BASE_DELAY_SECONDS: '60' });
    management = app.admin.accountId;
    tenantB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B'));
  });
  afterAll(async () => app?.close());

  const signIn = (accessKeyId: string, secretAccessKey: string) =>
    app.gql(CREATE_SESSION, { input: { accessKeyId, secretAccessKey } }, { headers: { 'user-agent': 'brute/1.0' } });

  it("a wrong secret is a failed ConsoleLogin in the key's account, without the secret", async () => {
    const secret = `wrong-${randomBytes(8).toString('hex')}`;
    expect((await signIn(tenantB.accessKeyId, secret)).errors?.[0].extensions?.code).toBe('SignatureDoesNotMatch');
    const [record] = await storedRecords(app, `account_id = $1 AND event_name = 'ConsoleLogin'`, [tenantB.accountId]);
    expect(record).toMatchObject({
      eventSource: 'signin.amazonaws.com',
      eventName: 'ConsoleLogin',
      eventType: 'AwsConsoleSignIn',
      errorMessage: 'Failed authentication',
      requestParameters: null,
      responseElements: { ConsoleLogin: 'Failure' },
      additionalEventData: { LoginTo: expect.stringContaining('/graphql'), MobileVersion: 'No', MFAUsed: 'No' },
      userIdentity: { type: 'IAMUser', accountId: tenantB.accountId, userName: 'admin', accessKeyId: tenantB.accessKeyId },
      recipientAccountId: tenantB.accountId,
      sourceIPAddress: '127.0.0.1',
      userAgent: 'brute/1.0',
      managementEvent: true,
      eventCategory: 'Management',
    });
    expect(record.errorCode).toBeUndefined();
    expect(JSON.stringify(record)).not.toContain(secret);
    // Nothing of it lands in the management account.
    expect(await storedRecords(app, `account_id = $1 AND event_name = 'ConsoleLogin'`, [management])).toHaveLength(0);
  });

  it('aliased sign-ins of two tenants in one request are each recorded in their own account', async () => {
    const both = `mutation {
      b: createSession(input: {accessKeyId: "${tenantB.accessKeyId}", secretAccessKey: "${tenantB.secretAccessKey}"}) { accessKeyId }
      a: createSession(input: {accessKeyId: "${app.admin.accessKeyId}", secretAccessKey: "${app.admin.secretAccessKey}"}) { accessKeyId }
    }`;
    const r = await app.gql(both, {}, { headers: { 'user-agent': 'two-tenants' } });
    expect(r.errors).toBeUndefined();
    const recorded = await app.db.pool.query(
      `SELECT account_id, access_key_id FROM events WHERE event_name = 'CreateSession' AND user_agent = 'two-tenants' ORDER BY account_id`,
    );
    expect(recorded.rows.map((row) => [row.account_id, row.access_key_id]).sort()).toEqual(
      [
        [tenantB.accountId, tenantB.accessKeyId],
        [management, app.admin.accessKeyId],
      ].sort(),
    );
  });

  it('an unknown access key id is a failed ConsoleLogin of an unknown user in the management account', async () => {
    const forged = 'AKIAAAAAAAAAAAAAAAAA';
    expect((await signIn(forged, 'x'.repeat(40))).errors?.[0].extensions?.code).toBe('InvalidClientTokenId');
    const [record] = await storedRecords(app, `account_id = $1 AND event_name = 'ConsoleLogin'`, [management]);
    expect(record).toMatchObject({
      errorMessage: 'Failed authentication',
      responseElements: { ConsoleLogin: 'Failure' },
      userIdentity: { type: 'IAMUser', accessKeyId: forged, userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
      recipientAccountId: management,
    });
    expect(record.userIdentity.arn).toBeUndefined();
  });

  it('a secret pasted into the key id field is hidden', async () => {
    const pasted = randomBytes(30).toString('base64');
    expect((await signIn(pasted, 'whatever')).errors?.[0].extensions?.code).toBe('InvalidClientTokenId');
    const { rows } = await app.db.pool.query(`SELECT record FROM events WHERE record LIKE '%' || $1 || '%'`, [pasted]);
    expect(rows).toHaveLength(0);
    const records = await storedRecords(app, `account_id = $1 AND event_name = 'ConsoleLogin'`, [management]);
    expect(records.some((r) => r.userIdentity.accessKeyId === '' && r.userIdentity.userName === 'HIDDEN_DUE_TO_SECURITY_REASONS')).toBe(
      true,
    );
  });

  it('calls with a forged, a malformed or no bearer token are recorded in the management account', async () => {
    const forged = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(`{"acct":"${tenantB.accountId}"}`).toString('base64url')}.c2ln`;
    for (const [authorization, marker] of [
      [`Bearer ${forged}`, 'forged'],
      ['Basic abc', 'malformed'],
      [undefined, 'none'],
    ] as const) {
      const headers: Record<string, string> = { 'user-agent': `probe-${marker}` };
      if (authorization) headers.authorization = authorization;
      const r = await app.gql('query { listUsers { users { userName } } }', {}, { headers });
      expect(r.errors?.[0].extensions?.code).toBe('UnrecognizedClientException');
      const records = await storedRecords(app, `account_id = $1 AND event_name = 'ListUsers' AND user_agent = $2`, [
        management,
        `probe-${marker}`,
      ]);
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        userIdentity: { type: 'Unknown', accessKeyId: '' },
        errorCode: 'UnrecognizedClientException',
        recipientAccountId: management,
      });
    }
    // An expired token the server did sign still names its account: recorded there, as before.
    const { rows } = await app.db.pool.query(`SELECT id, arn FROM iam_users WHERE account_id = $1 AND user_name = 'admin'`, [
      tenantB.accountId,
    ]);
    const { token: expired } = app.services.tokens.issue(
      {
        typ: 'user',
        acct: tenantB.accountId,
        org: tenantB.organizationId,
        pref: rows[0].id,
        src: tenantB.accessKeyId,
        akid: tenantB.accessKeyId,
        sub: rows[0].arn,
      },
      -10,
    );
    const late = await app.gql(
      'query { listUsers { users { userName } } }',
      {},
      { token: expired, headers: { 'user-agent': 'probe-expired' } },
    );
    expect(late.errors?.[0].extensions?.code).toBe('ExpiredTokenException');
    const [lateRecord] = await storedRecords(app, `account_id = $1 AND user_agent = 'probe-expired'`, [tenantB.accountId]);
    expect(lateRecord).toMatchObject({
      eventName: 'ListUsers',
      errorCode: 'ExpiredTokenException',
      userIdentity: { type: 'IAMUser', userName: 'admin' },
    });
    // The forged token named tenant B: nothing is written there on its word.
    expect(
      await storedRecords(
        app,
        `account_id = $1 AND event_name = 'ListUsers' AND user_agent LIKE 'probe-%' AND user_agent <> 'probe-expired'`,
        [tenantB.accountId],
      ),
    ).toHaveLength(0);
  });

  it('a forged bearer token on /ingest is recorded in the management account', async () => {
    const res = await fetch(`${app.baseUrl}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', authorization: 'Bearer not.a.token', 'user-agent': 'probe-ingest' },
      body: '{}\n',
    });
    expect(res.status).toBe(401);
    const records = await storedRecords(app, `account_id = $1 AND event_name = 'IngestEvents' AND user_agent = 'probe-ingest'`, [
      management,
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ userIdentity: { type: 'Unknown' }, errorCode: 'UnrecognizedClientException' });
  });

  it('a flood of bad tokens from one address is answered in full but recorded only up to its allowance', async () => {
    const before = (await storedRecords(app, `account_id = $1 AND user_agent = 'flood'`, [management])).length;
    expect(before).toBe(0);
    const answers = await Promise.all(
      Array.from({ length: 60 }, () =>
        app.gql(
          'query { listTrails { trails { name } } }',
          {},
          { headers: { authorization: 'Bearer forged.forged.forged', 'user-agent': 'flood' } },
        ),
      ),
    );
    expect(answers.every((a) => a.errors?.[0].extensions?.code === 'UnrecognizedClientException')).toBe(true);
    const recorded = await storedRecords(app, `account_id = $1 AND user_agent = 'flood'`, [management]);
    // 10 free (less what earlier tests of this file used from 127.0.0.1), then one per 60 s delay.
    expect(recorded.length).toBeGreaterThanOrEqual(1);
    expect(recorded.length).toBeLessThanOrEqual(11);
  });
});
