import { createHash } from 'node:crypto';
import type { Services } from '../../src/app/services';
import type { RequestContext } from '../../src/common/request-context';
import type { AdvancedEventSelector } from '../../src/trails/trail.entity';
import { failsWith, startServiceHarness, type ServiceHarness } from '../helpers/service-harness';

const AAL: AdvancedEventSelector[] = [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['ActivityAuditLog'] }] }];

/** Channel and PutAuditEvents rules (spec §9) on the Lake storage services, without HTTP. */
describe('service: channel and putAuditEvents rules', () => {
  let h: ServiceHarness;
  let lake: Services['lakeStorage'];
  let ctx: RequestContext;
  let other: RequestContext;
  let ownerId: string;
  let otherId: string;
  let storeArn: string;
  let channelArn: string;
  const dest = (...locations: string[]) => locations.map((location) => ({ type: 'EVENT_DATA_STORE', location }));
  const payload = (over: Record<string, unknown> = {}) => ({
    version: '1.0',
    UID: 'req-123',
    userIdentity: { type: 'CustomUserIdentity', principalId: 'alice', details: { dept: 'it' } },
    eventTime: '2026-11-20T12:13:14Z',
    eventName: 'DeleteUser',
    eventSource: 'app.example.com',
    requestParameters: { user: 'bob' },
    sourceIPAddress: '198.51.100.7',
    recipientAccountId: ownerId,
    ...over,
  });
  const storedCount = async () =>
    (await h.db.pool.query(`SELECT count(*)::int AS n FROM lake_events WHERE event_data_store_id = $1`, [storeArn.split('/')[1]])).rows[0]
      .n as number;

  beforeAll(async () => {
    h = await startServiceHarness();
    lake = h.services.lakeStorage;
    ctx = h.ctx();
    ownerId = h.admin.accountId;
    const tenant = await h.createTenant('Channel Tenant B');
    other = tenant.ctx();
    otherId = tenant.credentials.accountId;
    storeArn = (await lake.stores.create(ctx, { name: 'integrations', advancedEventSelectors: AAL, terminationProtectionEnabled: false }))
      .arn;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('validates the name, source and destinations of a channel', async () => {
    const mgmtStore = (await lake.stores.create(ctx, { name: 'mgmt-events' })).arn;
    const create = (over: Record<string, unknown>, at = ctx) =>
      lake.channels.create(at, { name: 'custom-app', source: 'Custom', destinations: dest(storeArn), ...over });
    await failsWith(create({ name: 'ch' }), 'InvalidParameterException');
    await failsWith(create({ name: 'bad name!' }), 'InvalidParameterException');
    await failsWith(create({ destinations: dest(mgmtStore) }), 'InvalidEventDataStoreCategoryException');
    await failsWith(create({ destinations: dest('not-an-arn') }), 'EventDataStoreARNInvalidException');
    await failsWith(create({ destinations: [] }), 'InvalidParameterException');
    await failsWith(create({ destinations: [{ type: 'AWS_SERVICE', location: storeArn }] }), 'InvalidParameterException');
    await failsWith(create({ source: '' }), 'InvalidSourceException');
    await failsWith(create({ destinations: dest(storeArn, storeArn) }), 'InvalidParameterException');
    // Another tenant cannot target the store.
    await failsWith(create({ name: 'steal' }, other), 'EventDataStoreNotFoundException');
    expect(await lake.channels.list(ctx, {})).toEqual({ channels: [], nextToken: null });
  });

  it('allows one channel per name and per source; a store with a channel cannot be deleted', async () => {
    const created = await lake.channels.create(ctx, { name: 'custom-app', source: 'Custom', destinations: dest(storeArn) });
    channelArn = created.arn;
    expect(channelArn).toMatch(new RegExp(`^arn:aws:cloudtrail:us-east-1:${ownerId}:channel/[0-9a-f-]{36}$`));
    await failsWith(
      lake.channels.create(ctx, { name: 'custom-app', source: 'Okta', destinations: dest(storeArn) }),
      'ChannelAlreadyExistsException',
    );
    await failsWith(
      lake.channels.create(ctx, { name: 'second-custom', source: 'Custom', destinations: dest(storeArn) }),
      'ChannelAlreadyExistsException',
    );
    await failsWith(lake.stores.delete(ctx, storeArn), 'ChannelExistsForEDSException');
    await failsWith(lake.channels.update(ctx, { channel: channelArn, destinations: [] }), 'InvalidParameterException');
    expect((await lake.channels.get(ctx, channelArn)).destinations).toEqual([{ Type: 'EVENT_DATA_STORE', Location: storeArn }]);
  });

  it('hides channels from other tenants and rejects malformed references', async () => {
    await failsWith(lake.channels.get(other, channelArn), 'ChannelNotFoundException');
    await failsWith(lake.channels.delete(other, channelArn), 'ChannelNotFoundException');
    await failsWith(lake.channels.update(other, { channel: channelArn, name: 'mine-now' }), 'ChannelNotFoundException');
    expect((await lake.channels.list(other, {})).channels).toEqual([]);
    await failsWith(lake.channels.get(ctx, 'arn:aws:cloudtrail:us-east-1:1:trail/x'), 'ChannelARNInvalidException');
    // A channel lives in its Region.
    await failsWith(lake.channels.get(h.ctx('eu-west-1'), channelArn), 'ChannelNotFoundException');
    expect((await lake.channels.get(ctx, channelArn.split('/')[1])).arn).toBe(channelArn);
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
      ['recipient', JSON.stringify(payload({ recipientAccountId: otherId })), undefined],
      ['nul', JSON.stringify(payload({ requestParameters: { v: 'a\u0000b' } })), undefined],
    ];
    const before = await storedCount();
    const checksum = createHash('sha256').update(good).digest('base64');
    const result = await lake.auditEvents.put(ctx, {
      channelArn,
      auditEvents: [
        ...cases.map(([id, eventData, eventDataChecksum]) => ({ id, eventData, eventDataChecksum })),
        { id: 'good', eventData: good, eventDataChecksum: checksum },
      ],
    });
    expect(result.successful.map((s) => s.id)).toEqual(['good']);
    expect(Object.fromEntries(result.failed.map((f) => [f.id, f.errorCode]))).toEqual({
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
    expect(await storedCount()).toBe(before + 1);
    const { rows: far } = await h.db.pool.query(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
       WHERE i.inhparent = 'lake_events'::regclass AND (c.relname LIKE 'lake_events_m9999%' OR c.relname LIKE 'lake_events_m0001%')`,
    );
    expect(far).toEqual([]);
  });

  it('rejects whole requests and stores nothing of them', async () => {
    const data = JSON.stringify(payload());
    const put = (input: { channelArn?: string; auditEvents: Array<{ id: string; eventData: string }>; externalId?: string }, at = ctx) =>
      lake.auditEvents.put(at, { channelArn, ...input });
    const before = await storedCount();
    await failsWith(
      put({
        auditEvents: [
          { id: 'a', eventData: data },
          { id: 'a', eventData: data },
        ],
      }),
      'DuplicatedAuditEventId',
    );
    await failsWith(put({ auditEvents: Array.from({ length: 101 }, (_, i) => ({ id: `e${i}`, eventData: data })) }), 'ValidationException');
    await failsWith(put({ auditEvents: [] }), 'ValidationException');
    const big = JSON.stringify(payload({ additionalEventData: { v: 'x'.repeat(20_000) } }));
    await failsWith(put({ auditEvents: Array.from({ length: 60 }, (_, i) => ({ id: `b${i}`, eventData: big })) }), 'ValidationException');
    await failsWith(put({ auditEvents: [{ id: 'bad id!', eventData: data }] }), 'ValidationException');
    await failsWith(put({ channelArn: 'nope:nope', auditEvents: [{ id: 'a', eventData: data }] }), 'InvalidChannelARN');
    await failsWith(
      put({ channelArn: channelArn.replace(/[0-9a-f]{12}$/, '000000000000'), auditEvents: [{ id: 'a', eventData: data }] }),
      'ChannelNotFound',
    );
    await failsWith(put({ auditEvents: [{ id: 'a', eventData: data }], externalId: 'x' }), 'ValidationException');
    // Another account, even with a payload naming itself as recipient: no access to the channel.
    await failsWith(
      put({ auditEvents: [{ id: 'a', eventData: JSON.stringify(payload({ recipientAccountId: otherId })) }] }, other),
      'ChannelInsufficientPermission',
    );
    await failsWith(put({ channelArn: channelArn.split('/')[1], auditEvents: [{ id: 'a', eventData: data }] }, other), 'ChannelNotFound');
    expect(await storedCount()).toBe(before);
  });

  it('deletes the channel; its events are refused and the store can then be deleted', async () => {
    await lake.channels.delete(ctx, channelArn);
    await failsWith(lake.channels.get(ctx, channelArn), 'ChannelNotFoundException');
    await failsWith(
      lake.auditEvents.put(ctx, { channelArn, auditEvents: [{ id: 'a', eventData: JSON.stringify(payload()) }] }),
      'ChannelNotFound',
    );
    await lake.stores.delete(ctx, storeArn);
    expect((await lake.stores.get(ctx, storeArn)).status).toBe('PENDING_DELETION');
  });
});
