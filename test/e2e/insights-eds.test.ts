import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { insertBucket } from '../helpers/delivery';
import { call, createUserSession, policyJson } from '../helpers/iam-ops';
import { LAKE_OPS, type LakeSession, lakeCall } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';
import { createObjectStore } from '../../src/storage/object-store-factory';

jest.setTimeout(120_000);

const PUT = `mutation($input: PutInsightSelectorsInput!) { putInsightSelectors(input: $input) {
  trailARN eventDataStoreArn insightsDestination insightSelectors { insightType eventCategories } } }`;
const GET = `query($input: GetInsightSelectorsInput!) { getInsightSelectors(input: $input) {
  trailARN eventDataStoreArn insightsDestination insightSelectors { insightType eventCategories } } }`;
const CREATE_TRAIL = `mutation($input: CreateTrailInput!) { createTrail(input: $input) { trailARN } }`;
const INSIGHT_SELECTORS = [{ name: 'Insights events', fieldSelectors: [{ field: 'eventCategory', equals: ['Insight'] }] }];
const CALL_RATE = [{ insightType: 'ApiCallRateInsight' }];

/** PutInsightSelectors / GetInsightSelectors on event data stores (spec §4.7, §10 "EDS Insights"). */
describe('Insights on event data stores: the API', () => {
  let app: TestApp;
  let mgmt: LakeSession;
  let other: LakeSession;
  let member: LakeSession & { id: string };

  async function put(input: Record<string, unknown>, s: LakeSession = mgmt): Promise<any> {
    const r = await app.gql(PUT, { input }, { token: s.token, region: s.region });
    if (r.errors?.length) throw new Error(`putInsightSelectors failed: ${JSON.stringify(r.errors)}`);
    return r.data!.putInsightSelectors;
  }
  async function get(input: Record<string, unknown>, s: LakeSession = mgmt): Promise<any> {
    const r = await app.gql(GET, { input }, { token: s.token, region: s.region });
    if (r.errors?.length) throw new Error(`getInsightSelectors failed: ${JSON.stringify(r.errors)}`);
    return r.data!.getInsightSelectors;
  }
  async function fails(doc: string, input: Record<string, unknown>, code: string, s: LakeSession = mgmt): Promise<string> {
    const r = await app.gql(doc, { input }, { token: s.token, region: s.region });
    const error = r.errors?.[0];
    expect({ code: error?.extensions?.code, input }).toEqual({ code, input });
    return error!.message;
  }
  const store = (name: string, extra: Record<string, unknown> = {}, s: LakeSession = mgmt) =>
    lakeCall(app, 'createEventDataStore', { name, terminationProtectionEnabled: false, ...extra }, s).then(
      (r) => r.eventDataStoreArn as string,
    );
  const storeCount = async (arn: string) => {
    const { rows } = await app.db.pool.query(`SELECT insight_selectors, insights_destination_id FROM event_data_stores WHERE arn = $1`, [
      arn,
    ]);
    return rows[0];
  };

  beforeAll(async () => {
    app = await startTestApp();
    mgmt = { token: await app.login(app.admin) };
    const account = await call(app, 'createAccount', { accountName: 'eds-member', email: 'eds-member@example.com' }, mgmt.token);
    const session = await call(
      app,
      'assumeRole',
      { roleArn: `arn:aws:iam::${account.id}:role/OrganizationAccountAccessRole`, roleSessionName: 'setup' },
      mgmt.token,
    );
    member = { id: account.id, token: session.token };
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'eds-b@example.com'));
    other = { token: await app.login(credsB) };
  });
  afterAll(async () => {
    await app?.close();
  });

  it('enables Insights on a source store with an Insight destination store, reads them back, and an empty list disables them', async () => {
    const source = await store('source');
    const destination = await store('insights', { advancedEventSelectors: INSIGHT_SELECTORS });
    const notEnabled = await fails(GET, { eventDataStore: source }, 'InsightNotEnabledException');
    expect(notEnabled).toContain(source);

    const put1 = await put({
      eventDataStore: source,
      insightsDestination: destination,
      insightSelectors: [{ insightType: 'ApiCallRateInsight' }, { insightType: 'ApiErrorRateInsight' }],
    });
    expect(put1).toEqual({
      trailARN: null,
      eventDataStoreArn: source,
      insightsDestination: destination,
      insightSelectors: [
        { insightType: 'ApiCallRateInsight', eventCategories: null },
        { insightType: 'ApiErrorRateInsight', eventCategories: null },
      ],
    });
    // The ID suffixes name the stores too.
    expect(await get({ eventDataStore: source.split('/')[1] })).toEqual(put1);
    const put2 = await put({
      eventDataStore: source.split('/')[1],
      insightsDestination: destination.split('/')[1],
      insightSelectors: [{ insightType: 'ApiErrorRateInsight', eventCategories: ['Management'] }],
    });
    expect(put2.insightSelectors).toEqual([{ insightType: 'ApiErrorRateInsight', eventCategories: ['Management'] }]);
    expect(await get({ eventDataStore: source })).toEqual(put2);

    expect(await put({ eventDataStore: source, insightSelectors: [] })).toEqual({
      trailARN: null,
      eventDataStoreArn: source,
      insightsDestination: null,
      insightSelectors: [],
    });
    await fails(GET, { eventDataStore: source }, 'InsightNotEnabledException');
    expect(await storeCount(source)).toEqual({ insight_selectors: null, insights_destination_id: null });
  });

  it('rejects a trail together with a store, neither, and insightsDestination on a trail', async () => {
    const source = await store('combo-source');
    const destination = await store('combo-insights', { advancedEventSelectors: INSIGHT_SELECTORS });
    await fails(
      PUT,
      { trailName: 't', eventDataStore: source, insightsDestination: destination, insightSelectors: CALL_RATE },
      'InvalidParameterCombinationException',
    );
    await fails(GET, { trailName: 't', eventDataStore: source }, 'InvalidParameterCombinationException');
    await fails(PUT, { insightSelectors: CALL_RATE }, 'InvalidParameterException');
    await fails(GET, {}, 'InvalidParameterException');
    await insertBucket(app.db, createObjectStore(app.config), app.admin.accountId, 'eds-insights-bucket');
    await app.gql(CREATE_TRAIL, { input: { name: 'combo', s3BucketName: 'eds-insights-bucket' } }, { token: mgmt.token });
    await fails(
      PUT,
      { trailName: 'combo', insightsDestination: destination, insightSelectors: CALL_RATE },
      'InvalidParameterCombinationException',
    );
    // A trail answers as before, with no store fields.
    expect(await put({ trailName: 'combo', insightSelectors: CALL_RATE })).toMatchObject({
      eventDataStoreArn: null,
      insightsDestination: null,
      insightSelectors: [{ insightType: 'ApiCallRateInsight' }],
    });
    expect(await storeCount(source)).toEqual({ insight_selectors: null, insights_destination_id: null });
  });

  it("enforces CloudTrail's prerequisites on the source and the destination, changing nothing on failure", async () => {
    const source = await store('pre-source');
    const destination = await store('pre-insights', { advancedEventSelectors: INSIGHT_SELECTORS });
    const reads = await store('pre-reads', {
      advancedEventSelectors: [
        {
          name: 'reads',
          fieldSelectors: [
            { field: 'eventCategory', equals: ['Management'] },
            { field: 'readOnly', equals: ['true'] },
          ],
        },
      ],
    });
    const data = await store('pre-data', {
      advancedEventSelectors: [
        {
          name: 'data',
          fieldSelectors: [
            { field: 'eventCategory', equals: ['Data'] },
            { field: 'resources.type', equals: ['AWS::S3::Object'] },
          ],
        },
      ],
    });
    const anotherManagement = await store('pre-management');
    // A destination is required, and must collect Insight events.
    await fails(PUT, { eventDataStore: source, insightSelectors: CALL_RATE }, 'InvalidParameterException');
    expect(
      await fails(
        PUT,
        { eventDataStore: source, insightsDestination: anotherManagement, insightSelectors: CALL_RATE },
        'InvalidParameterException',
      ),
    ).toMatch(/Insight/);
    // The source must be a store of management events: not the Insight store, not a data store.
    await fails(
      PUT,
      { eventDataStore: destination, insightsDestination: destination, insightSelectors: CALL_RATE },
      'InvalidInsightSelectorsException',
    );
    await fails(
      PUT,
      { eventDataStore: data, insightsDestination: destination, insightSelectors: CALL_RATE },
      'InvalidInsightSelectorsException',
    );
    // Call rate needs write management events; error rate read or write.
    expect(
      await fails(
        PUT,
        { eventDataStore: reads, insightsDestination: destination, insightSelectors: CALL_RATE },
        'InvalidInsightSelectorsException',
      ),
    ).toMatch(/write management events/);
    expect(
      (await put({ eventDataStore: reads, insightsDestination: destination, insightSelectors: [{ insightType: 'ApiErrorRateInsight' }] }))
        .insightsDestination,
    ).toBe(destination);
    // Management events only; valid types, once each.
    await fails(
      PUT,
      {
        eventDataStore: source,
        insightsDestination: destination,
        insightSelectors: [{ insightType: 'ApiCallRateInsight', eventCategories: ['Data'] }],
      },
      'InvalidInsightSelectorsException',
    );
    await fails(
      PUT,
      { eventDataStore: source, insightsDestination: destination, insightSelectors: [{ insightType: 'ApiLatencyInsight' }] },
      'InvalidInsightSelectorsException',
    );
    await fails(
      PUT,
      { eventDataStore: source, insightsDestination: destination, insightSelectors: [...CALL_RATE, ...CALL_RATE] },
      'InvalidInsightSelectorsException',
    );
    // Malformed or unknown stores.
    await fails(
      PUT,
      { eventDataStore: 'not a store', insightsDestination: destination, insightSelectors: CALL_RATE },
      'EventDataStoreARNInvalidException',
    );
    await fails(
      PUT,
      { eventDataStore: source, insightsDestination: '00000000-0000-4000-8000-000000000000', insightSelectors: CALL_RATE },
      'EventDataStoreNotFoundException',
    );
    await fails(GET, { eventDataStore: '00000000-0000-4000-8000-000000000000' }, 'EventDataStoreNotFoundException');
    expect(await storeCount(source)).toEqual({ insight_selectors: null, insights_destination_id: null });
  });

  it('refuses stores pending deletion, as source or destination', async () => {
    const s = { ...mgmt, region: 'us-west-2' };
    const source = await store('del-source', {}, s);
    const destination = await store('del-insights', { advancedEventSelectors: INSIGHT_SELECTORS }, s);
    const doomedSource = await store('del-source-2', {}, s);
    const doomedDestination = await store('del-insights-2', { advancedEventSelectors: INSIGHT_SELECTORS }, s);
    await lakeCall(app, 'deleteEventDataStore', { eventDataStore: doomedSource }, s);
    await lakeCall(app, 'deleteEventDataStore', { eventDataStore: doomedDestination }, s);
    await fails(
      PUT,
      { eventDataStore: doomedSource, insightsDestination: destination, insightSelectors: CALL_RATE },
      'InactiveEventDataStoreException',
      s,
    );
    await fails(
      PUT,
      { eventDataStore: source, insightsDestination: doomedDestination, insightSelectors: CALL_RATE },
      'InactiveEventDataStoreException',
      s,
    );
    expect(await storeCount(source)).toEqual({ insight_selectors: null, insights_destination_id: null });
  });

  it('keeps source and destination in one account: other accounts and tenants see nothing and cannot pair', async () => {
    const s = { ...mgmt, region: 'eu-west-1' };
    const o = { ...other, region: 'eu-west-1' };
    const mb = { ...member, region: 'eu-west-1' };
    const source = await store('iso-source', {}, s);
    const destination = await store('iso-insights', { advancedEventSelectors: INSIGHT_SELECTORS }, s);
    // Another tenant's Insight store, and a member account's, are not usable destinations.
    const foreign = await store('foreign-insights', { advancedEventSelectors: INSIGHT_SELECTORS }, o);
    const memberDestination = await store('member-insights', { advancedEventSelectors: INSIGHT_SELECTORS }, mb);
    await fails(
      PUT,
      { eventDataStore: source, insightsDestination: foreign, insightSelectors: CALL_RATE },
      'EventDataStoreNotFoundException',
      s,
    );
    await fails(
      PUT,
      { eventDataStore: source, insightsDestination: memberDestination, insightSelectors: CALL_RATE },
      'EventDataStoreNotFoundException',
      s,
    );
    await put({ eventDataStore: source, insightsDestination: destination, insightSelectors: CALL_RATE }, s);
    // The other tenant and the member cannot read or change the source's Insights (by ID, so the
    // authorization resource is their own account's and the service decides).
    const id = source.split('/')[1];
    await fails(GET, { eventDataStore: id }, 'EventDataStoreNotFoundException', o);
    await fails(PUT, { eventDataStore: id, insightSelectors: [] }, 'EventDataStoreNotFoundException', o);
    await fails(GET, { eventDataStore: id }, 'EventDataStoreNotFoundException', mb);
    // By ARN, authorization already refuses a resource of another account.
    const byArn = await app.gql(GET, { input: { eventDataStore: source } }, { token: o.token, region: o.region });
    expect(['AccessDeniedException', 'EventDataStoreNotFoundException']).toContain(byArn.errors?.[0]?.extensions?.code);
    expect((await get({ eventDataStore: source }, s)).insightsDestination).toBe(destination);
  });

  it('updateEventDataStore keeps the prerequisites of a source with Insights', async () => {
    const s = { ...mgmt, region: 'ap-south-1' };
    const source = await store('upd-source', {}, s);
    const destination = await store('upd-insights', { advancedEventSelectors: INSIGHT_SELECTORS }, s);
    await put({ eventDataStore: source, insightsDestination: destination, insightSelectors: CALL_RATE }, s);
    const readsOnly = [
      {
        name: 'reads',
        fieldSelectors: [
          { field: 'eventCategory', equals: ['Management'] },
          { field: 'readOnly', equals: ['true'] },
        ],
      },
    ];
    const r = await app.gql(
      LAKE_OPS.updateEventDataStore,
      { input: { eventDataStore: source, advancedEventSelectors: readsOnly } },
      { token: s.token, region: s.region },
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('InvalidInsightSelectorsException');
    // Writes still logged: allowed.
    const writes = [
      {
        name: 'writes',
        fieldSelectors: [
          { field: 'eventCategory', equals: ['Management'] },
          { field: 'readOnly', equals: ['false'] },
        ],
      },
    ];
    await lakeCall(app, 'updateEventDataStore', { eventDataStore: source, advancedEventSelectors: writes }, s);
    expect((await get({ eventDataStore: source }, s)).insightsDestination).toBe(destination);
  });

  it('authorizes against the source store ARN: a user allowed on trails only is denied, one allowed on the store is not', async () => {
    const s = { ...mgmt, region: 'ap-northeast-1' };
    const source = await store('authz-source', {}, s);
    const destination = await store('authz-insights', { advancedEventSelectors: INSIGHT_SELECTORS }, s);
    const actions = ['cloudtrail:PutInsightSelectors', 'cloudtrail:GetInsightSelectors'];
    const trailsOnly = await createUserSession(app, mgmt.token, 'insights-trails-only');
    await call(
      app,
      'putUserPolicy',
      {
        userName: 'insights-trails-only',
        policyName: 'p',
        policyDocument: policyJson({ Effect: 'Allow', Action: actions, Resource: `arn:aws:cloudtrail:*:${app.admin.accountId}:trail/*` }),
      },
      mgmt.token,
    );
    const storesOnly = await createUserSession(app, mgmt.token, 'insights-stores-only');
    await call(
      app,
      'putUserPolicy',
      {
        userName: 'insights-stores-only',
        policyName: 'p',
        policyDocument: policyJson({ Effect: 'Allow', Action: actions, Resource: source }),
      },
      mgmt.token,
    );
    const input = { eventDataStore: source, insightsDestination: destination, insightSelectors: CALL_RATE };
    const denied = await app.gql(PUT, { input }, { token: trailsOnly.token, region: s.region });
    expect(denied.errors?.[0]?.extensions?.code).toMatch(/^AccessDenied/);
    await fails(GET, { eventDataStore: source }, 'InsightNotEnabledException', s);
    expect((await put(input, { token: storesOnly.token, region: s.region })).insightsDestination).toBe(destination);
    expect((await get({ eventDataStore: source }, { token: storesOnly.token, region: s.region })).eventDataStoreArn).toBe(source);
    const deniedGet = await app.gql(GET, { input: { eventDataStore: source } }, { token: trailsOnly.token, region: s.region });
    expect(deniedGet.errors?.[0]?.extensions?.code).toMatch(/^AccessDenied/);
  });
});
