import { createHash } from 'node:crypto';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { type LakeSession, lakeCall, lakeFails } from '../helpers/lake-store';
import { storedRecords } from '../helpers/events';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

const AAL = [{ fieldSelectors: [{ field: 'eventCategory', equals: ['ActivityAuditLog'] }] }];

/**
 * Channels and PutAuditEvents over GraphQL (spec §9). The channel and audit event rules are
 * service-tier tests (test/service/channels.service.test.ts).
 */
describe('channels and putAuditEvents', () => {
  let app: TestApp;
  let owner: LakeSession;
  let ownerId: string;
  let other: LakeSession & { id: string };
  let storeArn: string;
  let store2Arn: string;
  let channelArn: string;

  const payload = (over: Record<string, unknown> = {}) => ({
    version: '1.0',
    UID: 'req-123',
    userIdentity: { type: 'CustomUserIdentity', principalId: 'alice', details: { dept: 'it' } },
    eventTime: '2026-11-20T12:13:14Z',
    eventName: 'DeleteUser',
    userAgent: 'my-app/1.0',
    eventSource: 'app.example.com',
    requestParameters: { user: 'bob' },
    responseElements: { ok: true },
    additionalEventData: {},
    sourceIPAddress: '198.51.100.7',
    recipientAccountId: ownerId,
    ...over,
  });
  const rows = async (arn: string) =>
    (await app.db.pool.query(`SELECT * FROM lake_events WHERE event_data_store_id = $1 ORDER BY event_id`, [arn.split('/')[1]])).rows;

  beforeAll(async () => {
    app = await startTestApp();
    owner = { token: await app.login(app.admin) };
    ownerId = app.admin.accountId;
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Channel B', 'channel-b@example.com'));
    other = { id: credsB.accountId, token: await app.login(credsB) };
    storeArn = (
      await lakeCall(
        app,
        'createEventDataStore',
        { name: 'integrations', advancedEventSelectors: AAL, terminationProtectionEnabled: false },
        owner,
      )
    ).eventDataStoreArn;
    store2Arn = (
      await lakeCall(
        app,
        'createEventDataStore',
        { name: 'integrations-2', advancedEventSelectors: AAL, terminationProtectionEnabled: false },
        owner,
      )
    ).eventDataStoreArn;
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('channel operations', () => {
    it('creates a Custom channel to an ActivityAuditLog store', async () => {
      const dest = (location: string) => [{ type: 'EVENT_DATA_STORE', location }];
      // The channel rules themselves are service-tier tests (test/service/channels.service.test.ts).
      await lakeFails(app, 'createChannel', { name: 'custom-app', source: 'Custom', destinations: [] }, owner, 'InvalidParameterException');
      const created = await lakeCall(
        app,
        'createChannel',
        { name: 'custom-app', source: 'Custom', destinations: dest(storeArn), tags: [{ key: 'k', value: 'v' }] },
        owner,
      );
      channelArn = created.channelArn;
      expect(created).toMatchObject({
        name: 'custom-app',
        source: 'Custom',
        destinations: dest(storeArn).map((d) => ({ ...d })),
        tags: [{ key: 'k', value: 'v' }],
      });
      expect(channelArn).toMatch(new RegExp(`^arn:aws:cloudtrail:us-east-1:${ownerId}:channel/[0-9a-f-]{36}$`));
    });

    it('gets, lists, tags and updates a channel; other tenants do not see it; a store with a channel cannot be deleted', async () => {
      const got = await lakeCall(app, 'getChannel', { channel: channelArn }, owner);
      expect(got.ingestionStatus).toEqual({
        latestIngestionSuccessTime: null,
        latestIngestionSuccessEventID: null,
        latestIngestionErrorCode: null,
        latestIngestionAttemptTime: null,
        latestIngestionAttemptEventID: null,
      });
      expect((await lakeCall(app, 'getChannel', { channel: channelArn.split('/')[1] }, owner)).channelArn).toBe(channelArn);
      expect((await lakeCall(app, 'listChannels', {}, owner)).channels).toEqual([{ channelArn, name: 'custom-app' }]);
      await lakeFails(app, 'getChannel', { channel: channelArn }, other, 'ChannelNotFoundException');
      expect((await lakeCall(app, 'listChannels', {}, other)).channels).toEqual([]);

      await lakeCall(app, 'addTags', { resourceId: channelArn, tagsList: [{ key: 'team', value: 'sec' }] }, owner);
      expect((await lakeCall(app, 'listTags', { resourceIdList: [channelArn, storeArn] }, owner)).resourceTagList).toEqual([
        {
          resourceId: channelArn,
          tagsList: [
            { key: 'k', value: 'v' },
            { key: 'team', value: 'sec' },
          ],
        },
        { resourceId: storeArn, tagsList: [] },
      ]);
      await lakeFails(app, 'addTags', { resourceId: channelArn, tagsList: [{ key: 'x' }] }, other, 'ChannelNotFoundException');

      const updated = await lakeCall(
        app,
        'updateChannel',
        {
          channel: channelArn,
          destinations: [
            { type: 'EVENT_DATA_STORE', location: storeArn },
            { type: 'EVENT_DATA_STORE', location: store2Arn },
          ],
        },
        owner,
      );
      expect(updated.destinations.map((d: any) => d.location)).toEqual([storeArn, store2Arn]);
      await lakeFails(app, 'deleteEventDataStore', { eventDataStore: store2Arn }, owner, 'ChannelExistsForEDSException');
    });
  });

  describe('putAuditEvents', () => {
    const put = (auditEvents: unknown[], s: LakeSession = owner, arn = channelArn, extra: Record<string, unknown> = {}) =>
      lakeCall(app, 'putAuditEvents', { channelArn: arn, auditEvents, ...extra }, s);

    it('stores valid events in every destination as ActivityAuditLog records and reports each event', async () => {
      const data = JSON.stringify(payload());
      const checksum = createHash('sha256').update(data).digest('base64');
      const result = await put(
        [
          { id: 'ok-1', eventData: data, eventDataChecksum: checksum },
          { id: 'ok-2', eventData: JSON.stringify(payload({ UID: 'req-2', eventTime: '2026-11-21T00:00:00' })) },
        ],
        owner,
        channelArn,
        { externalId: 'ext-123' },
      );
      expect(result.failed).toEqual([]);
      expect(result.successful.map((s: any) => s.id)).toEqual(['ok-1', 'ok-2']);
      for (const arn of [storeArn, store2Arn]) {
        const stored = await rows(arn);
        expect(stored).toHaveLength(2);
        const first = stored.find((r) => r.event_id === result.successful[0].eventID);
        expect(first).toMatchObject({
          event_category: 'ActivityAuditLog',
          event_type: 'ActivityLog',
          event_source: 'app.example.com',
          event_name: 'DeleteUser',
          store_account_id: ownerId,
          recipient_account_id: ownerId,
          aws_region: 'us-east-1',
          user_identity_type: 'CustomUserIdentity',
          user_identity_principal_id: 'alice',
          source_ip_address: '198.51.100.7',
        });
        expect(first.record).toMatchObject({
          eventCategory: 'ActivityAuditLog',
          eventType: 'ActivityLog',
          eventID: result.successful[0].eventID,
          eventTime: '2026-11-20T12:13:14Z',
          awsRegion: 'us-east-1',
          recipientAccountId: ownerId,
          metadata: { channelARN: channelArn, ingestionTime: expect.stringMatching(/Z$/) },
          eventData: JSON.parse(data),
        });
      }
      const status = (await lakeCall(app, 'getChannel', { channel: channelArn }, owner)).ingestionStatus;
      expect(status.latestIngestionSuccessEventID).toBe(result.successful[1].eventID);
      expect(status.latestIngestionSuccessTime).not.toBeNull();
    });

    it('reports refused events and refused requests with CloudTrail’s codes', async () => {
      // The per-event and per-request rules are service-tier tests (test/service/channels.service.test.ts).
      const before = (await rows(storeArn)).length;
      const result = await put([
        { id: 'bad-sum', eventData: JSON.stringify(payload({ UID: 'bad-sum' })), eventDataChecksum: 'AAAA' },
        { id: 'good', eventData: JSON.stringify(payload({ UID: 'good' })) },
      ]);
      expect(result.successful.map((s: any) => s.id)).toEqual(['good']);
      expect(result.failed).toEqual([{ id: 'bad-sum', errorCode: 'InvalidChecksum', errorMessage: expect.any(String) }]);
      expect((await rows(storeArn)).length).toBe(before + 1);
      const data = JSON.stringify(payload());
      await lakeFails(
        app,
        'putAuditEvents',
        {
          channelArn,
          auditEvents: [
            { id: 'a', eventData: data },
            { id: 'a', eventData: data },
          ],
        },
        owner,
        'DuplicatedAuditEventId',
      );
      await lakeFails(
        app,
        'putAuditEvents',
        { channelArn, auditEvents: [{ id: 'a', eventData: data }] },
        other,
        'ChannelInsufficientPermission',
      );
    });

    it('audits each call as a cloudtrail-data data event without the events’ contents', async () => {
      await put([{ id: 'audited', eventData: JSON.stringify(payload()) }]);
      const audits = await storedRecords(app, `account_id = $1 AND event_name = 'PutAuditEvents'`, [ownerId]);
      expect(audits.length).toBeGreaterThan(0);
      const rec = audits[0];
      expect(rec).toMatchObject({ eventSource: 'cloudtrail-data.amazonaws.com', eventCategory: 'Data', managementEvent: false });
      expect(JSON.stringify(rec)).not.toContain('DeleteUser');
    });

    it('deletes the channel; the store can then be deleted', async () => {
      await lakeCall(app, 'deleteChannel', { channel: channelArn }, owner);
      await lakeFails(app, 'getChannel', { channel: channelArn }, owner, 'ChannelNotFoundException');
      await lakeFails(
        app,
        'putAuditEvents',
        { channelArn, auditEvents: [{ id: 'a', eventData: JSON.stringify(payload()) }] },
        owner,
        'ChannelNotFound',
      );
      await lakeCall(app, 'deleteEventDataStore', { eventDataStore: store2Arn }, owner);
    });
  });
});
