import { createOrganizationWithAdmin, type TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { LOOKUP, RECORD, sampleEvent } from '../helpers/events';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Invariant 2 for events: no tenant can read, look up, export, overwrite, shadow or infer another
 * tenant's events, and even a query that forgot its account filter cannot, because of row-level
 * security. A is the bootstrapped organization, B a second one, M a member account of A.
 */
describe('event tenant isolation', () => {
  let app: TestApp;
  let tokenA: string;
  let tokenB: string;
  let b: TenantCredentials;
  let eventA: Record<string, any>;
  let cursorA: string;

  const ndjson = (events: object[]) => events.map((e) => JSON.stringify(e)).join('\n');
  const ingest = (token: string, events: object[]) =>
    fetch(`${app.baseUrl}/ingest`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: ndjson(events),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  beforeAll(async () => {
    app = await startTestApp();
    tokenA = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
    b = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B'));
    tokenB = await app.login({ accessKeyId: b.accessKeyId, secretAccessKey: b.secretAccessKey });
    eventA = sampleEvent({
      eventName: 'SecretOperationOfA',
      userIdentity: { type: 'IAMUser', userName: 'alice-of-a', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' },
    });
    const events = [eventA, ...Array.from({ length: 5 }, (_, i) => sampleEvent({ eventName: 'SecretOperationOfA' }, 120 + i))];
    const recorded = await app.gql(RECORD, { input: { events } }, { token: tokenA });
    expect(recorded.data.recordEvents.failed).toEqual([]);
    const page = await app.gql(LOOKUP, { input: {}, first: 2 }, { token: tokenA });
    cursorA = page.data.lookupEvents.pageInfo.endCursor;
  });
  afterAll(() => app.close());

  it("finds none of A's events by any attribute, time range or category", async () => {
    const attributes = [
      { attributeKey: 'EventId', attributeValue: eventA.eventID },
      { attributeKey: 'EventName', attributeValue: 'SecretOperationOfA' },
      { attributeKey: 'Username', attributeValue: 'alice-of-a' },
      { attributeKey: 'AccessKeyId', attributeValue: 'AKIAAAAAAAAAAAAAAAAA' },
      { attributeKey: 'EventSource', attributeValue: 'ec2.amazonaws.com' },
    ];
    for (const attribute of attributes) {
      const result = await app.gql(LOOKUP, { input: { lookupAttributes: [attribute] }, first: 50 }, { token: tokenB });
      expect({ attribute, edges: result.data.lookupEvents.edges }).toEqual({ attribute, edges: [] });
    }
    // B's history holds only B's events (its own self-audit echoes the values it searched for).
    const all = await app.gql(LOOKUP, { input: {}, first: 50 }, { token: tokenB });
    expect(JSON.stringify(all)).not.toContain(app.admin.accountId);
    for (const edge of all.data.lookupEvents.edges) {
      const record = JSON.parse(edge.node.cloudTrailEvent);
      expect(record.recipientAccountId).toBe(b.accountId);
      expect(record.eventName).not.toBe('SecretOperationOfA');
    }
  });

  it("cannot page with A's cursor", async () => {
    const result = await app.gql(LOOKUP, { input: {}, first: 2, after: cursorA }, { token: tokenB });
    expect(result.errors?.[0].extensions?.code).toBe('InvalidNextTokenException');
    expect(JSON.stringify(result)).not.toContain('SecretOperationOfA');
  });

  it("exports none of A's events", async () => {
    const json = await fetch(`${app.baseUrl}/event-history/export?format=json`, { headers: { authorization: `Bearer ${tokenB}` } });
    expect(json.status).toBe(200);
    const { Records } = (await json.json()) as { Records: Array<Record<string, unknown>> };
    expect(Records.length).toBeGreaterThan(0);
    for (const record of Records) {
      expect(record.recipientAccountId).toBe(b.accountId);
      expect(record.eventName).not.toBe('SecretOperationOfA');
    }
    const csv = await fetch(`${app.baseUrl}/event-history/export?format=csv`, { headers: { authorization: `Bearer ${tokenB}` } });
    const text = await csv.text();
    expect(text).not.toContain(app.admin.accountId);
    expect(text.split('\r\n').filter((line) => line.includes(eventA.eventID))).toEqual([]);
  });

  it("cannot record into A's account, neither by recipientAccountId nor by reusing A's eventIDs", async () => {
    const foreign = await app.gql(
      RECORD,
      { input: { events: [sampleEvent({ recipientAccountId: app.admin.accountId })] } },
      { token: tokenB },
    );
    expect(foreign.data.recordEvents.failed).toEqual([expect.objectContaining({ id: '0', errorCode: 'InvalidRecipient' })]);

    // B sends A's exact record: it is B's own new event, not a "duplicate" that would reveal A's.
    const copy = { ...eventA, recipientAccountId: undefined };
    const sent = await ingest(tokenB, [copy]);
    expect(sent.body).toMatchObject({ accepted: 1, duplicates: 0, failed: 0 });
    const { rows } = await app.db.pool.query('SELECT account_id FROM events WHERE event_id = $1 ORDER BY account_id', [eventA.eventID]);
    expect(rows.map((r) => r.account_id).sort()).toEqual([app.admin.accountId, b.accountId].sort());
    const stillA = await app.gql(
      LOOKUP,
      { input: { lookupAttributes: [{ attributeKey: 'EventId', attributeValue: eventA.eventID }] } },
      { token: tokenA },
    );
    expect(JSON.parse(stillA.data.lookupEvents.edges[0].node.cloudTrailEvent).recipientAccountId).toBe(app.admin.accountId);
  });

  it("keeps a member account's history and the management account's apart", async () => {
    const created = await app.gql(
      'mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }',
      { input: { accountName: 'member-m', email: 'm@example.com' } },
      { token: tokenA },
    );
    const memberId = created.data.createAccount.id;
    const assumed = await app.gql(
      'mutation($input: AssumeRoleInput!) { assumeRole(input: $input) { token } }',
      { input: { roleArn: `arn:aws:iam::${memberId}:role/OrganizationAccountAccessRole`, roleSessionName: 'ops' } },
      { token: tokenA },
    );
    const tokenM = assumed.data.assumeRole.token;
    const member = await app.gql(LOOKUP, { input: {}, first: 50 }, { token: tokenM });
    const text = JSON.stringify(member);
    expect(text).not.toContain('SecretOperationOfA');
    // What the member sees is its own self-audit only.
    for (const edge of member.data.lookupEvents.edges) {
      expect(JSON.parse(edge.node.cloudTrailEvent).recipientAccountId).toBe(memberId);
    }
  });

  it("row-level security hides, and refuses to write or change, other tenants' events", async () => {
    const scopeB = { accountId: b.accountId, organizationId: b.organizationId };
    const visible = await app.db.inTenantRaw(scopeB, (c) => c.query('SELECT DISTINCT account_id FROM events'));
    expect(visible.rows.map((r) => r.account_id)).toEqual([b.accountId]);
    await expect(
      app.db.inTenantRaw(scopeB, (c) =>
        c.query(
          `INSERT INTO events (account_id, event_id, event_time, region, event_name, event_source, event_category, event_type, management_event, record)
           VALUES ($1, gen_random_uuid(), now(), 'us-east-1', 'x', 'y', 'Management', 'AwsApiCall', true, '{}')`,
          [app.admin.accountId],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    // Event history is immutable even for its own tenant.
    await expect(app.db.inTenantRaw(scopeB, (c) => c.query(`UPDATE events SET event_name = 'x'`))).rejects.toThrow(/permission denied/);
    await expect(app.db.inTenantRaw(scopeB, (c) => c.query('DELETE FROM events'))).rejects.toThrow(/permission denied/);
  });
});
