import { randomUUID } from 'node:crypto';
import { poisson, rng } from '../helpers/random';
import { insertMemberAccount, insertTrail, recordAs } from '../helpers/delivery';
import { type LakeSession, lakeCall } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import type { TrailEntity } from '../../src/trails/trail.entity';

jest.setTimeout(300_000);

const MIN = 60_000;
const DAY = 86_400_000;
const REGION = 'us-east-1';
const PUT = `mutation($input: PutInsightSelectorsInput!) { putInsightSelectors(input: $input) { eventDataStoreArn insightsDestination } }`;
const INSIGHT_SELECTORS = [{ name: 'Insights events', fieldSelectors: [{ field: 'eventCategory', equals: ['Insight'] }] }];

const random = rng(7);
const poissonCount = (lambda: number) => poisson(lambda, random);

/**
 * Insights on event data stores (spec §10 "EDS Insights"): an organization source store with
 * call-rate Insights covers a member account; a week of backdated traffic and a burst produce a
 * Start/End pair that lands in the destination store only. A trail of the member with error-rate
 * Insights gets its own pair; nothing crosses to other stores, trails or tenants.
 */
describe('Insights on event data stores: detection feeds the destination store', () => {
  let app: TestApp;
  let mgmt: LakeSession;
  let member: string;
  let otherAccount: string;
  let source: string;
  let destination: string;
  let unpaired: string;
  let otherDestination: string;
  let errorTrail: TrailEntity;
  let plainTrail: TrailEntity;
  let judged: number;
  let today: number;

  const id = (arn: string) => arn.split('/')[1];
  async function routeAll(): Promise<void> {
    for (;;) {
      const { rows } = await app.db.pool.query(`SELECT id FROM event_outbox WHERE routed_at IS NULL ORDER BY id LIMIT 200`);
      if (rows.length === 0) return;
      for (const r of rows) await app.services.outbox.route(String(r.id));
    }
  }
  async function lakeRows(storeArn: string, where = 'TRUE'): Promise<Array<{ event_id: string; event_category: string; record: any }>> {
    const { rows } = await app.db.pool.query(
      `SELECT event_id, event_category, record FROM lake_events WHERE event_data_store_id = $1 AND ${where} ORDER BY event_time, event_id`,
      [id(storeArn)],
    );
    return rows.map((r) => ({ ...r, record: typeof r.record === 'string' ? JSON.parse(r.record) : r.record }));
  }
  async function insightEvents(accountId: string): Promise<Array<{ eventID: string; insightDetails: any; eventTime: string }>> {
    const { rows } = await app.db.pool.query(
      `SELECT record FROM events WHERE event_category = 'Insight' AND account_id = $1 ORDER BY event_time, event_id`,
      [accountId],
    );
    return rows.map((r) => JSON.parse(r.record));
  }
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

  function traffic(accountId: string, from: number, to: number, withBursts: boolean): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    const add = (minute: number, name: string, source: string, readOnly: boolean, user: string, errorCode?: string) =>
      out.push({
        eventTime: iso(minute + Math.floor(random() * 60) * 1000),
        eventSource: source,
        eventName: name,
        awsRegion: REGION,
        userIdentity: {
          type: 'IAMUser',
          principalId: `AIDA${user.toUpperCase()}`,
          arn: `arn:aws:iam::${accountId}:user/${user}`,
          accountId,
          userName: user,
        },
        userAgent: 'aws-cli/2.15',
        sourceIPAddress: '203.0.113.7',
        readOnly,
        eventID: randomUUID(),
        ...(errorCode ? { errorCode, errorMessage: 'User is not authorized' } : {}),
      });
    for (let minute = from; minute < to; minute += MIN) {
      for (let i = poissonCount(0.5); i > 0; i--) add(minute, 'PutParameter', 'ssm.amazonaws.com', false, 'deployer');
      for (let i = poissonCount(0.05); i > 0; i--)
        add(minute, 'DescribeInstances', 'ec2.amazonaws.com', true, 'alice', random() < 0.1 ? 'AccessDenied' : undefined);
    }
    if (withBursts) {
      // 60 PutParameter a minute for 10 minutes from 10:00; 30 AccessDenied a minute for 8 minutes from 15:00.
      for (let k = 0; k < 10; k++)
        for (let i = 0; i < 60; i++) add(judged + (600 + k) * MIN, 'PutParameter', 'ssm.amazonaws.com', false, 'burster');
      for (let k = 0; k < 8; k++)
        for (let i = 0; i < 30; i++)
          add(judged + (900 + k) * MIN, 'DescribeInstances', 'ec2.amazonaws.com', true, 'burster', 'AccessDenied');
    }
    return out;
  }

  beforeAll(async () => {
    app = await startTestApp({ INSIGHTS_INTERVAL_SECONDS: '3600' });
    mgmt = { token: await app.login(app.admin) };
    member = await insertMemberAccount(app.db, app.admin.organizationId, 'eds-insights-member');
    const store = (name: string, extra: Record<string, unknown>, s: LakeSession = mgmt) =>
      lakeCall(app, 'createEventDataStore', { name, ...extra }, s).then((r) => r.eventDataStoreArn as string);
    // The management account's organization store of management events is the source.
    source = await store('org-management', { organizationEnabled: true });
    destination = await store('org-insights', { advancedEventSelectors: INSIGHT_SELECTORS });
    unpaired = await store('unpaired-insights', { advancedEventSelectors: INSIGHT_SELECTORS });
    const put = await app.gql(
      PUT,
      { input: { eventDataStore: source, insightsDestination: destination, insightSelectors: [{ insightType: 'ApiCallRateInsight' }] } },
      { token: mgmt.token },
    );
    expect(put.errors).toBeUndefined();
    // The member's own trails: one with error-rate Insights, one without Insights.
    errorTrail = await insertTrail(app.db, {
      accountId: member,
      name: 'errors',
      homeRegion: REGION,
      s3BucketName: 'unused',
      insightSelectors: [{ InsightType: 'ApiErrorRateInsight' }],
    });
    plainTrail = await insertTrail(app.db, { accountId: member, name: 'plain', homeRegion: REGION, s3BucketName: 'unused' });
    // Another tenant with its own paired stores and the same traffic shape, without bursts.
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'eds-insights-b@example.com'));
    otherAccount = credsB.accountId;
    const b = { token: await app.login(credsB) };
    const otherSource = await store('b-management', {}, b);
    otherDestination = await store('b-insights', { advancedEventSelectors: INSIGHT_SELECTORS }, b);
    const putB = await app.gql(
      PUT,
      {
        input: {
          eventDataStore: otherSource,
          insightsDestination: otherDestination,
          insightSelectors: [{ insightType: 'ApiCallRateInsight' }],
        },
      },
      { token: b.token },
    );
    expect(putB.errors).toBeUndefined();

    today = Math.floor(Date.now() / DAY) * DAY;
    judged = today - DAY;
    const records = traffic(member, judged - 7 * DAY, today, true);
    for (let i = 0; i < records.length; i += 5000)
      await recordAs(app.services, member, app.admin.organizationId, records.slice(i, i + 5000));
    await recordAs(app.services, otherAccount, credsB.organizationId, traffic(otherAccount, judged - DAY, today, false));
    await routeAll();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('counts the member covered by the organization source store, per the types of the store and the trail', async () => {
    const { rows } = await app.db.pool.query(
      `SELECT DISTINCT event_name, insight_type FROM insights_minute_counts WHERE account_id = $1 ORDER BY event_name, insight_type`,
      [member],
    );
    // Call rate from the store (PutParameter; DescribeInstances is a read), error rate from the trail.
    expect(rows).toEqual([
      { event_name: 'DescribeInstances', insight_type: 'ApiErrorRateInsight' },
      { event_name: 'PutParameter', insight_type: 'ApiCallRateInsight' },
    ]);
  });

  it('emits one Start/End pair per anomaly; the destination store receives exactly the call-rate pair', async () => {
    await app.services.insights.detection.analyze(new Date(today));
    await routeAll();
    const events = await insightEvents(member);
    expect(events.map((e) => [e.insightDetails.eventName, e.insightDetails.insightType, e.insightDetails.state, e.eventTime])).toEqual([
      ['PutParameter', 'ApiCallRateInsight', 'Start', iso(judged + 600 * MIN)],
      ['PutParameter', 'ApiCallRateInsight', 'End', iso(judged + 610 * MIN)],
      ['DescribeInstances', 'ApiErrorRateInsight', 'Start', iso(judged + 900 * MIN)],
      ['DescribeInstances', 'ApiErrorRateInsight', 'End', iso(judged + 908 * MIN)],
    ]);
    const inDestination = await lakeRows(destination);
    expect(inDestination.map((r) => r.event_id)).toEqual([events[0].eventID, events[1].eventID]);
    expect(inDestination.every((r) => r.event_category === 'Insight')).toBe(true);
    expect(inDestination[0].record).toMatchObject({
      eventType: 'AwsCloudTrailInsight',
      recipientAccountId: member,
      insightDetails: { state: 'Start', insightType: 'ApiCallRateInsight' },
    });
  });

  it('Insights events reach no other store: not the source, not an unpaired Insight store, not another tenant', async () => {
    expect((await lakeRows(source, `event_category = 'Insight'`)).length).toBe(0);
    // The source does receive the member's management events.
    expect((await lakeRows(source, `recipient_account_id = '${member}'`)).length).toBeGreaterThan(1000);
    expect(await lakeRows(unpaired)).toEqual([]);
    expect(await lakeRows(otherDestination)).toEqual([]);
    // Tenant B's steady traffic was counted under its own store and produced nothing.
    expect(await insightEvents(otherAccount)).toEqual([]);
    const { rows } = await app.db.pool.query(
      `SELECT DISTINCT account_id FROM insights_minute_counts WHERE account_id NOT IN ($1, $2, $3)`,
      [member, otherAccount, app.admin.accountId],
    );
    expect(rows).toEqual([]);
  });

  it('trails get the Insights events of their own selectors only; a trail without Insights selectors gets none', async () => {
    const { rows } = await app.db.pool.query(
      `SELECT trail_id, event_id FROM trail_pending_events WHERE kind = 'CloudTrail-Insight' AND trail_id = ANY($1::uuid[]) ORDER BY event_time`,
      [[errorTrail.id, plainTrail.id]],
    );
    const events = await insightEvents(member);
    expect(rows).toEqual([
      { trail_id: errorTrail.id, event_id: events[2].eventID },
      { trail_id: errorTrail.id, event_id: events[3].eventID },
    ]);
  });

  it("disabling the source store's Insights stops counting its types (the trail still counts its own)", async () => {
    const countOf = async (type: string) =>
      Number(
        (
          await app.db.pool.query(
            `SELECT coalesce(sum(count), 0) AS n FROM insights_minute_counts WHERE account_id = $1 AND insight_type = $2`,
            [member, type],
          )
        ).rows[0].n,
      );
    const callsBefore = await countOf('ApiCallRateInsight');
    const errorsBefore = await countOf('ApiErrorRateInsight');
    const off = await app.gql(PUT, { input: { eventDataStore: source, insightSelectors: [] } }, { token: mgmt.token });
    expect(off.errors).toBeUndefined();
    const now = Math.floor(Date.now() / MIN) * MIN;
    await recordAs(app.services, member, app.admin.organizationId, [
      {
        eventTime: iso(now),
        eventSource: 'ssm.amazonaws.com',
        eventName: 'PutParameter',
        awsRegion: REGION,
        readOnly: false,
        eventID: randomUUID(),
        errorCode: 'AccessDenied',
      },
    ]);
    await routeAll();
    expect(await countOf('ApiCallRateInsight')).toBe(callsBefore);
    expect(await countOf('ApiErrorRateInsight')).toBe(errorsBefore + 1);
  });
});
