import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { AwsClients, awsKeys } from '../helpers/aws-cli';
import { storedRecords } from '../helpers/events';
import { call } from '../helpers/iam-ops';
import { query } from '../helpers/lake-query';
import { type LakeSession, lakeCall, routeAll } from '../helpers/lake-store';
import { createTrailBucket, trailCall } from '../helpers/trails';
import { type GqlResult, startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

const PUT = `mutation($input: PutEventConfigurationInput!) { putEventConfiguration(input: $input) {
  trailARN eventDataStoreArn maxEventSize contextKeySelectors { type equals } aggregationConfigurations { templates eventCategory } } }`;
const GET = `query($input: GetEventConfigurationInput!) { getEventConfiguration(input: $input) {
  trailARN eventDataStoreArn maxEventSize contextKeySelectors { type equals } aggregationConfigurations { templates eventCategory } } }`;
const RECORD = 'mutation($e: [JSON!]!) { recordEvents(input: {events: $e}) { successful { id eventId } failed { id errorCode } } }';
const AAL = [{ fieldSelectors: [{ field: 'eventCategory', equals: ['ActivityAuditLog'] }] }];
const INSIGHT = [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Insight'] }] }];

/** PutEventConfiguration / GetEventConfiguration (spec §4.5) over GraphQL, and what they change in the Lake. */
describe('event configuration', () => {
  let app: TestApp;
  let admin: LakeSession;
  let other: LakeSession & { accountId: string };
  let accountId: string;

  const gql = (doc: string, input: Record<string, unknown>, s: LakeSession): Promise<GqlResult> =>
    app.gql(doc, { input }, { token: s.token, region: s.region });
  const put = async (input: Record<string, unknown>, s: LakeSession = admin) => {
    const r = await gql(PUT, input, s);
    if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
    return r.data!.putEventConfiguration;
  };
  const get = async (input: Record<string, unknown>, s: LakeSession = admin) => {
    const r = await gql(GET, input, s);
    if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
    return r.data!.getEventConfiguration;
  };
  const fails = async (doc: string, input: Record<string, unknown>, code: string, s: LakeSession = admin) => {
    const r = await gql(doc, input, s);
    expect({ code: r.errors?.[0]?.extensions?.code, data: r.data }).toEqual({ code, data: null });
    return r.errors![0].message;
  };
  const createStore = async (name: string, s: LakeSession = admin, advancedEventSelectors?: unknown) =>
    (await lakeCall(app, 'createEventDataStore', { name, terminationProtectionEnabled: false, advancedEventSelectors }, s))
      .eventDataStoreArn as string;
  const lakeRecords = async (arn: string, eventName: string) =>
    (
      await app.db.pool.query(`SELECT record FROM lake_events WHERE event_data_store_id = $1 AND event_name = $2`, [
        arn.split('/').pop(),
        eventName,
      ])
    ).rows.map((r) => r.record);

  beforeAll(async () => {
    app = await startTestApp();
    admin = { token: await app.login(app.admin) };
    accountId = app.admin.accountId;
    const creds = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Evcfg Tenant B', 'evcfg-b@example.com'));
    other = { token: await app.login(creds), accountId: creds.accountId };
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers Standard and no selectors for a new store, sets and reads them back, and audits both calls', async () => {
    const arn = await createStore('evcfg-roundtrip');
    expect(await get({ eventDataStore: arn })).toEqual({
      trailARN: null,
      eventDataStoreArn: arn,
      maxEventSize: 'Standard',
      contextKeySelectors: [],
      aggregationConfigurations: null,
    });
    const set = await put({
      eventDataStore: arn.split('/').pop(),
      maxEventSize: 'Large',
      contextKeySelectors: [
        { type: 'RequestContext', equals: ['aws:sourceip', 'AWS:PrincipalAccount'] },
        { type: 'TagContext', equals: ['team', 'Team'] },
      ],
    });
    // Condition key names are case-insensitive and come back in their canonical spelling; tag keys are kept as written.
    const selectors = [
      { type: 'RequestContext', equals: ['aws:SourceIp', 'aws:PrincipalAccount'] },
      { type: 'TagContext', equals: ['team', 'Team'] },
    ];
    expect(set).toEqual({
      trailARN: null,
      eventDataStoreArn: arn,
      maxEventSize: 'Large',
      contextKeySelectors: selectors,
      aggregationConfigurations: null,
    });
    expect(await get({ eventDataStore: arn })).toEqual(set);
    // Left out: unchanged. An empty list removes the selectors; then Standard is allowed again.
    expect((await put({ eventDataStore: arn, contextKeySelectors: [] })).maxEventSize).toBe('Large');
    expect(await put({ eventDataStore: arn, maxEventSize: 'Standard' })).toMatchObject({
      maxEventSize: 'Standard',
      contextKeySelectors: [],
    });

    const audits = await storedRecords(app, `account_id = $1 AND event_name = ANY($2)`, [
      accountId,
      ['PutEventConfiguration', 'GetEventConfiguration'],
    ]);
    const put1 = audits.find((r) => r.eventName === 'PutEventConfiguration' && r.requestParameters?.input?.maxEventSize === 'Large');
    expect(put1).toMatchObject({ eventSource: 'cloudtrail.amazonaws.com', readOnly: false, managementEvent: true });
    expect(audits.find((r) => r.eventName === 'GetEventConfiguration')).toMatchObject({ readOnly: true });
  });

  it('refuses bad input with CloudTrail error codes and changes nothing', async () => {
    const arn = await createStore('evcfg-bad-input');
    const key = (n: number) => `k${n}`;
    await fails(PUT, { eventDataStore: arn, trailName: 'x', maxEventSize: 'Large' }, 'InvalidParameterCombinationException');
    await fails(PUT, { maxEventSize: 'Large' }, 'InvalidParameterException');
    await fails(PUT, { eventDataStore: arn }, 'InvalidParameterException');
    await fails(PUT, { eventDataStore: arn, maxEventSize: 'Huge' }, 'InvalidParameterException');
    await fails(
      PUT,
      { eventDataStore: arn, maxEventSize: 'Large', aggregationConfigurations: [{ templates: ['API_ACTIVITY'], eventCategory: 'Data' }] },
      'InvalidParameterCombinationException',
    );
    const withSelectors = (contextKeySelectors: unknown, maxEventSize = 'Large') => ({
      eventDataStore: arn,
      maxEventSize,
      contextKeySelectors,
    });
    const tag = { type: 'TagContext', equals: ['team'] };
    expect(await fails(PUT, withSelectors([tag], 'Standard'), 'InvalidParameterException')).toMatch(/MaxEventSize must be Large/);
    await fails(PUT, withSelectors([tag, { type: 'RequestContext', equals: ['aws:SourceIp'] }, tag]), 'InvalidParameterException');
    await fails(PUT, withSelectors([tag, tag]), 'InvalidParameterException');
    await fails(PUT, withSelectors([{ type: 'ResourceContext', equals: ['team'] }]), 'InvalidParameterException');
    await fails(PUT, withSelectors([{ type: 'TagContext', equals: [] }]), 'InvalidParameterException');
    await fails(
      PUT,
      withSelectors([{ type: 'TagContext', equals: Array.from({ length: 51 }, (_, i) => key(i)) }]),
      'InvalidParameterException',
    );
    await fails(PUT, withSelectors([{ type: 'TagContext', equals: ['x'.repeat(129)] }]), 'InvalidParameterException');
    await fails(PUT, withSelectors([{ type: 'TagContext', equals: ['team', 'team'] }]), 'InvalidParameterException');
    expect(await fails(PUT, withSelectors([{ type: 'RequestContext', equals: ['aws:NoSuchKey'] }]), 'InvalidParameterException')).toMatch(
      /aws:PrincipalArn/,
    );
    await fails(PUT, withSelectors([{ type: 'RequestContext', equals: ['aws:PrincipalTag/team'] }]), 'InvalidParameterException');
    // 50 keys of 128 characters are within bounds.
    const most = Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(128, 'k'));
    expect((await put(withSelectors([{ type: 'TagContext', equals: most }]))).contextKeySelectors[0].equals).toHaveLength(50);
    await put({ eventDataStore: arn, contextKeySelectors: [] });
    await put({ eventDataStore: arn, maxEventSize: 'Standard' });
    // A store with selectors cannot go back to Standard while it keeps them.
    await put(withSelectors([tag]));
    await fails(PUT, { eventDataStore: arn, maxEventSize: 'Standard' }, 'InvalidParameterException');
    expect(await get({ eventDataStore: arn })).toMatchObject({
      maxEventSize: 'Large',
      contextKeySelectors: [{ type: 'TagContext', equals: ['team'] }],
    });
  });

  it('walls tenants and Regions, and checks the store category and status', async () => {
    const arn = await createStore('evcfg-walls');
    const otherArn = await createStore('evcfg-other', other);
    for (const [doc, extra] of [
      [GET, {}],
      [PUT, { maxEventSize: 'Large' }],
    ] as const) {
      await fails(doc, { eventDataStore: otherArn, ...extra }, 'EventDataStoreNotFoundException');
      await fails(doc, { eventDataStore: arn, ...extra }, 'EventDataStoreNotFoundException', other);
      await fails(doc, { eventDataStore: arn, ...extra }, 'EventDataStoreNotFoundException', { ...admin, region: 'us-west-2' });
      await fails(doc, { eventDataStore: '00000000-0000-4000-8000-000000000000', ...extra }, 'EventDataStoreNotFoundException');
    }
    expect((await get({ eventDataStore: otherArn }, other)).maxEventSize).toBe('Standard');

    const insights = await createStore('evcfg-insights', admin, INSIGHT);
    await fails(GET, { eventDataStore: insights }, 'InvalidEventDataStoreCategoryException');
    await fails(PUT, { eventDataStore: insights, maxEventSize: 'Large' }, 'InvalidEventDataStoreCategoryException');
    const integration = await createStore('evcfg-integration', admin, AAL);
    await fails(
      PUT,
      { eventDataStore: integration, maxEventSize: 'Large', contextKeySelectors: [{ type: 'TagContext', equals: ['team'] }] },
      'InvalidEventDataStoreCategoryException',
    );
    expect((await put({ eventDataStore: integration, maxEventSize: 'Large' })).maxEventSize).toBe('Large');

    await lakeCall(app, 'deleteEventDataStore', { eventDataStore: arn }, admin);
    await fails(PUT, { eventDataStore: arn, maxEventSize: 'Large' }, 'InactiveEventDataStoreException');
  });

  it('names a trail: no aggregation to show, and none to set', async () => {
    await createTrailBucket(app, admin, 'evcfg-trail-logs', [accountId]);
    const trail = await trailCall(app, 'createTrail', { name: 'evcfg-trail', s3BucketName: 'evcfg-trail-logs' }, admin);
    expect(await get({ trailName: 'evcfg-trail' })).toEqual({
      trailARN: trail.trailARN,
      eventDataStoreArn: null,
      maxEventSize: null,
      contextKeySelectors: null,
      aggregationConfigurations: [],
    });
    await fails(GET, { trailName: 'no-such-trail' }, 'TrailNotFoundException');
    await fails(PUT, { trailName: 'evcfg-trail', maxEventSize: 'Large' }, 'InvalidParameterCombinationException');
    await fails(
      PUT,
      { trailName: 'evcfg-trail', aggregationConfigurations: [{ templates: ['NOPE'], eventCategory: 'Data' }] },
      'InvalidParameterException',
    );
    await fails(
      PUT,
      { trailName: 'evcfg-trail', aggregationConfigurations: [{ templates: ['API_ACTIVITY'], eventCategory: 'Data' }] },
      'UnsupportedOperationException',
    );
    await fails(GET, { trailName: 'evcfg-trail' }, 'TrailNotFoundException', other);
  });

  it('refuses a 300 KB audit event under Standard and stores it under Large', async () => {
    const store = await createStore('evcfg-channel-store', admin, AAL);
    const channel = await lakeCall(
      app,
      'createChannel',
      { name: 'evcfg-channel', source: 'Custom', destinations: [{ type: 'EVENT_DATA_STORE', location: store }] },
      admin,
    );
    const big = (n: number) => ({ blob: 'x'.repeat(n) });
    const eventData = JSON.stringify({
      version: '1.0',
      UID: 'big-1',
      userIdentity: { type: 'CustomUserIdentity', principalId: 'alice', details: big(110 * 1024) },
      eventTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventName: 'Upload',
      eventSource: 'app.example.com',
      requestParameters: big(95 * 1024),
      responseElements: big(95 * 1024),
      recipientAccountId: accountId,
    });
    expect(eventData.length).toBeGreaterThan(300 * 1024);
    const send = (id: string) =>
      lakeCall(
        app,
        'putAuditEvents',
        {
          channelArn: channel.channelArn,
          auditEvents: [
            { id, eventData },
            {
              id: `${id}-small`,
              eventData: JSON.stringify({
                ...JSON.parse(eventData),
                userIdentity: { type: 'CustomUserIdentity', principalId: 'bob' },
                requestParameters: {},
                responseElements: {},
              }),
            },
          ],
        },
        admin,
      );
    const standard = await send('std');
    expect(standard.failed).toEqual([
      { id: 'std', errorCode: 'FieldTooLong', errorMessage: expect.stringMatching(/at most 256 KB \(MaxEventSize Standard\)/) },
    ]);
    expect(standard.successful.map((s: { id: string }) => s.id)).toEqual(['std-small']);
    const count = async () =>
      (await app.db.pool.query(`SELECT count(*)::int AS n FROM lake_events WHERE event_data_store_id = $1`, [store.split('/').pop()]))
        .rows[0].n;
    expect(await count()).toBe(1);

    await put({ eventDataStore: store, maxEventSize: 'Large' });
    const large = await send('large');
    expect(large.failed).toEqual([]);
    expect(large.successful.map((s: { id: string }) => s.id)).toEqual(['large', 'large-small']);
    expect(await count()).toBe(3);
    const stored = (await app.db.pool.query(`SELECT record FROM lake_events WHERE event_id = $1`, [large.successful[0].eventID])).rows[0]
      .record;
    expect(stored.eventData.userIdentity.details.blob).toHaveLength(110 * 1024);
  });

  it("enriches a store's events with the selected resource tags and IAM global condition keys, and a Lake query returns them", async () => {
    const enriched = await createStore('evcfg-enriched');
    const plain = await createStore('evcfg-plain');
    await put({
      eventDataStore: enriched,
      maxEventSize: 'Large',
      contextKeySelectors: [
        { type: 'TagContext', equals: ['team', 'cost-center'] },
        {
          type: 'RequestContext',
          equals: ['aws:PrincipalAccount', 'aws:SourceIp', 'aws:PrincipalType', 'aws:RequestedRegion', 'aws:TokenIssueTime'],
        },
      ],
    });
    await lakeCall(
      app,
      'addTags',
      {
        resourceId: plain,
        tagsList: [
          { key: 'team', value: 'lake' },
          { key: 'owner', value: 'ana' },
        ],
      },
      admin,
    );
    await routeAll(app);

    const [audit] = await storedRecords(app, `account_id = $1 AND event_name = 'AddTags'`, [accountId]);
    expect(audit.eventContext).toBeUndefined(); // event history keeps the record as it was
    const [record] = await lakeRecords(enriched, 'AddTags');
    expect(record.eventContext).toEqual({
      requestContext: {
        'aws:PrincipalAccount': accountId,
        'aws:SourceIp': audit.sourceIPAddress,
        'aws:PrincipalType': 'User',
        'aws:RequestedRegion': audit.awsRegion,
        // aws:TokenIssueTime: long-term keys of an IAM user have no session: left out, not invented.
      },
      // Only the selected keys of the resource the call named ('owner' is not selected).
      tagContext: { resourceTags: [{ arn: plain, tags: { team: 'lake' } }] },
    });
    const { eventContext, ...rest } = record;
    expect(rest).toEqual(audit);
    expect((await lakeRecords(plain, 'AddTags'))[0].eventContext).toBeUndefined();

    const rows = await query(app, admin, `SELECT eventID, eventContext FROM ${enriched.split('/').pop()} WHERE eventName = 'AddTags'`);
    expect(rows).toHaveLength(1);
    const cell = rows[0].find((c) => 'eventContext' in c || 'eventcontext' in c)!;
    expect(JSON.parse(Object.values(cell)[0] as string)).toEqual(eventContext);
  });

  it("enriches an organization store's events of a member account with the member's tags and its role session's keys", async () => {
    const account = await call(app, 'createAccount', { accountName: 'evcfg-member', email: 'evcfg-member@example.com' }, admin.token);
    const session = await call(
      app,
      'assumeRole',
      { roleArn: `arn:aws:iam::${account.id}:role/OrganizationAccountAccessRole`, roleSessionName: 'evcfg' },
      admin.token,
    );
    const member: LakeSession = { token: session.token };
    const org = (
      await lakeCall(
        app,
        'createEventDataStore',
        { name: 'evcfg-org', organizationEnabled: true, terminationProtectionEnabled: false },
        admin,
      )
    ).eventDataStoreArn as string;
    // A member account cannot see, so cannot configure, its organization's store.
    await fails(PUT, { eventDataStore: org, maxEventSize: 'Large' }, 'EventDataStoreNotFoundException', member);
    await put({
      eventDataStore: org,
      maxEventSize: 'Large',
      contextKeySelectors: [
        { type: 'TagContext', equals: ['team'] },
        { type: 'RequestContext', equals: ['aws:PrincipalOrgID', 'aws:PrincipalArn', 'aws:PrincipalType', 'aws:TokenIssueTime'] },
      ],
    });
    const memberStore = await createStore('evcfg-member-store', member);
    await lakeCall(app, 'addTags', { resourceId: memberStore, tagsList: [{ key: 'team', value: 'member-team' }] }, member);
    await routeAll(app);
    const [audit] = await storedRecords(app, `account_id = $1 AND event_name = 'AddTags'`, [account.id]);
    const [record] = await lakeRecords(org, 'AddTags');
    expect(record.recipientAccountId).toBe(account.id);
    expect(record.eventContext).toEqual({
      requestContext: {
        'aws:PrincipalOrgID': app.admin.organizationId,
        'aws:PrincipalArn': `arn:aws:iam::${account.id}:role/OrganizationAccountAccessRole`,
        'aws:PrincipalType': 'AssumedRole',
        'aws:TokenIssueTime': audit.userIdentity.sessionContext.attributes.creationDate,
      },
      tagContext: { resourceTags: [{ arn: memberStore, tags: { team: 'member-team' } }] },
    });
  });

  it("never shows another tenant's tags, whatever ARN a record names", async () => {
    const mine = await createStore('evcfg-tagged');
    await lakeCall(app, 'addTags', { resourceId: mine, tagsList: [{ key: 'team', value: 'secret' }] }, admin);
    const theirs = await createStore('evcfg-theirs', other);
    await put({ eventDataStore: theirs, maxEventSize: 'Large', contextKeySelectors: [{ type: 'TagContext', equals: ['team'] }] }, other);
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = await app.gql(
      RECORD,
      {
        e: [
          {
            eventVersion: '1.08',
            eventTime: now,
            eventSource: 'cloudtrail.amazonaws.com',
            eventName: 'GetEventDataStore',
            awsRegion: 'us-east-1',
            sourceIPAddress: '198.51.100.9',
            userIdentity: {
              type: 'IAMUser',
              principalId: 'AIDAX',
              arn: `arn:aws:iam::${other.accountId}:user/x`,
              accountId: other.accountId,
              userName: 'x',
            },
            requestParameters: { eventDataStore: mine },
            resources: [{ ARN: mine, accountId, type: 'AWS::CloudTrail::EventDataStore' }],
            managementEvent: true,
            readOnly: true,
            eventType: 'AwsApiCall',
          },
        ],
      },
      { token: other.token },
    );
    expect(r.data.recordEvents.failed).toEqual([]);
    await routeAll(app);
    const [record] = await lakeRecords(theirs, 'GetEventDataStore');
    expect(record.requestParameters.eventDataStore).toBe(mine);
    expect(record.eventContext).toBeUndefined();
  });

  it("answers the AWS CLI with CloudTrail's shapes and errors", async () => {
    // An account of its own: the admin account already holds the Region's 10 stores by now.
    const creds = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Evcfg CLI', 'evcfg-cli@example.com'));
    const arn = await createStore('evcfg-cli', { token: await app.login(creds) });
    const clients = new AwsClients(app.baseUrl);
    try {
      const env = awsKeys(creds.accessKeyId, creds.secretAccessKey);
      const aws = async (...args: string[]) => {
        const r = await clients.cli(['cloudtrail', ...args], env);
        return { ...r, json: r.code === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : null };
      };
      const set = await aws(
        'put-event-configuration',
        '--event-data-store',
        arn,
        '--max-event-size',
        'Large',
        '--context-key-selectors',
        JSON.stringify([{ Type: 'RequestContext', Equals: ['aws:SourceIp'] }]),
      );
      expect(set.json).toEqual({
        EventDataStoreArn: arn,
        MaxEventSize: 'Large',
        ContextKeySelectors: [{ Type: 'RequestContext', Equals: ['aws:SourceIp'] }],
      });
      expect((await aws('get-event-configuration', '--event-data-store', arn.split('/').pop()!)).json).toEqual(set.json);
      const bad = await aws('put-event-configuration', '--event-data-store', arn, '--max-event-size', 'Standard');
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/InvalidParameterException.*MaxEventSize must be Large/);
      const missing = await aws('get-event-configuration', '--event-data-store', '00000000-0000-4000-8000-000000000000');
      expect(missing.stderr).toMatch(/EventDataStoreNotFoundException/);
    } finally {
      clients.close();
    }
  });
});
