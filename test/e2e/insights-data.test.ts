import { call, createUserSession, policyJson } from '../helpers/iam-ops';
import { writeInsightEvent } from '../helpers/insights';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createTrailBucket, trailCall } from '../helpers/trails';

jest.setTimeout(120_000);

const LIST = `query($input: ListInsightsDataInput!) { listInsightsData(input: $input) {
  events { eventId eventName eventSource eventTime readOnly username resources { resourceType resourceName } cloudTrailEvent } nextToken } }`;
const PUT = `mutation($input: PutInsightSelectorsInput!) { putInsightSelectors(input: $input) { trailARN } }`;

/** listInsightsData over GraphQL (spec §3.4): CloudTrail's Event shape, its error code and both permissions. */
describe('listInsightsData', () => {
  let app: TestApp;
  let token: string;
  let trailArn: string;
  let eventId: string;

  beforeAll(async () => {
    app = await startTestApp();
    token = await app.login(app.admin);
    await createTrailBucket(app, { token }, 'insights-data-logs', [app.admin.accountId]);
    trailArn = (await trailCall(app, 'createTrail', { name: 'insights-data', s3BucketName: 'insights-data-logs' }, { token })).trailARN;
    const put = await app.gql(
      PUT,
      { input: { trailName: trailArn, insightSelectors: [{ insightType: 'ApiCallRateInsight' }] } },
      { token },
    );
    expect(put.errors).toBeUndefined();
    eventId = await writeInsightEvent(
      app.services,
      { accountId: app.admin.accountId, organizationId: app.admin.organizationId },
      { eventName: 'RunInstances', insightType: 'ApiCallRateInsight', eventTime: new Date(Date.now() - 600_000) },
    );
  });
  afterAll(async () => {
    await app?.close();
  });

  it('returns the trail’s Insights events as CloudTrail Events', async () => {
    const r = await app.gql(
      LIST,
      { input: { insightSource: trailArn, dataType: 'InsightsEvents', dimensions: { eventName: 'RunInstances' } } },
      { token },
    );
    expect(r.errors).toBeUndefined();
    const { events, nextToken } = r.data!.listInsightsData;
    expect(nextToken).toBeNull();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventId,
      eventName: 'RunInstances',
      eventSource: 'ec2.amazonaws.com',
      readOnly: null,
      resources: [],
    });
    expect(JSON.parse(events[0].cloudTrailEvent)).toMatchObject({ eventCategory: 'Insight', insightDetails: { state: 'Start' } });

    const bad = await app.gql(LIST, { input: { insightSource: trailArn, dataType: 'Events' } }, { token });
    expect(bad.errors?.[0].extensions?.code).toBe('InvalidParameterException');
  });

  it('needs cloudtrail:LookupEvents for the call and cloudtrail:ListInsightsData on the trail', async () => {
    const user = await createUserSession(app, token, 'insights-data-reader');
    const input = { insightSource: trailArn, dataType: 'InsightsEvents' };
    const denied = await app.gql(LIST, { input }, { token: user.token });
    expect(denied.errors?.[0].extensions?.code).toBe('AccessDeniedException');
    expect(denied.errors?.[0].message).toContain('cloudtrail:LookupEvents');

    const grant = (Action: string[]) =>
      call(
        app,
        'putUserPolicy',
        { userName: 'insights-data-reader', policyName: 'p', policyDocument: policyJson({ Effect: 'Allow', Action, Resource: '*' }) },
        token,
      );
    await grant(['cloudtrail:LookupEvents']);
    const second = await app.gql(LIST, { input }, { token: user.token });
    expect(second.errors?.[0].extensions?.code).toBe('AccessDeniedException');
    expect(second.errors?.[0].message).toContain('cloudtrail:ListInsightsData');

    await grant(['cloudtrail:LookupEvents', 'cloudtrail:ListInsightsData']);
    const allowed = await app.gql(LIST, { input }, { token: user.token });
    expect(allowed.data!.listInsightsData.events.map((e: { eventId: string }) => e.eventId)).toEqual([eventId]);
  });
});
