import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { qError } from '../helpers/lake-query';
import { type LakeSession, lakeCall, lakeEventIds, lakeFails } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

const AAL = [{ fieldSelectors: [{ field: 'eventCategory', equals: ['ActivityAuditLog'] }] }];

/**
 * Resource-based policies over GraphQL (spec §8.6, §9.1): organization A grants B's account
 * PutAuditEvents on one of its channels, and B can do that and nothing else. The policy rules are
 * service-tier tests (test/service/resource-policies.service.test.ts).
 */
describe('resource-based policies: a partner account puts audit events into a granted channel', () => {
  let app: TestApp;
  let a: LakeSession;
  let aId: string;
  let b: LakeSession;
  let bId: string;
  let storeArn: string;
  let channelArn: string;
  let otherChannelArn: string;

  const policy = (principal: string, resource = () => channelArn) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'PartnerPutAuditEvents',
          Effect: 'Allow',
          Principal: { AWS: principal },
          Action: 'cloudtrail-data:PutAuditEvents',
          Resource: resource(),
          Condition: { StringEquals: { 'cloudtrail:ExternalId': 'partner-b' } },
        },
      ],
    });
  const put = (s: LakeSession, arn: string, id: string) =>
    app.gql(
      `mutation($input: PutAuditEventsInput!) { putAuditEvents(input: $input) { successful { id eventID } failed { id errorCode } } }`,
      {
        input: {
          channelArn: arn,
          externalId: 'partner-b',
          auditEvents: [
            {
              id,
              eventData: JSON.stringify({
                version: '1.0',
                UID: id,
                userIdentity: { type: 'CustomUserIdentity', principalId: 'b-user' },
                eventTime: '2026-11-20T12:13:14Z',
                eventName: 'Login',
                eventSource: 'partner-b.example.com',
                recipientAccountId: aId,
              }),
            },
          ],
        },
      },
      { token: s.token },
    );

  beforeAll(async () => {
    app = await startTestApp();
    a = { token: await app.login(app.admin) };
    aId = app.admin.accountId;
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Partner B', 'partner-b@example.com'));
    b = { token: await app.login(credsB) };
    bId = credsB.accountId;
    storeArn = (
      await lakeCall(app, 'createEventDataStore', { name: 'partners', advancedEventSelectors: AAL, terminationProtectionEnabled: false }, a)
    ).eventDataStoreArn;
    const dest = [{ type: 'EVENT_DATA_STORE', location: storeArn }];
    channelArn = (await lakeCall(app, 'createChannel', { name: 'partner-b', source: 'PartnerB', destinations: dest }, a)).channelArn;
    otherChannelArn = (await lakeCall(app, 'createChannel', { name: 'custom', source: 'Custom', destinations: dest }, a)).channelArn;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses a policy that names a principal badly', async () => {
    await lakeFails(
      app,
      'putResourcePolicy',
      { resourceArn: channelArn, resourcePolicy: policy('partner-b') },
      a,
      'ResourcePolicyNotValidException',
    );
    await lakeFails(
      app,
      'putResourcePolicy',
      { resourceArn: channelArn, resourcePolicy: policy('*') },
      a,
      'ResourcePolicyNotValidException',
    );
    await lakeFails(app, 'getResourcePolicy', { resourceArn: channelArn }, a, 'ResourcePolicyNotFoundException');
  });

  it('without a policy, B cannot put into A’s channel', async () => {
    const result = await put(b, channelArn, 'before-grant');
    expect(result.errors?.[0]?.extensions?.code).toBe('ChannelInsufficientPermission');
  });

  it('A grants B’s account; B’s events land in A’s store', async () => {
    const granted = await lakeCall(
      app,
      'putResourcePolicy',
      { resourceArn: channelArn, resourcePolicy: policy(`arn:aws:iam::${bId}:root`) },
      a,
    );
    expect(granted).toEqual({
      resourceArn: channelArn,
      resourcePolicy: policy(`arn:aws:iam::${bId}:root`),
      delegatedAdminResourcePolicy: null,
    });
    expect((await lakeCall(app, 'getResourcePolicy', { resourceArn: channelArn }, a)).resourcePolicy).toBe(granted.resourcePolicy);

    const result = await put(b, channelArn, 'from-b');
    expect(result.errors).toBeUndefined();
    const eventID = result.data.putAuditEvents.successful[0].eventID;
    expect(await lakeEventIds(app, storeArn)).toEqual(new Set([eventID]));
    const { rows } = await app.db.pool.query(`SELECT store_account_id FROM lake_events WHERE event_id = $1`, [eventID]);
    expect(rows).toEqual([{ store_account_id: aId }]);
    expect((await lakeCall(app, 'getChannel', { channel: channelArn }, a)).ingestionStatus.latestIngestionSuccessEventID).toBe(eventID);
  });

  it('B can do nothing else with A’s resources', async () => {
    await lakeFails(app, 'getChannel', { channel: channelArn }, b, 'ChannelNotFoundException');
    await lakeFails(app, 'updateChannel', { channel: channelArn, name: 'taken' }, b, 'ChannelNotFoundException');
    await lakeFails(app, 'deleteChannel', { channel: channelArn }, b, 'ChannelNotFoundException');
    expect((await put(b, otherChannelArn, 'other-channel')).errors?.[0]?.extensions?.code).toBe('ChannelInsufficientPermission');
    await lakeFails(app, 'getEventDataStore', { eventDataStore: storeArn }, b, 'EventDataStoreNotFoundException');
    const query = await qError(app, 'startQuery', { queryStatement: `SELECT eventID FROM ${storeArn.split('/')[1]}` }, b);
    expect(query.code).toBe('EventDataStoreNotFoundException');
    await lakeFails(app, 'getResourcePolicy', { resourceArn: channelArn }, b, 'ResourceNotFoundException');
    await lakeFails(
      app,
      'putResourcePolicy',
      { resourceArn: channelArn, resourcePolicy: policy(`arn:aws:iam::${bId}:root`) },
      b,
      'ResourceNotFoundException',
    );
    await lakeFails(app, 'deleteResourcePolicy', { resourceArn: channelArn }, b, 'ResourceNotFoundException');
    expect((await lakeEventIds(app, storeArn)).size).toBe(1);
  });

  it('removing the policy revokes the grant', async () => {
    expect(await lakeCall(app, 'deleteResourcePolicy', { resourceArn: channelArn }, a)).toBe(true);
    await lakeFails(app, 'getResourcePolicy', { resourceArn: channelArn }, a, 'ResourcePolicyNotFoundException');
    expect((await put(b, channelArn, 'after-revoke')).errors?.[0]?.extensions?.code).toBe('ChannelInsufficientPermission');
    expect((await lakeEventIds(app, storeArn)).size).toBe(1);
  });
});
