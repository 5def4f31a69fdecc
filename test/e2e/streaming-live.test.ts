import IORedis from 'ioredis';
import jwt from 'jsonwebtoken';
import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createOrganizationWithAdmin, type TenantCredentials } from '../../src/organizations/organization-bootstrap';
import { liveChannel } from '../../src/streaming/live-events.hub';
import { startWorkers } from '../../workers/main';
import { limitedUser, RECORD, sampleEvent } from '../helpers/events';
import { eventually } from '../helpers/streaming';
import { startTestApp, type TestApp } from '../helpers/test-app';

const EVENTS = `subscription($pattern: String) { events(pattern: $pattern) { eventId eventName eventTime eventSource cloudTrailEvent } }`;

interface Live {
  received: Array<{ eventId: string; eventName: string; eventSource: string; cloudTrailEvent: string }>;
  errors: unknown[];
  completed: boolean;
  stop(): void;
}

/**
 * The live subscription over graphql-ws: each tenant receives only its own account's new events
 * of its connection's region that match its pattern; bad tokens are refused at connection.
 */
describe('streaming: live GraphQL subscription', () => {
  let app: TestApp;
  let workers: { close(): Promise<void> };
  let redis: IORedis;
  let tokenA: string;
  let tokenB: string;
  let b: TenantCredentials;
  const clients: Client[] = [];

  const wsUrl = () => `${app.baseUrl.replace('http', 'ws')}/graphql`;
  const connect = (token: string, region?: string, onClose?: (code: number) => void) => {
    const client = createClient({
      url: wsUrl(),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: true,
      connectionParams: { authorization: `Bearer ${token}`, ...(region ? { 'x-region': region } : {}) },
      on: { closed: (event) => onClose?.((event as { code: number }).code) },
    });
    clients.push(client);
    return client;
  };
  const subscribe = (client: Client, pattern?: unknown): Live => {
    const live: Live = { received: [], errors: [], completed: false, stop: () => undefined };
    live.stop = client.subscribe(
      { query: EVENTS, variables: { pattern: pattern === undefined ? null : JSON.stringify(pattern) } },
      {
        next: (value) => {
          if (value.errors) live.errors.push(...value.errors);
          if (value.data?.events) live.received.push(value.data.events as Live['received'][number]);
        },
        error: (err) => live.errors.push(err),
        complete: () => (live.completed = true),
      },
    );
    return live;
  };
  const subscribers = async (accountId: string) => {
    const [, n] = (await redis.pubsub('NUMSUB', liveChannel(app.config.redisPrefix, accountId))) as [string, number];
    return Number(n);
  };
  const record = async (token: string, events: Array<Record<string, unknown>>) => {
    const result = await app.gql(RECORD, { input: { events } }, { token });
    expect(result.data.recordEvents.failed).toEqual([]);
  };
  const names = (live: Live) => live.received.map((e) => e.eventName);

  beforeAll(async () => {
    app = await startTestApp({ WEBHOOK_BACKOFF_MS: '50', WEBHOOK_MAX_ATTEMPTS: '3', OUTBOX_SWEEP_INTERVAL_SECONDS: '1' });
    workers = await startWorkers(app.services);
    redis = new IORedis(app.config.redisUrl);
    tokenA = await app.login(app.admin);
    b = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B'));
    tokenB = await app.login(b);
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    redis?.disconnect();
    await workers?.close();
    await app?.close();
  });

  it('streams each tenant only its own events of its region, filtered by its pattern', async () => {
    const liveA = subscribe(connect(tokenA), { detail: { eventName: [{ prefix: 'LiveA' }] }, source: ['aws.ec2'] });
    const liveB = subscribe(connect(tokenB), { source: ['aws.ec2'] });
    const liveAWest = subscribe(connect(tokenA, 'us-west-2'), { source: ['aws.ec2'] });
    // Both of A's streams share the account's one channel; B has its own.
    await eventually(
      'the three streams listening',
      () => app.services.liveEvents.listenerCount(app.admin.accountId) === 2 && app.services.liveEvents.listenerCount(b.accountId) === 1,
    );
    expect(await subscribers(app.admin.accountId)).toBe(1);
    expect(await subscribers(b.accountId)).toBe(1);

    const a1 = sampleEvent({ eventName: 'LiveA1' });
    const aOther = sampleEvent({ eventName: 'SomethingElseOfA' });
    const aS3 = sampleEvent({ eventName: 'LiveAButS3', eventSource: 's3.amazonaws.com' });
    const aWest = sampleEvent({ eventName: 'LiveAWest', awsRegion: 'us-west-2' });
    const b1 = sampleEvent({ eventName: 'LiveB1' });
    const bS3 = sampleEvent({ eventName: 'LiveBButS3', eventSource: 's3.amazonaws.com' });
    await record(tokenA, [a1, aOther, aS3, aWest]);
    await record(tokenB, [b1, bS3]);
    await eventually(
      'the matching events live',
      () => names(liveA).includes('LiveA1') && names(liveB).includes('LiveB1') && names(liveAWest).includes('LiveAWest'),
    );
    // Everything so far published; then a sentinel per stream: the streams are in publish order,
    // so once the sentinels arrived, anything wrongly delivered earlier would be there too.
    await eventually(
      'routing to finish',
      async () => (await app.db.pool.query(`SELECT 1 FROM event_outbox WHERE routed_at IS NULL`)).rowCount === 0,
    );
    await record(tokenA, [
      sampleEvent({ eventName: 'LiveASentinel' }),
      sampleEvent({ eventName: 'LiveAWestSentinel', awsRegion: 'us-west-2' }),
    ]);
    await record(tokenB, [sampleEvent({ eventName: 'LiveBSentinel' })]);
    await eventually(
      'the sentinels',
      () =>
        names(liveA).includes('LiveASentinel') && names(liveB).includes('LiveBSentinel') && names(liveAWest).includes('LiveAWestSentinel'),
    );

    expect(names(liveA)).toEqual(['LiveA1', 'LiveASentinel']);
    expect(names(liveB)).toEqual(['LiveB1', 'LiveBSentinel']);
    expect(names(liveAWest)).toEqual(['LiveAWest', 'LiveAWestSentinel']);
    for (const live of [liveA, liveB, liveAWest]) expect(live.errors).toEqual([]);
    const first = liveA.received[0]!;
    expect(first.eventId).toBe(a1.eventID);
    expect(JSON.parse(first.cloudTrailEvent)).toMatchObject({
      eventID: a1.eventID,
      recipientAccountId: app.admin.accountId,
      awsRegion: 'us-east-1',
    });
    for (const e of liveB.received) expect(JSON.parse(e.cloudTrailEvent).recipientAccountId).toBe(b.accountId);
    expect(JSON.stringify(liveB.received)).not.toContain(app.admin.accountId);

    // Unsubscribing releases the account's channel.
    liveA.stop();
    liveAWest.stop();
    liveB.stop();
    await eventually(
      'channels released',
      async () => (await subscribers(app.admin.accountId)) === 0 && (await subscribers(b.accountId)) === 0,
    );
    expect(app.services.liveEvents.listenerCount(app.admin.accountId)).toBe(0);
  });

  it('self-audits the start of a stream', async () => {
    const { rows } = await app.db.pool.query(`SELECT record FROM events WHERE account_id = $1 AND event_name = 'StartLiveEventStream'`, [
      app.admin.accountId,
    ]);
    expect(rows.length).toBe(2);
    const audit = JSON.parse(rows[0].record);
    expect(audit).toMatchObject({
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StartLiveEventStream',
      readOnly: true,
      recipientAccountId: app.admin.accountId,
    });
    expect(JSON.stringify(audit.requestParameters)).toContain('LiveA');
  });

  it.each([
    ['an invalid token', () => 'not-a-token'],
    [
      'an expired token',
      () => {
        const claims = jwt.decode(tokenA) as Record<string, unknown>;
        const { iat: _iat, exp: _exp, iss: _iss, jti: _jti, ...rest } = claims;
        return app.services.tokens.issue(rest as any, -10).token;
      },
    ],
  ])('refuses %s at connection', async (_what, token) => {
    let closedWith: number | null = null;
    const live = subscribe(connect(token(), undefined, (code) => (closedWith = code)));
    await eventually('the connection to be refused', () => closedWith !== null && live.errors.length > 0);
    expect(closedWith).toBe(4403);
    expect(live.received).toEqual([]);
  });

  it('refuses the subscription to a caller without cloudtrail:LookupEvents, and a bad pattern', async () => {
    const nobody = await limitedUser(app, 'no-policies');
    const denied = subscribe(connect(nobody.token));
    await eventually('an error', () => denied.errors.length > 0);
    expect(JSON.stringify(denied.errors)).toContain('"code":"AccessDeniedException"');
    const badPattern = subscribe(connect(tokenA), '{not json');
    await eventually('an error', () => badPattern.errors.length > 0);
    expect(JSON.stringify(badPattern.errors)).toContain('"code":"InvalidEventPatternException"');
  });

  it('serves only subscriptions over the socket (mutations go through HTTP and its audit)', async () => {
    const client = connect(tokenA);
    const errors: unknown[] = [];
    let data: unknown = null;
    await new Promise<void>((resolve) => {
      client.subscribe(
        { query: `mutation { deleteEventRule(name: "x") }` },
        {
          next: (v) => (data = v.data ?? null),
          error: (e) => {
            errors.push(e);
            resolve();
          },
          complete: () => resolve(),
        },
      );
    });
    expect(data).toBeNull();
    expect(JSON.stringify(errors)).toContain('Only subscriptions');
  });
});
