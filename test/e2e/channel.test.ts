import { createHash } from 'node:crypto';
import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { type LakeSession, lakeCall, lakeFails } from '../helpers/lake-store';
import { storedRecords } from '../helpers/events';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

const AAL = [{ fieldSelectors: [{ field: 'eventCategory', equals: ['ActivityAuditLog'] }] }];

/** Channels and PutAuditEvents (spec §9). */
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
    storeArn = (await lakeCall(app, 'createEventDataStore', { name: 'integrations', advancedEventSelectors: AAL, terminationProtectionEnabled: false }, owner)).eventDataStoreArn;
    store2Arn = (await lakeCall(app, 'createEventDataStore', { name: 'integrations-2', advancedEventSelectors: AAL, terminationProtectionEnabled: false }, owner)).eventDataStoreArn;
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('channel operations', () => {
    it('creates a Custom channel to an ActivityAuditLog store and validates destinations', async () => {
      const mgmtStore = (await lakeCall(app, 'createEventDataStore', { name: 'mgmt-events' }, owner)).eventDataStoreArn;
      const dest = (location: string) => [{ type: 'EVENT_DATA_STORE', location }];
      await lakeFails(app, 'createChannel', { name: 'ch', source: 'Custom', destinations: dest(storeArn) }, owner, 'InvalidParameterException');
      await lakeFails(app, 'createChannel', { name: 'custom-app', source: 'Custom', destinations: dest(mgmtStore) }, owner, 'InvalidEventDataStoreCategoryException');
      await lakeFails(app, 'createChannel', { name: 'custom-app', source: 'Custom', destinations: dest('not-an-arn') }, owner, 'EventDataStoreARNInvalidException');
      await lakeFails(app, 'createChannel', { name: 'custom-app', source: 'Custom', destinations: [] }, owner, 'InvalidParameterException');
      await lakeFails(app, 'createChannel', { name: 'custom-app', source: 'Custom', destinations: [{ type: 'AWS_SERVICE', location: storeArn }] }, owner, 'InvalidParameterException');
      await lakeFails(app, 'createChannel', { name: 'custom-app', source: '', destinations: dest(storeArn) }, owner, 'InvalidSourceException');
      await lakeFails(app, 'createChannel', { name: 'custom-app', source: 'Custom', destinations: [...dest(storeArn), ...dest(storeArn)] }, owner, 'InvalidParameterException');
      // Another tenant cannot target the store.
      await lakeFails(app, 'createChannel', { name: 'steal', source: 'Custom', destinations: dest(storeArn) }, other, 'EventDataStoreNotFoundException');
      const created = await lakeCall(app, 'createChannel', { name: 'custom-app', source: 'Custom', destinations: dest(storeArn), tags: [{ key: 'k', value: 'v' }] }, owner);
      channelArn = created.channelArn;
      expect(created).toMatchObject({ name: 'custom-app', source: 'Custom', destinations: dest(storeArn).map((d) => ({ ...d })), tags: [{ key: 'k', value: 'v' }] });
      expect(channelArn).toMatch(new RegExp(`^arn:aws:cloudtrail:us-east-1:${ownerId}:channel/[0-9a-f-]{36}$`));
      await lakeFails(app, 'createChannel', { name: 'custom-app', source: 'Okta', destinations: dest(storeArn) }, owner, 'ChannelAlreadyExistsException');
      await lakeFails(app, 'createChannel', { name: 'second-custom', source: 'Custom', destinations: dest(storeArn) }, owner, 'ChannelAlreadyExistsException');
    });

    it('gets, lists, updates; hides channels from other tenants; a store with a channel cannot be deleted', async () => {
      const got = await lakeCall(app, 'getChannel', { channel: channelArn }, owner);
      expect(got.ingestionStatus).toEqual({ latestIngestionSuccessTime: null, latestIngestionSuccessEventID: null, latestIngestionErrorCode: null, latestIngestionAttemptTime: null, latestIngestionAttemptEventID: null });
      expect((await lakeCall(app, 'getChannel', { channel: channelArn.split('/')[1] }, owner)).channelArn).toBe(channelArn);
      expect((await lakeCall(app, 'listChannels', {}, owner)).channels).toEqual([{ channelArn, name: 'custom-app' }]);
      await lakeFails(app, 'getChannel', { channel: channelArn }, other, 'ChannelNotFoundException');
      await lakeFails(app, 'deleteChannel', { channel: channelArn }, other, 'ChannelNotFoundException');
      await lakeFails(app, 'updateChannel', { channel: channelArn, name: 'mine-now' }, other, 'ChannelNotFoundException');
      expect((await lakeCall(app, 'listChannels', {}, other)).channels).toEqual([]);
      await lakeFails(app, 'getChannel', { channel: 'arn:aws:cloudtrail:us-east-1:1:trail/x' }, owner, 'ChannelARNInvalidException');

      await lakeCall(app, 'addTags', { resourceId: channelArn, tagsList: [{ key: 'team', value: 'sec' }] }, owner);
      expect((await lakeCall(app, 'listTags', { resourceIdList: [channelArn, storeArn] }, owner)).resourceTagList).toEqual([
        { resourceId: channelArn, tagsList: [{ key: 'k', value: 'v' }, { key: 'team', value: 'sec' }] },
        { resourceId: storeArn, tagsList: [] },
      ]);
      await lakeFails(app, 'addTags', { resourceId: channelArn, tagsList: [{ key: 'x' }] }, other, 'ChannelNotFoundException');

      const updated = await lakeCall(app, 'updateChannel', { channel: channelArn, destinations: [{ type: 'EVENT_DATA_STORE', location: storeArn }, { type: 'EVENT_DATA_STORE', location: store2Arn }] }, owner);
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
      const result = await put([
        { id: 'ok-1', eventData: data, eventDataChecksum: checksum },
        { id: 'ok-2', eventData: JSON.stringify(payload({ UID: 'req-2', eventTime: '2026-11-21T00:00:00' })) },
      ], owner, channelArn, { externalId: 'ext-123' });
      expect(result.failed).toEqual([]);
      expect(result.successful.map((s: any) => s.id)).toEqual(['ok-1', 'ok-2']);
      for (const arn of [storeArn, store2Arn]) {
        const stored = await rows(arn);
        expect(stored).toHaveLength(2);
        const first = stored.find((r) => r.event_id === result.successful[0].eventID);
        expect(first).toMatchObject({ event_category: 'ActivityAuditLog', event_type: 'ActivityLog', event_source: 'app.example.com', event_name: 'DeleteUser', store_account_id: ownerId, recipient_account_id: ownerId, aws_region: 'us-east-1', user_identity_type: 'CustomUserIdentity', user_identity_principal_id: 'alice', source_ip_address: '198.51.100.7' });
        expect(first.record).toMatchObject({
          eventCategory: 'ActivityAuditLog', eventType: 'ActivityLog', eventID: result.successful[0].eventID, eventTime: '2026-11-20T12:13:14Z', awsRegion: 'us-east-1', recipientAccountId: ownerId,
          metadata: { channelARN: channelArn, ingestionTime: expect.stringMatching(/Z$/) },
          eventData: JSON.parse(data),
        });
      }
      const status = (await lakeCall(app, 'getChannel', { channel: channelArn }, owner)).ingestionStatus;
      expect(status.latestIngestionSuccessEventID).toBe(result.successful[1].eventID);
      expect(status.latestIngestionSuccessTime).not.toBeNull();
    });

    it('fails single events with CloudTrail’s per-event codes and stores the rest', async () => {
      const good = JSON.stringify(payload({ UID: 'good' }));
      const { UID: _uid, ...noUid } = payload();
      const cases: Array<[string, string, string | undefined]> = [
        ['bad-sum', good, 'AAAA'],
        ['not-json', '{nope', undefined],
        ['array', '[]', undefined],
        ['no-uid', JSON.stringify(noUid), undefined],
        ['no-identity', JSON.stringify(payload({ userIdentity: undefined })), undefined],
        ['long-name', JSON.stringify(payload({ eventName: 'x'.repeat(1025) })), undefined],
        ['big-params', JSON.stringify(payload({ requestParameters: { v: 'x'.repeat(101 * 1024) } })), undefined],
        ['bad-time', JSON.stringify(payload({ eventTime: 'yesterday' })), undefined],
        // Far future / ancient times would each make a partition of the shared lake table.
        ['future-time', JSON.stringify(payload({ eventTime: '9999-12-31T23:59:59Z' })), undefined],
        ['ancient-time', JSON.stringify(payload({ eventTime: '0001-01-01T00:00:00Z' })), undefined],
        ['bad-ip', JSON.stringify(payload({ sourceIPAddress: 'not-an-ip' })), undefined],
        ['recipient', JSON.stringify(payload({ recipientAccountId: other.id })), undefined],
        ['nul', JSON.stringify(payload({ requestParameters: { v: 'a\u0000b' } })), undefined],
      ];
      const before = (await rows(storeArn)).length;
      const result = await put([...cases.map(([id, eventData, eventDataChecksum]) => ({ id, eventData, eventDataChecksum })), { id: 'good', eventData: good }]);
      expect(result.successful.map((s: any) => s.id)).toEqual(['good']);
      expect(Object.fromEntries(result.failed.map((f: any) => [f.id, f.errorCode]))).toEqual({
        'bad-sum': 'InvalidChecksum',
        'not-json': 'InvalidData',
        array: 'InvalidData',
        'no-uid': 'FieldNotFound',
        'no-identity': 'FieldNotFound',
        'long-name': 'FieldTooLong',
        'big-params': 'FieldTooLong',
        'bad-time': 'InvalidData',
        'future-time': 'InvalidData',
        'ancient-time': 'InvalidData',
        'bad-ip': 'InvalidData',
        recipient: 'InvalidRecipient',
        nul: 'InvalidData',
      });
      for (const f of result.failed) expect(f.errorMessage.length).toBeGreaterThan(0);
      expect((await rows(storeArn)).length).toBe(before + 1);
      const { rows: far } = await app.db.pool.query(
        `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'lake_events'::regclass AND (c.relname LIKE 'lake_events_m9999%' OR c.relname LIKE 'lake_events_m0001%')`,
      );
      expect(far).toEqual([]);
    });

    it('rejects whole requests: duplicate ids, too many events, over 1 MB, bad ARN, unknown channel, another account', async () => {
      const data = JSON.stringify(payload());
      const before = (await rows(storeArn)).length;
      await lakeFails(app, 'putAuditEvents', { channelArn, auditEvents: [{ id: 'a', eventData: data }, { id: 'a', eventData: data }] }, owner, 'DuplicatedAuditEventId');
      await lakeFails(app, 'putAuditEvents', { channelArn, auditEvents: Array.from({ length: 101 }, (_, i) => ({ id: `e${i}`, eventData: data })) }, owner, 'ValidationException');
      await lakeFails(app, 'putAuditEvents', { channelArn, auditEvents: [] }, owner, 'ValidationException');
      const big = JSON.stringify(payload({ additionalEventData: { v: 'x'.repeat(20_000) } }));
      await lakeFails(app, 'putAuditEvents', { channelArn, auditEvents: Array.from({ length: 60 }, (_, i) => ({ id: `b${i}`, eventData: big })) }, owner, 'ValidationException');
      await lakeFails(app, 'putAuditEvents', { channelArn, auditEvents: [{ id: 'bad id!', eventData: data }] }, owner, 'ValidationException');
      await lakeFails(app, 'putAuditEvents', { channelArn: 'nope:nope', auditEvents: [{ id: 'a', eventData: data }] }, owner, 'InvalidChannelARN');
      await lakeFails(app, 'putAuditEvents', { channelArn: channelArn.replace(/[0-9a-f]{12}$/, '000000000000'), auditEvents: [{ id: 'a', eventData: data }] }, owner, 'ChannelNotFound');
      await lakeFails(app, 'putAuditEvents', { channelArn, auditEvents: [{ id: 'a', eventData: data }], externalId: 'x' }, owner, 'ValidationException');
      // Another account, even with a payload naming itself as recipient: no access to the channel.
      await lakeFails(app, 'putAuditEvents', { channelArn, auditEvents: [{ id: 'a', eventData: JSON.stringify(payload({ recipientAccountId: other.id })) }] }, other, 'ChannelInsufficientPermission');
      await lakeFails(app, 'putAuditEvents', { channelArn: channelArn.split('/')[1], auditEvents: [{ id: 'a', eventData: data }] }, other, 'ChannelNotFound');
      expect((await rows(storeArn)).length).toBe(before);
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
      await lakeFails(app, 'putAuditEvents', { channelArn, auditEvents: [{ id: 'a', eventData: JSON.stringify(payload()) }] }, owner, 'ChannelNotFound');
      await lakeCall(app, 'deleteEventDataStore', { eventDataStore: store2Arn }, owner);
    });
  });
});
