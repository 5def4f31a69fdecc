import { createOrganizationWithAdmin, type TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { startWorkers } from '../../workers/main';
import { RECORD, sampleEvent } from '../helpers/events';
import { eventually, type Receiver, startReceiver, streamingCall, streamingFails } from '../helpers/streaming';
import { startTestApp, type TestApp } from '../helpers/test-app';

/**
 * Tenant isolation of event rules: B's match-everything rule never receives A's events, and the
 * rule and dead-letter APIs show and touch only the caller's own rules.
 */
describe('streaming: tenant isolation', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let tokenA: string;
  let tokenB: string;
  let b: TenantCredentials;
  let receiverA: Receiver;
  let receiverB: Receiver;
  const everything = JSON.stringify({ account: [{ exists: true }] });

  beforeAll(async () => {
    app = await startTestApp({ WEBHOOK_BACKOFF_MS: '50', WEBHOOK_MAX_ATTEMPTS: '3', OUTBOX_SWEEP_INTERVAL_SECONDS: '1' });
    workers = await startWorkers(app.services);
    tokenA = await app.login(app.admin);
    b = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B'));
    tokenB = await app.login(b);
    receiverA = await startReceiver('/a');
    receiverB = await startReceiver('/b');
    // Same rule name in both tenants: names are per account.
    await streamingCall(
      app,
      'putEventRule',
      {
        input: { name: 'all', eventPattern: everything, webhookUrl: receiverA.url, state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' },
      },
      tokenA,
    );
    await streamingCall(
      app,
      'putEventRule',
      {
        input: { name: 'all', eventPattern: everything, webhookUrl: receiverB.url, state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' },
      },
      tokenB,
    );
    await streamingCall(app, 'putEventRule', { input: { name: 'only-b', eventPattern: everything, webhookUrl: receiverB.url } }, tokenB);
  });
  afterAll(async () => {
    await receiverA?.close();
    await receiverB?.close();
    await workers?.close();
    await app?.close();
  });

  const settled = async () =>
    (await app.db.pool.query(`SELECT 1 FROM event_outbox WHERE routed_at IS NULL`)).rowCount === 0 &&
    (await app.db.pool.query(`SELECT 1 FROM webhook_deliveries`)).rowCount === 0;

  it("B's match-everything rule never receives A's events", async () => {
    const secretOfA = sampleEvent({ eventName: 'SecretOperationOfA', readOnly: true });
    const ofB = sampleEvent({ eventName: 'OperationOfB' });
    expect((await app.gql(RECORD, { input: { events: [secretOfA] } }, { token: tokenA })).data.recordEvents.failed).toEqual([]);
    expect((await app.gql(RECORD, { input: { events: [ofB] } }, { token: tokenB })).data.recordEvents.failed).toEqual([]);
    await eventually("A's event at A's receiver", () => receiverA.received.some((r) => r.body.includes(String(secretOfA.eventID))));
    await eventually("B's event at B's receiver", () => receiverB.received.some((r) => r.body.includes(String(ofB.eventID))));
    await eventually('routing and delivery to finish', settled);
    expect(receiverB.received.length).toBeGreaterThan(0);
    for (const r of receiverB.received) {
      const envelope = JSON.parse(r.body);
      expect(envelope.account).toBe(b.accountId);
      expect(envelope.detail.recipientAccountId).toBe(b.accountId);
      expect(r.body).not.toContain(app.admin.accountId);
      expect(r.body).not.toContain('SecretOperationOfA');
    }
    for (const r of receiverA.received) expect(JSON.parse(r.body).account).toBe(app.admin.accountId);
  });

  it('lists and deletes only own rules', async () => {
    expect((await streamingCall<any[]>(app, 'listEventRules', {}, tokenA)).map((r) => r.webhookUrl)).toEqual([receiverA.url]);
    expect((await streamingCall<any[]>(app, 'listEventRules', {}, tokenB)).map((r) => r.name)).toEqual(['all', 'only-b']);
    expect((await streamingFails(app, 'deleteEventRule', { name: 'only-b' }, tokenA)).code).toBe('ResourceNotFoundException');
    expect(await streamingCall<any[]>(app, 'listEventRules', {}, tokenB)).toHaveLength(2);
    // putEventRule with B's rule name from A creates A's own rule; B's is untouched.
    const created = await streamingCall(
      app,
      'putEventRule',
      { input: { name: 'only-b', eventPattern: everything, webhookUrl: receiverA.url, state: 'DISABLED' } },
      tokenA,
    );
    expect(created.signingSecret).not.toBeNull();
    expect((await streamingCall<any[]>(app, 'listEventRules', {}, tokenB)).find((r) => r.name === 'only-b')).toMatchObject({
      webhookUrl: receiverB.url,
      state: 'ENABLED',
    });
    await streamingCall(app, 'deleteEventRule', { name: 'only-b' }, tokenA);
  });

  it("dead letters: B sees only its own and cannot redrive A's", async () => {
    receiverA.status = 500;
    const failing = sampleEvent({ eventName: 'WillFailForA' });
    await app.gql(RECORD, { input: { events: [failing] } }, { token: tokenA });
    const listA = async () =>
      (await streamingCall(app, 'listDeadLetters', { input: { ruleName: 'all' } }, tokenA)).edges.map((e: any) => e.node);
    await eventually("A's dead letter", async () => (await listA()).some((l: any) => l.eventId === failing.eventID));
    const lettersOfA = await listA();
    // B has a rule of the same name: its dead-letter list is its own (empty), never A's.
    expect((await streamingCall(app, 'listDeadLetters', { input: { ruleName: 'all' } }, tokenB)).edges).toEqual([]);
    const redriven = await streamingCall(
      app,
      'redriveDeadLetters',
      { input: { ruleName: 'all', ids: lettersOfA.map((l: any) => l.id) } },
      tokenB,
    );
    expect(redriven.queued).toBe(0);
    // RLS: even the tenant role with B's scope reads none of A's dead letters.
    const visible = await app.db.inTenantRaw(
      { accountId: b.accountId, organizationId: b.organizationId },
      (client) => client.query(`SELECT count(*)::int AS n FROM webhook_dead_letters`),
      { readOnly: true },
    );
    expect(visible.rows[0].n).toBe(0);
    // A's dead letters are all still there (A's match-everything rule may have added its own audit events).
    expect((await listA()).map((l: any) => l.id)).toEqual(expect.arrayContaining(lettersOfA.map((l: any) => l.id)));
    receiverA.status = 200;
  });
});
