import type { Services } from '../../src/app/services';
import type { RequestContext } from '../../src/common/request-context';
import type { AdvancedEventSelector } from '../../src/trails/trail.entity';
import { failsWith, startServiceHarness, type ServiceHarness } from '../helpers/service-harness';

const AAL: AdvancedEventSelector[] = [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['ActivityAuditLog'] }] }];

/** PutResourcePolicy / GetResourcePolicy / DeleteResourcePolicy (spec §8.6) and cross-account PutAuditEvents (§9.1), without HTTP. */
describe('service: resource-based policies', () => {
  let h: ServiceHarness;
  let lake: Services['lakeStorage'];
  let policies: Services['resourcePolicies'];
  let ctx: RequestContext;
  let partner: RequestContext;
  let ownerId: string;
  let partnerId: string;
  let storeArn: string;
  let channelArn: string;

  const grant = (over: Record<string, unknown> = {}) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Partner',
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws:iam::${partnerId}:root`] },
          Action: 'cloudtrail-data:PutAuditEvents',
          Resource: channelArn,
          ...over,
        },
      ],
    });
  const event = (id: string) => ({
    id,
    eventData: JSON.stringify({
      version: '1.0',
      UID: id,
      userIdentity: { type: 'CustomUserIdentity', principalId: 'partner-user' },
      eventTime: '2026-11-20T12:13:14Z',
      eventName: 'Login',
      eventSource: 'partner.example.com',
      recipientAccountId: ownerId,
    }),
  });
  const stored = async () =>
    (await h.db.pool.query(`SELECT count(*)::int AS n FROM lake_events WHERE event_data_store_id = $1`, [storeArn.split('/')[1]])).rows[0]
      .n as number;

  beforeAll(async () => {
    h = await startServiceHarness();
    lake = h.services.lakeStorage;
    policies = h.services.resourcePolicies;
    ctx = h.ctx();
    ownerId = h.admin.accountId;
    const tenant = await h.createTenant('Resource Policy Partner');
    partner = tenant.ctx();
    partnerId = tenant.credentials.accountId;
    storeArn = (await lake.stores.create(ctx, { name: 'partner-events', advancedEventSelectors: AAL, terminationProtectionEnabled: false }))
      .arn;
    channelArn = (
      await lake.channels.create(ctx, {
        name: 'partner',
        source: 'Custom',
        destinations: [{ type: 'EVENT_DATA_STORE', location: storeArn }],
      })
    ).arn;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('names resources by a CloudTrail ARN of a supported type that the caller owns', async () => {
    await failsWith(policies.get(ctx, 'not-an-arn'), 'ResourceARNNotValidException');
    await failsWith(policies.get(ctx, channelArn.split('/')[1]), 'ResourceARNNotValidException');
    await failsWith(policies.get(ctx, `arn:aws:cloudtrail:us-east-1:${ownerId}:channel/not-a-uuid`), 'ResourceARNNotValidException');
    await failsWith(policies.get(ctx, `arn:aws:cloudtrail:us-east-1:${ownerId}:trail/main`), 'ResourceTypeNotSupportedException');
    await failsWith(
      policies.put(ctx, { resourceArn: `arn:aws:cloudtrail:us-east-1:${ownerId}:trail/main`, resourcePolicy: grant() }),
      'ResourceTypeNotSupportedException',
    );
    const missing = `arn:aws:cloudtrail:us-east-1:${ownerId}:channel/00000000-0000-4000-8000-000000000000`;
    await failsWith(policies.get(ctx, missing), 'ResourceNotFoundException');
    // Another tenant's resources, and the owner's in another Region, are not found.
    await failsWith(policies.get(partner, channelArn), 'ResourceNotFoundException');
    await failsWith(policies.put(partner, { resourceArn: channelArn, resourcePolicy: grant() }), 'ResourceNotFoundException');
    await failsWith(policies.delete(partner, storeArn), 'ResourceNotFoundException');
    await failsWith(policies.get(h.ctx('eu-west-1'), storeArn), 'ResourceNotFoundException');
    // No policy yet.
    await failsWith(policies.get(ctx, channelArn), 'ResourcePolicyNotFoundException');
    await failsWith(policies.delete(ctx, storeArn), 'ResourcePolicyNotFoundException');
  });

  it('refuses policies CloudTrail would not accept, and stores nothing', async () => {
    const put = (resourcePolicy: string, resourceArn = channelArn) => policies.put(ctx, { resourceArn, resourcePolicy });
    await failsWith(put(''), 'ResourcePolicyNotValidException');
    await failsWith(put('{"Statement": ['), 'ResourcePolicyNotValidException');
    await failsWith(put(grant({ Sid: 'x'.repeat(8192) })), 'ResourcePolicyNotValidException');
    await failsWith(put(grant({ Principal: '*' })), 'ResourcePolicyNotValidException');
    await failsWith(put(grant({ Principal: { AWS: '12345' } })), 'ResourcePolicyNotValidException');
    await failsWith(put(grant({ Principal: { AWS: 'arn:aws:iam::12345:root' } })), 'ResourcePolicyNotValidException');
    await failsWith(put(grant({ Principal: { Service: 'cloudtrail.amazonaws.com' } })), 'ResourcePolicyNotValidException');
    await failsWith(put(grant({ Action: 'cloudtrail:StartQuery' })), 'ResourcePolicyNotValidException');
    await failsWith(put(grant({ Action: 'cloudtrail-data:*' })), 'ResourcePolicyNotValidException');
    await failsWith(put(grant({ Resource: storeArn })), 'ResourcePolicyNotValidException');
    await failsWith(put(grant({ Effect: 'Allow', Effect2: 'Deny' })), 'ResourcePolicyNotValidException');
    // A store's policy grants the store's actions, on the store.
    await failsWith(put(grant({ Resource: storeArn }), storeArn), 'ResourcePolicyNotValidException');
    const message = await failsWith(
      put(grant({ Principal: { AWS: `arn:aws:iam::${partnerId}:group/admins` } })),
      'ResourcePolicyNotValidException',
    );
    expect(message).toContain(`arn:aws:iam::${partnerId}:group/admins`);
    await failsWith(policies.get(ctx, channelArn), 'ResourcePolicyNotFoundException');
  });

  it('puts, gets and deletes the policy of a store and of a channel', async () => {
    const storePolicy = grant({ Action: ['cloudtrail:StartQuery', 'cloudtrail:GetQueryResults'], Resource: storeArn });
    expect(await policies.put(ctx, { resourceArn: storeArn, resourcePolicy: storePolicy })).toEqual({
      resourceArn: storeArn,
      resourcePolicy: storePolicy,
      delegatedAdminResourcePolicy: null,
    });
    expect((await policies.get(ctx, storeArn)).resourcePolicy).toBe(storePolicy);
    await policies.delete(ctx, storeArn);
    await failsWith(policies.get(ctx, storeArn), 'ResourcePolicyNotFoundException');

    await policies.put(ctx, { resourceArn: channelArn, resourcePolicy: grant() });
    const replaced = grant({ Principal: { AWS: [partnerId] } });
    await policies.put(ctx, { resourceArn: channelArn, resourcePolicy: replaced });
    expect((await policies.get(ctx, channelArn)).resourcePolicy).toBe(replaced);
    await policies.delete(ctx, channelArn);
    await failsWith(policies.get(ctx, channelArn), 'ResourcePolicyNotFoundException');
  });

  it('lets another account put audit events into a channel only as its policy says', async () => {
    const put = (externalId?: string, at = partner, arn = channelArn) =>
      lake.auditEvents.put(at, { channelArn: arn, auditEvents: [event(`e-${Math.random().toString(36).slice(2)}`)], externalId });
    const before = await stored();
    await failsWith(put(), 'ChannelInsufficientPermission');
    // A channel of the owner that does not exist answers the same.
    await failsWith(
      put(undefined, partner, `arn:aws:cloudtrail:us-east-1:${ownerId}:channel/00000000-0000-4000-8000-000000000000`),
      'ChannelInsufficientPermission',
    );

    await policies.put(ctx, {
      resourceArn: channelArn,
      resourcePolicy: grant({ Condition: { StringEquals: { 'cloudtrail:ExternalId': 'partner-42' } } }),
    });
    await failsWith(put(), 'ChannelInsufficientPermission');
    await failsWith(put('partner-43'), 'ChannelInsufficientPermission');
    const result = await put('partner-42');
    expect(result.failed).toEqual([]);
    expect(result.successful).toHaveLength(1);
    expect(await stored()).toBe(before + 1);
    // The grant is for the channel's Region and account only.
    await failsWith(put('partner-42', partner, channelArn.replace('us-east-1', 'eu-west-1')), 'ChannelInsufficientPermission');

    // A Deny wins; an account the policy does not name gets nothing.
    const third = (await h.createTenant('Resource Policy Third')).ctx();
    await failsWith(put('partner-42', third), 'ChannelInsufficientPermission');
    await policies.put(ctx, {
      resourceArn: channelArn,
      resourcePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: partnerId }, Action: 'cloudtrail-data:PutAuditEvents', Resource: channelArn },
          { Effect: 'Deny', Principal: { AWS: partnerId }, Action: 'cloudtrail-data:PutAuditEvents', Resource: channelArn },
        ],
      }),
    });
    await failsWith(put('partner-42'), 'ChannelInsufficientPermission');

    await policies.delete(ctx, channelArn);
    await failsWith(put('partner-42'), 'ChannelInsufficientPermission');
    expect(await stored()).toBe(before + 1);
    // The owner needs no policy.
    expect((await put(undefined, ctx)).successful).toHaveLength(1);
  });
});
