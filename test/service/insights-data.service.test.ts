import type { Services } from '../../src/app/services';
import type { RequestContext } from '../../src/common/request-context';
import type { InsightsDataQuery } from '../../src/insights/insights-data.service';
import type { InsightType } from '../../src/insights/insight-series';
import { policyJson } from '../helpers/iam-ops';
import { writeInsightEvent } from '../helpers/insights';
import { failsWith, startServiceHarness, type ServiceHarness } from '../helpers/service-harness';
import { cloudTrailBucketPolicy } from '../helpers/trails';

jest.setTimeout(60_000);

/** listInsightsData (spec §3.4) on the Insights service: which events a trail has, its limits, paging and authorization. */
describe('service: Insights events of a trail', () => {
  let h: ServiceHarness;
  let services: Services;
  let ctx: RequestContext;
  let account: string;
  let trailArn: string;
  const minutesAgo = (n: number) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - n * 60_000);
  const list = (q: Partial<InsightsDataQuery>, at = ctx) =>
    services.insights.data.listInsightsData(at, { insightSource: trailArn, dataType: 'InsightsEvents', ...q });
  const refused = (q: Partial<InsightsDataQuery>) => failsWith(list(q), 'InvalidParameterException');

  const insight = (eventName: string, insightType: InsightType, eventTime: Date, region = 'us-east-1') =>
    writeInsightEvent(
      services,
      { accountId: account, organizationId: h.admin.organizationId },
      { eventName, insightType, eventTime, region },
    );

  beforeAll(async () => {
    h = await startServiceHarness();
    services = h.services;
    ctx = h.ctx();
    account = h.admin.accountId;
    await services.storage.createBucket(ctx, 'insight-logs');
    await services.storage.putBucketPolicy(ctx, 'insight-logs', cloudTrailBucketPolicy('insight-logs', [account]));
    trailArn = (await services.trails.lifecycle.createTrail(ctx, { name: 'insight-trail', s3BucketName: 'insight-logs' })).trailArn;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('checks InsightSource, DataType, Dimensions, times and MaxResults with InvalidParameterException', async () => {
    await refused({ insightSource: 'ab' });
    await refused({ insightSource: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/bad name' });
    expect(await refused({ insightSource: `arn:aws:s3:::insight-logs` })).toMatch(/ARN of a trail/);
    expect(await refused({ insightSource: trailArn.replace('insight-trail', 'no-such-trail') })).toMatch(/does not name a trail/);
    expect(await refused({ dataType: 'InsightsMetrics' })).toMatch(/InsightsEvents/);
    expect(await refused({ dimensions: {} })).toMatch(/exactly one/);
    await refused({ dimensions: { eventName: 'RunInstances', eventSource: 'ec2.amazonaws.com' } });
    await refused({ dimensions: { eventName: '' } });
    await refused({ dimensions: { eventName: 'x'.repeat(2001) } });
    await refused({ dimensions: { eventId: 'not-a-uuid' } });
    await refused({ startTime: '2026-01-02T00:00:00Z', endTime: '2026-01-01T00:00:00Z' });
    await refused({ startTime: 'yesterday' });
    for (const maxResults of [0, 51]) expect(await refused({ maxResults })).toMatch(/MaxResults must be 1 to 50/);
  });

  it('lists the Insights events of the types the trail enables for management events, newest first', async () => {
    const calls = await insight('RunInstances', 'ApiCallRateInsight', minutesAgo(30));
    const errors = await insight('DescribeInstances', 'ApiErrorRateInsight', minutesAgo(20));
    await insight('RunInstances', 'ApiCallRateInsight', minutesAgo(10), 'eu-west-1');
    // Without insight selectors the trail has no Insights events.
    expect(await list({})).toEqual({ events: [], nextToken: null });

    await services.trails.selectors.putInsightSelectors(ctx, {
      trailName: trailArn,
      insightSelectors: [{ InsightType: 'ApiCallRateInsight' }],
    });
    expect((await list({})).events.map((e) => e.event_id)).toEqual([calls]);
    await services.trails.selectors.putInsightSelectors(ctx, {
      trailName: trailArn,
      insightSelectors: [{ InsightType: 'ApiCallRateInsight' }, { InsightType: 'ApiErrorRateInsight' }],
    });
    const both = await list({});
    expect(both.events.map((e) => e.event_id)).toEqual([errors, calls]);
    expect(JSON.parse(both.events[0].record).insightDetails.insightType).toBe('ApiErrorRateInsight');
    expect((await list({ dimensions: { eventName: 'RunInstances' } })).events.map((e) => e.event_id)).toEqual([calls]);
    expect((await list({ dimensions: { eventId: errors.toUpperCase() } })).events.map((e) => e.event_id)).toEqual([errors]);
    expect((await list({ dimensions: { eventSource: 'ec2.amazonaws.com' } })).events).toHaveLength(2);
    expect((await list({ startTime: minutesAgo(25).toISOString() })).events.map((e) => e.event_id)).toEqual([errors]);
    // The eu-west-1 event is not this region's; and the single-Region trail is not seen from there.
    expect(await failsWith(list({}, h.ctx('eu-west-1')), 'InvalidParameterException')).toMatch(/seen from eu-west-1/);
  });

  it('pages with a NextToken bound to the parameters', async () => {
    const first = await list({ maxResults: 1 });
    expect(first.events).toHaveLength(1);
    const second = await list({ maxResults: 1, nextToken: first.nextToken });
    expect(second.events).toHaveLength(1);
    expect(second.events[0].event_id).not.toBe(first.events[0].event_id);
    expect(second.nextToken).toBeNull();
    expect(await refused({ maxResults: 1, nextToken: first.nextToken, dimensions: { eventName: 'RunInstances' } })).toMatch(/NextToken/);
    await refused({ nextToken: 'garbage-token' });
  });

  it('needs cloudtrail:ListInsightsData on the trail', async () => {
    await services.iam.createUser(ctx, { userName: 'insights-reader' });
    const key = await services.iam.createAccessKey(ctx, { userName: 'insights-reader' });
    const grant = (actions: string[]) =>
      services.iam.putInlinePolicy(ctx, 'user', {
        principalName: 'insights-reader',
        policyName: 'insights',
        policyDocument: policyJson({ Effect: 'Allow', Action: actions, Resource: '*' }),
      });
    await grant(['cloudtrail:LookupEvents']);
    const reader = await h.contextFor(key);
    expect(await failsWith(list({}, reader), 'AccessDeniedException')).toContain('cloudtrail:ListInsightsData');
    await grant(['cloudtrail:LookupEvents', 'cloudtrail:ListInsightsData']);
    expect((await list({}, await h.contextFor(key))).events).toHaveLength(2);
  });
});
