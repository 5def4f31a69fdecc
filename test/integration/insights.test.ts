import { randomUUID } from 'node:crypto';
import { poisson, rng } from '../helpers/random';
import { deliveredFiles, insertBucket, insertMemberAccount, insertTrail, recordAs, waitFor } from '../helpers/delivery';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { trailCall, trailFails } from '../helpers/trails';
import { type Receiver, startReceiver, streamingCall } from '../helpers/streaming';
import { startWorkers } from '../../workers/main';
import { MAX_ROUTING_WAIT_MS } from '../../src/insights/insights-detection.service';
import { insightsWorker } from '../../workers/insights.worker';
import type { QueueJob } from '../../src/jobs/queues';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { createObjectStore } from '../../src/storage/object-store-factory';
import type { ObjectStore } from '../../src/storage/object-store';
import type { TrailEntity } from '../../src/trails/trail.entity';

jest.setTimeout(300_000);

const MIN = 60_000;
const DAY = 86_400_000;
const REGION = 'us-east-1';
const LOOKUP = `query($input: LookupEventsInput, $first: Int) { lookupEvents(input: $input, first: $first) { edges { node { eventId eventName eventSource cloudTrailEvent } } } }`;
const METRICS = `query($input: ListInsightsMetricDataInput!) { listInsightsMetricData(input: $input) { eventSource eventName insightType errorCode timestamps values nextToken } }`;

const random = rng(42);
const poissonCount = (lambda: number) => poisson(lambda, random);

/** Traffic of one API, recorded minute by minute; `counts` keeps what each series should hold. */
interface Api {
  source: string;
  name: string;
  readOnly: boolean;
}
const RUN: Api = { source: 'ec2.amazonaws.com', name: 'RunInstances', readOnly: false };
const DESCRIBE: Api = { source: 'ec2.amazonaws.com', name: 'DescribeInstances', readOnly: true };
const PUT_PARAM: Api = { source: 'ssm.amazonaws.com', name: 'PutParameter', readOnly: false };
const USERS = ['alice', 'bob', 'carol'];

describe('Insights: detection over a backdated week, events, delivery and metric data', () => {
  let app: TestApp;
  let store: ObjectStore;
  let token: string;
  let account: string;
  let trail: TrailEntity;
  let workers: { close(): Promise<void> } | undefined;
  let receiver: Receiver;
  /** Start of the judged day (yesterday, UTC) and of today. */
  let judged: number;
  let today: number;
  const records: Array<Record<string, unknown>> = [];
  /** seriesKey → minute(ms) → count */
  const series = new Map<string, Map<number, number>>();
  const bump = (key: string, minute: number, n = 1) => {
    let m = series.get(key);
    if (!m) series.set(key, (m = new Map()));
    m.set(minute, (m.get(minute) ?? 0) + n);
  };
  const sum = (key: string, from: number, to: number) => {
    let s = 0;
    for (const [minute, n] of series.get(key) ?? []) if (minute >= from && minute < to) s += n;
    return s;
  };

  function record(api: Api, minute: number, user: string, agent: string, errorCode?: string) {
    records.push({
      eventTime: new Date(minute + Math.floor(random() * 60) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: api.source,
      eventName: api.name,
      awsRegion: REGION,
      userIdentity: {
        type: 'IAMUser',
        principalId: `AIDA${user.toUpperCase()}`,
        arn: `arn:aws:iam::${account}:user/${user}`,
        accountId: account,
        userName: user,
      },
      userAgent: agent,
      sourceIPAddress: '203.0.113.7',
      readOnly: api.readOnly,
      eventID: randomUUID(),
      ...(errorCode ? { errorCode, errorMessage: 'User is not authorized' } : {}),
    });
    if (!api.readOnly) bump(`${api.name}/call`, minute);
    if (errorCode) bump(`${api.name}/${errorCode}`, minute);
  }

  async function routeAll(): Promise<void> {
    for (;;) {
      const { rows } = await app.db.pool.query(`SELECT id FROM event_outbox WHERE routed_at IS NULL ORDER BY id LIMIT 200`);
      if (rows.length === 0) return;
      for (const r of rows) await app.services.outbox.route(String(r.id));
    }
  }

  async function insightRecords(): Promise<Array<Record<string, any>>> {
    const { rows } = await app.db.pool.query(`SELECT record FROM events WHERE event_category = 'Insight' ORDER BY event_time, event_id`);
    return rows.map((r) => JSON.parse(r.record));
  }

  beforeAll(async () => {
    app = await startTestApp({ DELIVERY_INTERVAL_SECONDS: '1', INSIGHTS_INTERVAL_SECONDS: '3600' });
    store = createObjectStore(app.config);
    account = app.admin.accountId;
    token = await app.login(app.admin);
    // An EventBridge-style rule for Insights events (they are routed like any other event).
    receiver = await startReceiver();
    await streamingCall(
      app,
      'putEventRule',
      {
        input: {
          name: 'insights',
          eventPattern: JSON.stringify({ 'detail-type': ['AWS Insight via CloudTrail'] }),
          webhookUrl: receiver.url,
        },
      },
      token,
      REGION,
    );
    await insertBucket(app.db, store, account, 'insights-bucket');
    trail = await insertTrail(app.db, {
      accountId: account,
      name: 'insights',
      homeRegion: REGION,
      s3BucketName: 'insights-bucket',
      insightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }],
    });

    today = Math.floor(Date.now() / DAY) * DAY;
    judged = today - DAY;
    const start = judged - 7 * DAY;
    // A week of baseline and the judged day: RunInstances on a daily cycle (~0 at night, ~3/min
    // at its peak), PutParameter steady at 0.5/min, DescribeInstances reads at 0.05/min of which a
    // few end in AccessDenied.
    for (let minute = start; minute < today; minute += MIN) {
      const ofDay = ((minute - judged) / MIN) % 1440;
      const m = ofDay < 0 ? ofDay + 1440 : ofDay;
      const cycle = 0.02 + 3 * Math.max(0, Math.sin(((m - 360) / 1440) * 2 * Math.PI)) ** 2;
      for (let i = poissonCount(cycle); i > 0; i--) record(RUN, minute, USERS[Math.floor(random() * 3)], 'console.amazonaws.com');
      for (let i = poissonCount(0.5); i > 0; i--) record(PUT_PARAM, minute, 'deployer', 'aws-cli/2.15');
      for (let i = poissonCount(0.05); i > 0; i--)
        record(DESCRIBE, minute, 'alice', 'console.amazonaws.com', random() < 0.1 ? 'AccessDenied' : undefined);
    }
    // The anomalies on the judged day: 60 RunInstances a minute for 10 minutes from 10:00, and 30
    // AccessDenied a minute on DescribeInstances for 8 minutes from 15:00, both by one principal.
    for (let k = 0; k < 10; k++) for (let i = 0; i < 60; i++) record(RUN, judged + (600 + k) * MIN, 'burster', 'burst-agent/1.0');
    for (let k = 0; k < 8; k++)
      for (let i = 0; i < 30; i++) record(DESCRIBE, judged + (900 + k) * MIN, 'burster', 'burst-agent/1.0', 'AccessDenied');

    for (let i = 0; i < records.length; i += 5000)
      await recordAs(app.services, account, app.admin.organizationId, records.slice(i, i + 5000));
    // An account no Insights trail covers: its events are never counted.
    const other = await insertMemberAccount(app.db, app.admin.organizationId, 'no-insights');
    await recordAs(app.services, other, app.admin.organizationId, [{ ...records[0], eventID: randomUUID(), recipientAccountId: other }]);
    await routeAll();
  });

  afterAll(async () => {
    await workers?.close();
    await receiver?.close();
    await app?.close();
  });

  it('counts only accounts covered by a trail with Insights, in the minute of each eventTime', async () => {
    const { rows } = await app.db.pool.query(`SELECT DISTINCT account_id FROM insights_minute_counts`);
    expect(rows.map((r) => r.account_id)).toEqual([account]);
    const burstMinute = judged + 600 * MIN;
    const { rows: c } = await app.db.pool.query(
      `SELECT count FROM insights_minute_counts WHERE account_id = $1 AND event_name = 'RunInstances' AND insight_type = 'ApiCallRateInsight' AND minute = $2`,
      [account, new Date(burstMinute)],
    );
    expect(c[0].count).toBe(sum('RunInstances/call', burstMinute, burstMinute + MIN));
    // Reads without error count nowhere: DescribeInstances has only its AccessDenied series.
    const { rows: d } = await app.db.pool.query(
      `SELECT DISTINCT insight_type, error_code FROM insights_minute_counts WHERE event_name = 'DescribeInstances'`,
    );
    expect(d).toEqual([{ insight_type: 'ApiErrorRateInsight', error_code: 'AccessDenied' }]);
  });

  it('emits exactly one Start/End pair per anomaly, none for steady or cyclic traffic, consistent across runs', async () => {
    // Two runs: the first stops inside the first burst (its insight stays open in between).
    const first = await app.services.insights.detection.analyze(new Date(judged + 605 * MIN));
    expect(first).toMatchObject({ started: 1, ended: 0 });
    const second = await app.services.insights.detection.analyze(new Date(today));
    expect(second).toMatchObject({ started: 1, ended: 2 });
    const events = await insightRecords();
    expect(events.map((e) => [e.insightDetails.eventName, e.insightDetails.insightType, e.insightDetails.state, e.eventTime])).toEqual([
      ['RunInstances', 'ApiCallRateInsight', 'Start', iso(judged + 600 * MIN)],
      ['RunInstances', 'ApiCallRateInsight', 'End', iso(judged + 610 * MIN)],
      ['DescribeInstances', 'ApiErrorRateInsight', 'Start', iso(judged + 900 * MIN)],
      ['DescribeInstances', 'ApiErrorRateInsight', 'End', iso(judged + 908 * MIN)],
    ]);
    expect(events[0].sharedEventID).toBe(events[1].sharedEventID);
    expect(events[2].sharedEventID).toBe(events[3].sharedEventID);
    expect(events[0].sharedEventID).not.toBe(events[2].sharedEventID);
    // Analysing again, or up to now, adds nothing.
    await app.services.insights.detection.analyze(new Date(today));
    await app.services.insights.detection.analyze(new Date());
    expect(await insightRecords()).toHaveLength(4);
    await routeAll(); // the workers would have: what is recorded is routed (and counted) before it is judged
  });

  it('judges no minute whose events still wait to be routed, for at most MAX_ROUTING_WAIT_MS', async () => {
    const mark = async () =>
      (
        await app.db.pool.query(`SELECT analyzed_through FROM insights_regions WHERE account_id = $1`, [account])
      ).rows[0].analyzed_through.getTime();
    const before = await mark();
    const minute = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
    await app.db.pool.query(`UPDATE insights_regions SET analyzed_through = $1 WHERE account_id = $2`, [
      new Date(minute - 5 * MIN),
      account,
    ]);
    // Reads recorded (committed) but not routed yet, as when routing lags (Redis down, a backlog).
    // Successful reads add to no series: they hold judging back without changing any count.
    const late = Array.from({ length: 30 }, (_, i) => ({
      eventTime: iso(minute + i * 1000),
      eventSource: DESCRIBE.source,
      eventName: DESCRIBE.name,
      awsRegion: REGION,
      readOnly: true,
      userIdentity: {
        type: 'IAMUser',
        principalId: 'AIDALATE',
        arn: `arn:aws:iam::${account}:user/late`,
        accountId: account,
        userName: 'late',
      },
      eventID: randomUUID(),
    }));
    await recordAs(app.services, account, app.admin.organizationId, late);
    await app.services.insights.detection.analyze(new Date(minute + 10 * MIN));
    expect(await mark()).toBe(minute); // not past the earliest unrouted event
    // Longer than MAX_ROUTING_WAIT_MS behind what is asked, it no longer holds the account back.
    await app.services.insights.detection.analyze(new Date(minute + MAX_ROUTING_WAIT_MS + 5 * MIN));
    expect(await mark()).toBe(minute + 5 * MIN);
    // Routed, the minutes are judged up to the time asked.
    await app.db.pool.query(`UPDATE insights_regions SET analyzed_through = $1 WHERE account_id = $2`, [new Date(minute), account]);
    await routeAll();
    await app.services.insights.detection.analyze(new Date(minute + 10 * MIN));
    expect(await mark()).toBe(minute + 10 * MIN);
    expect(await insightRecords()).toHaveLength(4);
    await app.db.pool.query(`UPDATE insights_regions SET analyzed_through = $1 WHERE account_id = $2`, [new Date(before), account]);
  });

  it('Insights events are shaped as CloudTrail records them, with statistics and attributions', async () => {
    const [start, end, errStart, errEnd] = await insightRecords();
    for (const e of [start, end, errStart, errEnd]) {
      expect(Object.keys(e).sort()).toEqual(
        [
          'awsRegion',
          'eventCategory',
          'eventID',
          'eventTime',
          'eventType',
          'eventVersion',
          'insightDetails',
          'recipientAccountId',
          'sharedEventID',
        ].sort(),
      );
      expect(e).toMatchObject({
        eventVersion: '1.08',
        eventType: 'AwsCloudTrailInsight',
        eventCategory: 'Insight',
        awsRegion: REGION,
        recipientAccountId: account,
      });
      expect(e.insightDetails.insightContext.statistics.baselineDuration).toBe(10080);
      expect(e.insightDetails.insightContext.attributions.map((a: any) => a.attribute)).toEqual([
        'userIdentityArn',
        'userAgent',
        'errorCode',
      ]);
    }
    const baselineFrom = judged - 7 * DAY;
    // RunInstances, End: the whole anomaly.
    const burstFrom = judged + 600 * MIN;
    const burstTo = judged + 610 * MIN;
    const runBaseline = sum('RunInstances/call', baselineFrom, judged) / 10080;
    expect(end.insightDetails).toMatchObject({
      state: 'End',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      insightType: 'ApiCallRateInsight',
    });
    expect(end.insightDetails.errorCode).toBeUndefined();
    const endStats = end.insightDetails.insightContext.statistics;
    expect(endStats.insightDuration).toBe(10);
    expect(endStats.insight.average).toBeCloseTo(sum('RunInstances/call', burstFrom, burstTo) / 10, 9);
    expect(endStats.baseline.average).toBeCloseTo(runBaseline, 9);
    const [arns, agents, codes] = end.insightDetails.insightContext.attributions;
    expect(arns.insight[0]).toEqual({ value: `arn:aws:iam::${account}:user/burster`, average: 60 });
    expect(arns.baseline.map((v: any) => v.value).sort()).toEqual(USERS.map((u) => `arn:aws:iam::${account}:user/${u}`));
    expect(arns.baseline.reduce((s: number, v: any) => s + v.average, 0)).toBeCloseTo(runBaseline, 9);
    for (const list of [arns.insight, arns.baseline, agents.insight]) {
      expect(list.length).toBeLessThanOrEqual(5);
      expect(list.map((v: any) => v.average)).toEqual([...list.map((v: any) => v.average)].sort((a, b) => b - a));
    }
    expect(agents.insight[0]).toEqual({ value: 'burst-agent/1.0', average: 60 });
    expect(agents.baseline).toEqual([{ value: 'console.amazonaws.com', average: expect.closeTo(runBaseline, 9) }]);
    expect(codes.insight).toEqual([{ value: 'null', average: expect.closeTo(endStats.insight.average, 9) }]);
    // RunInstances, Start: the first minutes of the anomaly.
    const startStats = start.insightDetails.insightContext.statistics;
    expect(startStats.insightDuration).toBeGreaterThanOrEqual(1);
    expect(startStats.insightDuration).toBeLessThanOrEqual(5);
    expect(startStats.insight.average).toBeCloseTo(
      sum('RunInstances/call', burstFrom, burstFrom + startStats.insightDuration * MIN) / startStats.insightDuration,
      9,
    );
    expect(startStats.baseline.average).toBeCloseTo(runBaseline, 9);
    // The error-rate pair names its error code.
    expect(errEnd.insightDetails).toMatchObject({
      state: 'End',
      eventName: 'DescribeInstances',
      insightType: 'ApiErrorRateInsight',
      errorCode: 'AccessDenied',
    });
    expect(errStart.insightDetails.errorCode).toBe('AccessDenied');
    const errStats = errEnd.insightDetails.insightContext.statistics;
    expect(errStats.insightDuration).toBe(8);
    expect(errStats.insight.average).toBeCloseTo(sum('DescribeInstances/AccessDenied', judged + 900 * MIN, judged + 908 * MIN) / 8, 9);
    expect(errStats.baseline.average).toBeCloseTo(sum('DescribeInstances/AccessDenied', baselineFrom, judged) / 10080, 9);
    expect(errEnd.insightDetails.insightContext.attributions[2].insight).toEqual([
      { value: 'AccessDenied', average: expect.closeTo(errStats.insight.average, 9) },
    ]);
  });

  it('a crashed run repeated from an earlier mark writes the same events, not new ones', async () => {
    const before = await insightRecords();
    await app.db.pool.query(`UPDATE insights_regions SET analyzed_through = $1`, [new Date(judged)]);
    await app.db.pool.query(`UPDATE insights_series SET open_shared_event_id = NULL, open_started_at = NULL, open_last_hot = NULL`);
    await app.services.insights.detection.analyze(new Date(today));
    expect(await insightRecords()).toEqual(before);
  });

  it('with Insights turned off (or the trail stopped) nothing is generated', async () => {
    const selectors = (await app.db.pool.query(`SELECT insight_selectors FROM trails WHERE id = $1`, [trail.id])).rows[0].insight_selectors;
    await app.db.pool.query(`UPDATE insights_regions SET analyzed_through = $1`, [new Date(judged)]);
    await app.db.pool.query(`UPDATE trails SET insight_selectors = NULL WHERE id = $1`, [trail.id]);
    expect(await app.services.insights.detection.analyze(new Date(today))).toMatchObject({ started: 0, ended: 0, minutes: 1440 });
    await app.db.pool.query(`UPDATE insights_regions SET analyzed_through = $1`, [new Date(judged)]);
    await app.db.pool.query(`UPDATE trails SET insight_selectors = $2, is_logging = false WHERE id = $1`, [
      trail.id,
      JSON.stringify(selectors),
    ]);
    expect(await app.services.insights.detection.analyze(new Date(today))).toMatchObject({ started: 0, ended: 0 });
    await app.db.pool.query(`UPDATE trails SET is_logging = true WHERE id = $1`, [trail.id]);
    expect((await app.db.pool.query(`SELECT analyzed_through FROM insights_regions`)).rows[0].analyzed_through).toEqual(new Date(today));
  });

  it('lookupEvents returns them only with eventCategory insight', async () => {
    const insights = await app.gql(
      LOOKUP,
      { input: { eventCategory: 'insight', startTime: iso(judged), endTime: iso(today) }, first: 50 },
      { token, region: REGION },
    );
    expect(insights.errors).toBeUndefined();
    const nodes = insights.data.lookupEvents.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(4);
    expect(new Set(nodes.map((n: any) => n.eventName))).toEqual(new Set(['RunInstances', 'DescribeInstances']));
    const byName = await app.gql(
      LOOKUP,
      {
        input: {
          eventCategory: 'insight',
          startTime: iso(judged),
          endTime: iso(today),
          lookupAttributes: [{ attributeKey: 'EventName', attributeValue: 'DescribeInstances' }],
        },
        first: 50,
      },
      { token, region: REGION },
    );
    expect(byName.data.lookupEvents.edges).toHaveLength(2);
    const plain = await app.gql(
      LOOKUP,
      { input: { startTime: iso(judged + 600 * MIN), endTime: iso(judged + 600 * MIN) }, first: 50 },
      { token, region: REGION },
    );
    expect(plain.data.lookupEvents.edges.map((e: any) => JSON.parse(e.node.cloudTrailEvent).eventCategory)).not.toContain('Insight');
  });

  it('listInsightsMetricData returns the per-minute, 5-minute and hourly curve behind an insight', async () => {
    const input = { eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', insightType: 'ApiCallRateInsight' };
    const perMinute = await app.gql(
      METRICS,
      { input: { ...input, period: 60, startTime: iso(judged + 600 * MIN), endTime: iso(judged + 610 * MIN) } },
      { token, region: REGION },
    );
    expect(perMinute.errors).toBeUndefined();
    const r = perMinute.data.listInsightsMetricData;
    expect(r.timestamps).toEqual(Array.from({ length: 10 }, (_, k) => iso(judged + (600 + k) * MIN)));
    expect(r.values).toEqual(
      Array.from({ length: 10 }, (_, k) => sum('RunInstances/call', judged + (600 + k) * MIN, judged + (601 + k) * MIN)),
    );
    const fiveMinutes = await app.gql(
      METRICS,
      { input: { ...input, period: 300, startTime: iso(judged + 600 * MIN), endTime: iso(judged + 610 * MIN) } },
      { token, region: REGION },
    );
    expect(fiveMinutes.data.listInsightsMetricData.values).toEqual([
      sum('RunInstances/call', judged + 600 * MIN, judged + 605 * MIN),
      sum('RunInstances/call', judged + 605 * MIN, judged + 610 * MIN),
    ]);
    const hourly = await app.gql(METRICS, { input: { ...input, startTime: iso(judged), endTime: iso(today) } }, { token, region: REGION });
    const h = hourly.data.listInsightsMetricData;
    expect(h.timestamps[0] >= iso(judged)).toBe(true);
    expect(h.values.reduce((a: number, b: number) => a + b, 0)).toBe(sum('RunInstances/call', judged, today));
    // Paging: the same hourly curve three points at a time.
    const paged: number[] = [];
    let nextToken: string | null = null;
    do {
      const page: any = await app.gql(
        METRICS,
        { input: { ...input, startTime: iso(judged), endTime: iso(today), maxResults: 3, nextToken } },
        { token, region: REGION },
      );
      paged.push(...page.data.listInsightsMetricData.values);
      nextToken = page.data.listInsightsMetricData.nextToken;
    } while (nextToken);
    expect(paged).toEqual(h.values);
    // Error rate needs its error code; zeros filled on request.
    const errors = await app.gql(
      METRICS,
      {
        input: {
          eventSource: 'ec2.amazonaws.com',
          eventName: 'DescribeInstances',
          insightType: 'ApiErrorRateInsight',
          errorCode: 'AccessDenied',
          period: 60,
          dataType: 'FillWithZeros',
          startTime: iso(judged + 898 * MIN),
          endTime: iso(judged + 910 * MIN),
        },
      },
      { token, region: REGION },
    );
    const e = errors.data.listInsightsMetricData;
    expect(e.timestamps).toHaveLength(12);
    expect(e.values).toEqual(
      Array.from({ length: 12 }, (_, k) => sum('DescribeInstances/AccessDenied', judged + (898 + k) * MIN, judged + (899 + k) * MIN)),
    );
    for (const [bad, code] of [
      [{ ...input, insightType: 'ApiErrorRateInsight' }, 'InvalidParameterException'],
      [{ ...input, period: 120 }, 'InvalidParameterException'],
      [{ ...input, eventSource: 'EC2' }, 'InvalidParameterException'],
      [{ ...input, errorCode: 'AccessDenied' }, 'InvalidParameterException'],
      [{ ...input, nextToken: 'garbage-token' }, 'InvalidParameterException'],
      [{ ...input, trailName: 'insights' }, 'UnsupportedOperationException'],
    ] as const) {
      const res = await app.gql(METRICS, { input: bad }, { token, region: REGION });
      expect(res.errors?.[0]?.extensions?.code).toBe(code);
    }
  });

  it('another account sees none of the series (row-level security)', async () => {
    const { rows } = await app.db.pool.query(`SELECT id FROM accounts WHERE name = 'no-insights'`);
    const seen = await app.db.inTenantRaw(
      { accountId: rows[0].id, organizationId: app.admin.organizationId },
      async (c) => (await c.query(`SELECT count(*)::int AS n FROM insights_minute_counts`)).rows[0].n,
    );
    expect(seen).toBe(0);
  });

  it("another organization's caller gets an empty curve for the same API", async () => {
    const other = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'insights-other'));
    const otherToken = await app.login(other);
    const res = await app.gql(
      METRICS,
      { input: { eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', insightType: 'ApiCallRateInsight', period: 3600 } },
      { token: otherToken, region: REGION },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.listInsightsMetricData).toMatchObject({ timestamps: [], values: [], nextToken: null });
  });

  it('putInsightSelectors checks the bucket Insights files go to, as CreateTrail does', async () => {
    const admin = { token, region: REGION };
    // Not logging: they must not take part in the delivery checked below.
    await insertTrail(app.db, {
      accountId: account,
      name: 'no-bucket',
      homeRegion: REGION,
      s3BucketName: 'missing-bucket',
      isLogging: false,
    });
    await trailFails(
      app,
      'putInsightSelectors',
      { trailName: 'no-bucket', insightSelectors: [{ insightType: 'ApiCallRateInsight' }] },
      admin,
      'S3BucketDoesNotExistException',
    );
    await insertBucket(app.db, store, account, 'closed-bucket', REGION, {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${account}:root` },
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::closed-bucket/*',
        },
      ],
    });
    await insertTrail(app.db, { accountId: account, name: 'closed', homeRegion: REGION, s3BucketName: 'closed-bucket', isLogging: false });
    await trailFails(
      app,
      'putInsightSelectors',
      { trailName: 'closed', insightSelectors: [{ insightType: 'ApiCallRateInsight' }] },
      admin,
      'InsufficientS3BucketPolicyException',
    );
    await trailFails(app, 'getInsightSelectors', { trailName: 'closed' }, admin, 'InsightNotEnabledException');
    // Turning Insights off needs no bucket.
    expect(await trailCall(app, 'putInsightSelectors', { trailName: 'no-bucket', insightSelectors: [] }, admin)).toMatchObject({
      insightSelectors: [],
    });
  });

  it('the trail delivers them in separate CloudTrail-Insight files, never in its log files', async () => {
    workers = await startWorkers(app.services);
    await waitFor(
      'delivery',
      async () =>
        (await app.db.pool.query(`SELECT 1 FROM trail_pending_events UNION ALL SELECT 1 FROM trail_log_files WHERE state = 'pending'`))
          .rowCount === 0,
      120_000,
    );
    const files = await deliveredFiles(app.db, store, trail.id);
    const insightFiles = files.filter((f) => f.key.includes('/CloudTrail-Insight/'));
    const logFiles = files.filter((f) => !f.key.includes('/CloudTrail-Insight/'));
    expect(insightFiles.length).toBeGreaterThan(0);
    for (const f of insightFiles) {
      expect(f.key).toMatch(
        new RegExp(
          `^AWSLogs/${account}/CloudTrail-Insight/${REGION}/\\d{4}/\\d{2}/\\d{2}/${account}_CloudTrail-Insight_${REGION}_\\d{8}T\\d{4}Z_[A-Za-z0-9]{16}\\.json\\.gz$`,
        ),
      );
      for (const r of f.records) expect(r.eventCategory).toBe('Insight');
    }
    const delivered = insightFiles.flatMap((f) => f.records.map((r) => r.eventID)).sort();
    expect(delivered).toEqual((await insightRecords()).map((e) => e.eventID).sort());
    for (const f of logFiles) for (const r of f.records) expect(r.eventCategory).not.toBe('Insight');
    const { rows } = await app.db.pool.query(`SELECT DISTINCT kind FROM trail_log_files WHERE trail_id = $1 ORDER BY kind`, [trail.id]);
    expect(rows.map((r) => r.kind)).toEqual(['CloudTrail', 'CloudTrail-Insight']);
  });

  it('the worker tick fans out one job per region, which judges up to a minute ago', async () => {
    await app.db.pool.query(`UPDATE insights_regions SET analyzed_through = $1`, [new Date(today)]);
    const tick = await insightsWorker(app.services)({ name: 'insights', data: {} } as QueueJob<'insights'>);
    expect(tick).toEqual({ regions: 1 });
    const expected = Math.floor((Date.now() - 60_000) / MIN) * MIN;
    await waitFor('the region job', async () => {
      const { rows } = await app.db.pool.query(`SELECT analyzed_through FROM insights_regions`);
      return rows[0].analyzed_through.getTime() >= expected;
    });
    expect(await insightRecords()).toHaveLength(4);
  });

  it('an organization trail with Insights makes its member accounts counted', async () => {
    const { rows } = await app.db.pool.query(`SELECT id FROM accounts WHERE name = 'no-insights'`);
    const member = rows[0].id as string;
    await insertBucket(app.db, store, account, 'org-insights-bucket');
    await insertTrail(app.db, {
      accountId: account,
      organizationId: app.admin.organizationId,
      isOrganizationTrail: true,
      name: 'org-insights',
      homeRegion: REGION,
      s3BucketName: 'org-insights-bucket',
      insightSelectors: [{ InsightType: 'ApiCallRateInsight' }],
    });
    await recordAs(app.services, member, app.admin.organizationId, [{ ...records[0], eventID: randomUUID(), recipientAccountId: member }]);
    await waitFor(
      'member counted',
      async () => (await app.db.pool.query(`SELECT 1 FROM insights_minute_counts WHERE account_id = $1`, [member])).rowCount,
    );
    const { rows: counted } = await app.db.pool.query(
      `SELECT insight_type, sum(count)::int AS n FROM insights_minute_counts WHERE account_id = $1 GROUP BY 1`,
      [member],
    );
    expect(counted).toEqual([{ insight_type: 'ApiCallRateInsight', n: 1 }]);
  });

  it('event rules matching "AWS Insight via CloudTrail" receive each Insights event once', async () => {
    const want = (await insightRecords()).map((e) => e.eventID).sort();
    const got = await waitFor('webhooks', async () => {
      const ids = receiver
        .accepted()
        .map((r) => JSON.parse(r.body))
        .filter((e) => e['detail-type'] === 'AWS Insight via CloudTrail')
        .map((e) => e.detail.eventID);
      return ids.length >= want.length ? ids.sort() : null;
    });
    expect(got).toEqual(want);
    // Nothing else matched the rule.
    expect(receiver.accepted().map((r) => JSON.parse(r.body)['detail-type'])).toEqual(want.map(() => 'AWS Insight via CloudTrail'));
  });
});

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
