import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { LOOKUP, RECORD, sampleEvent } from '../helpers/events';

describe('lookupEvents and export', () => {
  let app: TestApp;
  let token: string;
  const special = sampleEvent(
    {
      eventName: 'PutBucketPolicy',
      eventSource: 's3.amazonaws.com',
      readOnly: true,
      userIdentity: {
        type: 'AssumedRole',
        principalId: 'AROAX:dev-session',
        arn: 'arn:aws:sts::111122223333:assumed-role/Dev/dev-session',
        accountId: '111122223333',
        accessKeyId: 'ASIASPECIAL',
      },
      resources: [{ ARN: 'arn:aws:s3:::my-bucket', type: 'AWS::S3::Bucket' }],
    },
    30,
  );

  const lookup = (input: Record<string, unknown>, first?: number, after?: string | null, region?: string) =>
    app.gql(LOOKUP, { input, first, after }, { token, region });

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login({ accessKeyId: app.admin.accessKeyId, secretAccessKey: app.admin.secretAccessKey });
    // 120 Bulk events one second apart, the special one, one in another region, an Insight, a data event.
    for (let page = 0; page < 2; page++) {
      const events = Array.from({ length: 60 }, (_, i) => sampleEvent({ eventName: 'Bulk' }, 100 + page * 60 + i));
      expect((await app.gql(RECORD, { input: { events } }, { token })).data.recordEvents.failed).toEqual([]);
    }
    const others = [
      special,
      sampleEvent({ eventName: 'Elsewhere', awsRegion: 'eu-west-1' }),
      {
        eventTime: sampleEvent().eventTime,
        awsRegion: 'us-east-1',
        eventCategory: 'Insight',
        insightDetails: { state: 'Start', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', insightType: 'ApiCallRateInsight' },
      },
      sampleEvent({ eventName: 'GetObject', eventCategory: 'Data', managementEvent: false }),
    ];
    expect((await app.gql(RECORD, { input: { events: others } }, { token })).data.recordEvents.failed).toEqual([]);
  });
  afterAll(async () => app?.close());

  const names = (res: any) => res.data.lookupEvents.edges.map((e: any) => e.node.eventName);

  it('finds an event by every attribute key, with CloudTrail field shapes', async () => {
    const attrs: Array<[string, string]> = [
      ['EventId', special.eventID as string],
      ['EventName', 'PutBucketPolicy'],
      ['Username', 'dev-session'],
      ['ResourceType', 'AWS::S3::Bucket'],
      ['ResourceName', 'arn:aws:s3:::my-bucket'],
      ['EventSource', 's3.amazonaws.com'],
      ['AccessKeyId', 'ASIASPECIAL'],
    ];
    for (const [attributeKey, attributeValue] of attrs) {
      const res = await lookup({ lookupAttributes: [{ attributeKey, attributeValue }] });
      expect(res.errors).toBeUndefined();
      expect(res.data.lookupEvents.edges.map((e: any) => e.node.eventId)).toEqual([special.eventID]);
    }
    const res = await lookup({ lookupAttributes: [{ attributeKey: 'ReadOnly', attributeValue: 'true' }] });
    expect(res.data.lookupEvents.edges.map((e: any) => e.node.eventId)).toContain(special.eventID);
    expect(res.data.lookupEvents.edges.every((e: any) => e.node.readOnly === 'true')).toBe(true);
    const node = res.data.lookupEvents.edges.find((e: any) => e.node.eventId === special.eventID).node;
    expect(node).toMatchObject({
      eventTime: special.eventTime,
      username: 'dev-session',
      readOnly: 'true',
      accessKeyId: 'ASIASPECIAL',
      resources: [{ resourceType: 'AWS::S3::Bucket', resourceName: 'arn:aws:s3:::my-bucket' }],
    });
    expect(JSON.parse(node.cloudTrailEvent)).toMatchObject({
      eventID: special.eventID,
      eventName: 'PutBucketPolicy',
      recipientAccountId: app.admin.accountId,
    });
  });

  it('ANDs several attributes', async () => {
    const both = await lookup({
      lookupAttributes: [
        { attributeKey: 'EventName', attributeValue: 'PutBucketPolicy' },
        { attributeKey: 'ReadOnly', attributeValue: 'true' },
      ],
    });
    expect(names(both)).toEqual(['PutBucketPolicy']);
    const none = await lookup({
      lookupAttributes: [
        { attributeKey: 'EventName', attributeValue: 'PutBucketPolicy' },
        { attributeKey: 'ReadOnly', attributeValue: 'false' },
      ],
    });
    expect(names(none)).toEqual([]);
  });

  it('pages newest first through more than 50 events with keyset cursors', async () => {
    const input = { lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'Bulk' }] };
    const seen: any[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: any = await lookup(input, 50, after);
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.lookupEvents.edges.map((e: any) => e.node));
      pages++;
      if (!res.data.lookupEvents.pageInfo.hasNextPage) break;
      after = res.data.lookupEvents.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(120);
    expect(new Set(seen.map((n) => n.eventId)).size).toBe(120);
    const times = seen.map((n) => n.eventTime);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('rejects a cursor reused with other parameters, or garbage', async () => {
    const first = await lookup({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'Bulk' }] }, 5);
    const cursor = first.data.lookupEvents.pageInfo.endCursor;
    const other = await lookup({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'Other' }] }, 5, cursor);
    expect(other.errors?.[0].extensions?.code).toBe('InvalidNextTokenException');
    const garbage = await lookup({}, 5, 'not-a-cursor');
    expect(garbage.errors?.[0].extensions?.code).toBe('InvalidNextTokenException');
  });

  it('keeps regions apart, excludes data and Insights events, and returns only Insights on request', async () => {
    expect(names(await lookup({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'Elsewhere' }] }))).toEqual([]);
    expect(
      names(await lookup({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'Elsewhere' }] }, 50, null, 'eu-west-1')),
    ).toEqual(['Elsewhere']);
    expect(names(await lookup({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'GetObject' }] }))).toEqual([]);
    expect(names(await lookup({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'RunInstances' }] }))).toEqual([]);
    const insights = await lookup({ eventCategory: 'insight' });
    expect(names(insights)).toEqual(['RunInstances']);
    expect(JSON.parse(insights.data.lookupEvents.edges[0].node.cloudTrailEvent).eventCategory).toBe('Insight');
  });

  it('bounds by time range (inclusive)', async () => {
    const t = special.eventTime as string;
    const res = await lookup({ startTime: t, endTime: t });
    expect(res.data.lookupEvents.edges.map((e: any) => e.node.eventId)).toContain(special.eventID);
    expect(res.data.lookupEvents.edges.every((e: any) => e.node.eventTime === t)).toBe(true);
  });

  it('rejects invalid inputs with CloudTrail exception codes', async () => {
    const code = async (input: Record<string, unknown>, first?: number) => (await lookup(input, first)).errors?.[0].extensions?.code;
    expect(await code({}, 0)).toBe('InvalidMaxResultsException');
    expect(await code({}, 51)).toBe('InvalidMaxResultsException');
    expect(await code({ startTime: '2030-01-02T00:00:00Z', endTime: '2030-01-01T00:00:00Z' })).toBe('InvalidTimeRangeException');
    expect(await code({ eventCategory: 'Management' })).toBe('InvalidEventCategoryException');
    expect(await code({ lookupAttributes: [{ attributeKey: 'ReadOnly', attributeValue: 'yes' }] })).toBe(
      'InvalidLookupAttributesException',
    );
    expect(await code({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: '' }] })).toBe('InvalidLookupAttributesException');
    expect(await code({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: '_'.repeat(1001) }] })).toBe(
      'InvalidLookupAttributesException',
    );
    expect(await code({ eventCategory: 'insight', lookupAttributes: [{ attributeKey: 'Username', attributeValue: 'a' }] })).toBe(
      'InvalidLookupAttributesException',
    );
  });

  it('uses a tenant-first index, not a sequential scan', async () => {
    const client = await app.db.pool.connect();
    try {
      await client.query('SET enable_seqscan = off'); // tiny tables: ask whether an index path exists at all
      const { rows } = await client.query(
        `EXPLAIN SELECT record FROM events WHERE account_id = $1 AND region = 'us-east-1' AND event_time >= now() - interval '90 days'
           AND event_time <= now() AND event_category = 'Management' AND event_name = 'Bulk'
         ORDER BY event_time DESC, event_id DESC LIMIT 51`,
        [app.admin.accountId],
      );
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).toMatch(/Index Scan|Index Only Scan|Bitmap Index Scan/);
      expect(plan).not.toMatch(/Seq Scan/);
    } finally {
      client.release();
    }
  });

  it('exports exactly the lookup slice as JSON and CSV', async () => {
    const qs = `attributeKey=EventName&attributeValue=Bulk&region=us-east-1`;
    const json = await fetch(`${app.baseUrl}/event-history/export?format=json&${qs}`, { headers: { authorization: `Bearer ${token}` } });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-disposition')).toMatch(/^attachment; filename=".*\.json"$/);
    const body = (await json.json()) as { Records: any[] };
    const ids: string[] = [];
    let after: string | null = null;
    do {
      const res: any = await lookup({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'Bulk' }] }, 50, after);
      ids.push(...res.data.lookupEvents.edges.map((e: any) => e.node.eventId));
      after = res.data.lookupEvents.pageInfo.hasNextPage ? res.data.lookupEvents.pageInfo.endCursor : null;
    } while (after);
    expect(body.Records.map((r) => r.eventID)).toEqual(ids);

    const csv = await fetch(`${app.baseUrl}/event-history/export?format=csv&${qs}`, { headers: { authorization: `Bearer ${token}` } });
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'Event ID,Event time,User name,Event name,Resource type,Resource name,Event source,AWS access key,AWS region,Error code,Source IP address,Read-only',
    );
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(ids);

    const denied = await fetch(`${app.baseUrl}/event-history/export?format=json`);
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as any).errorCode).toBe('UnrecognizedClientException');
    const bad = await fetch(`${app.baseUrl}/event-history/export?format=xml`, { headers: { authorization: `Bearer ${token}` } });
    expect(bad.status).toBe(400);
  });

  it('exports with several lookup attributes as lookupEvents filters with them, and refuses repeated single parameters', async () => {
    const exportIds = async (qs: string) => {
      const res = await fetch(`${app.baseUrl}/event-history/export?format=json&${qs}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { Records: any[] }).Records.map((r) => r.eventID);
    };
    // Two pairs: both apply (before, the repeated keys were dropped and everything was exported).
    const both = await exportIds('attributeKey=EventName&attributeValue=PutBucketPolicy&attributeKey=ReadOnly&attributeValue=true');
    expect(both).toEqual([special.eventID]);
    const none = await exportIds('attributeKey=EventName&attributeValue=PutBucketPolicy&attributeKey=ReadOnly&attributeValue=false');
    expect(none).toEqual([]);
    const refused = async (qs: string, code: string) => {
      const res = await fetch(`${app.baseUrl}/event-history/export?format=json&${qs}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).errorCode).toBe(code);
    };
    await refused('attributeKey=EventName&attributeValue=Bulk&attributeKey=ReadOnly', 'InvalidLookupAttributesException');
    await refused('startTime=2026-01-01T00:00:00Z&startTime=2026-02-01T00:00:00Z', 'InvalidParameterException');
    await refused('format=csv', 'InvalidParameterException');
  });

  it('self-audits lookups as read-only LookupEvents management events', async () => {
    const marker = randomUUID();
    await lookup({ lookupAttributes: [{ attributeKey: 'EventName', attributeValue: marker }] });
    const { rows } = await app.db.pool.query(`SELECT record FROM events WHERE event_name = 'LookupEvents' AND record LIKE $1`, [
      `%${marker}%`,
    ]);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0].record)).toMatchObject({
      eventSource: 'cloudtrail.amazonaws.com',
      readOnly: true,
      responseElements: null,
      eventCategory: 'Management',
      userIdentity: { type: 'IAMUser', userName: 'admin' },
    });
  });
});
