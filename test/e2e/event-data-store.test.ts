import { createOrganizationWithAdmin } from '../../src/organizations/organization-bootstrap';
import { LakeEventRouter } from '../../src/lake/lake-event.router';
import { call } from '../helpers/iam-ops';
import { kms } from '../helpers/kms';
import { sampleEvent } from '../helpers/events';
import { recordAs } from '../helpers/delivery';
import { type LakeSession, lakeCall, lakeEventIds, lakeFails, routeAll, storeKeyPolicy } from '../helpers/lake-store';
import { startTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(120_000);

/**
 * Event data stores over GraphQL (spec §8.1, §11.2): contract shapes, lifecycle operations, isolation,
 * organizations and aggregation. The settings and status rules are service-tier tests
 * (test/service/event-data-store.service.test.ts).
 */
describe('event data stores', () => {
  let app: TestApp;
  let mgmt: LakeSession;
  let mgmtId: string;
  let orgId: string;
  let member: LakeSession & { id: string };
  let admin2: LakeSession & { id: string };
  let other: LakeSession & { id: string; orgId: string };
  const region = 'us-east-1';

  async function createMember(name: string): Promise<LakeSession & { id: string }> {
    const account = await call(app, 'createAccount', { accountName: name, email: `${name}@example.com` }, mgmt.token);
    const session = await call(
      app,
      'assumeRole',
      { roleArn: `arn:aws:iam::${account.id}:role/OrganizationAccountAccessRole`, roleSessionName: 'setup' },
      mgmt.token,
    );
    return { id: account.id, token: session.token };
  }

  beforeAll(async () => {
    app = await startTestApp();
    mgmt = { token: await app.login(app.admin) };
    mgmtId = app.admin.accountId;
    orgId = app.admin.organizationId;
    member = await createMember('lake-member');
    admin2 = await createMember('lake-admin');
    await call(app, 'registerOrganizationDelegatedAdmin', { memberAccountId: admin2.id }, mgmt.token);
    const credsB = await app.db.dataSource.transaction((m) => createOrganizationWithAdmin(m, 'Tenant B', 'lake-b@example.com'));
    other = { id: credsB.accountId, orgId: credsB.organizationId, token: await app.login(credsB) };
  });
  afterAll(async () => {
    await app?.close();
  });

  const event = (over: Record<string, unknown> = {}) => sampleEvent(over);

  describe('settings and validation', () => {
    it('creates a store with the contract shape; a refused one answers with its CloudTrail code', async () => {
      // The settings rules themselves are service-tier tests (test/service/event-data-store.service.test.ts).
      const msg = await lakeFails(
        app,
        'createEventDataStore',
        { name: 's', retentionPeriod: 30, multiRegionEnabled: true, terminationProtectionEnabled: false },
        mgmt,
        'InvalidParameterException',
      );
      expect(msg).toMatch(/3 to 128/);
      const created = await lakeCall(
        app,
        'createEventDataStore',
        { name: 's01', retentionPeriod: 30, multiRegionEnabled: true, terminationProtectionEnabled: false },
        mgmt,
      );
      expect(created).toMatchObject({
        name: 's01',
        status: 'CREATED',
        retentionPeriod: 30,
        multiRegionEnabled: true,
        terminationProtectionEnabled: false,
      });
      expect(created.eventDataStoreArn).toMatch(new RegExp(`^arn:aws:cloudtrail:${region}:${mgmtId}:eventdatastore/[0-9a-f-]{36}$`));
      const got = await lakeCall(app, 'getEventDataStore', { eventDataStore: created.eventDataStoreArn }, mgmt);
      expect(got.status).toBe('ENABLED');
      // The ID suffix names the store too.
      const byId = await lakeCall(app, 'getEventDataStore', { eventDataStore: created.eventDataStoreArn.split('/')[1] }, mgmt);
      expect(byId.eventDataStoreArn).toBe(created.eventDataStoreArn);
    });

    it('applies CloudTrail defaults', async () => {
      const s = await lakeCall(app, 'createEventDataStore', { name: 'defaults', tagsList: [{ key: 'team', value: 'sec' }] }, mgmt);
      expect(s).toMatchObject({
        terminationProtectionEnabled: true,
        multiRegionEnabled: true,
        organizationEnabled: false,
        retentionPeriod: 366,
        billingMode: 'EXTENDABLE_RETENTION_PRICING',
        federationStatus: 'DISABLED',
        kmsKeyId: null,
        tagsList: [{ key: 'team', value: 'sec' }],
      });
      expect(s.advancedEventSelectors).toEqual([
        {
          name: 'Default management events',
          fieldSelectors: [{ field: 'eventCategory', equals: ['Management'], notEquals: null, startsWith: null }],
        },
      ]);
      const fixed = await lakeCall(app, 'createEventDataStore', { name: 'fixed', billingMode: 'FIXED_RETENTION_PRICING' }, mgmt);
      expect(fixed.retentionPeriod).toBe(2557);
    });

    it('keys a store with a KMS key of the management account, also when a delegated administrator creates it (spec §7)', async () => {
      // The key checks themselves are service-tier tests.
      const good = (await kms(app, 'createKey', { policy: storeKeyPolicy(mgmtId) }, mgmt.token)).keyMetadata;
      const created = await lakeCall(
        app,
        'createEventDataStore',
        { name: 'keyed', kmsKeyId: good.keyId, terminationProtectionEnabled: false },
        mgmt,
      );
      expect(created.kmsKeyId).toBe(good.arn);
      await lakeFails(
        app,
        'createEventDataStore',
        { name: 'nokey', kmsKeyId: '11111111-2222-3333-4444-555555555555' },
        mgmt,
        'KmsKeyNotFoundException',
      );

      // An organization store's key belongs to the management account, also when a delegated
      // administrator creates it: the admin's own key is refused, the management account's accepted.
      const adminKey = (await kms(app, 'createKey', { policy: storeKeyPolicy(admin2.id) }, admin2.token)).keyMetadata;
      await lakeFails(
        app,
        'createEventDataStore',
        { name: 'orgadminkey', organizationEnabled: true, kmsKeyId: adminKey.arn },
        admin2,
        'InvalidParameterException',
      );
      const org = await lakeCall(
        app,
        'createEventDataStore',
        { name: 'orgkey', organizationEnabled: true, kmsKeyId: good.arn, terminationProtectionEnabled: false },
        admin2,
      );
      expect(org).toMatchObject({ organizationEnabled: true, kmsKeyId: good.arn });
      expect(org.eventDataStoreArn).toContain(`:${mgmtId}:`);
    });

    it('a disabled key stops ingestion and queries; enabling it again resumes both (spec §7)', async () => {
      // Another Region, so this store does not count against the us-east-1 quota.
      const west = 'eu-west-1';
      const session = { ...mgmt, region: west };
      const key = (await kms(app, 'createKey', { policy: storeKeyPolicy(mgmtId) }, mgmt.token, west)).keyMetadata;
      const store = await lakeCall(
        app,
        'createEventDataStore',
        { name: 'sealed-lake', kmsKeyId: key.arn, terminationProtectionEnabled: false },
        session,
      );
      const storeId = store.eventDataStoreArn.split('/').pop();
      const record = async () => {
        const e = sampleEvent({ awsRegion: west });
        await recordAs(app.services, mgmtId, orgId, [e]);
        await routeAll(app);
        return e.eventID as string;
      };
      const startQuery = () =>
        app.gql(
          `mutation($input: StartQueryInput!) { startQuery(input: $input) { queryId } }`,
          { input: { queryStatement: `SELECT eventID FROM ${storeId}` } },
          { token: mgmt.token, region: west },
        );
      const before = await record();
      expect((await lakeEventIds(app, store.eventDataStoreArn)).has(before)).toBe(true);

      await kms(app, 'disableKey', { keyId: key.keyId }, mgmt.token, west);
      const during = await record();
      expect((await lakeEventIds(app, store.eventDataStoreArn)).has(during)).toBe(false);
      expect((await startQuery()).errors?.[0].extensions?.code).toBe('KmsException');

      await kms(app, 'enableKey', { keyId: key.keyId }, mgmt.token, west);
      const after = await record();
      expect((await lakeEventIds(app, store.eventDataStoreArn)).has(after)).toBe(true);
      expect((await startQuery()).errors).toBeUndefined();
    });

    afterAll(async () => {
      // Make room for the other tests (stores are plain rows; only lake_events is append-only).
      await app.db.pool.query(`DELETE FROM event_data_stores`);
    });
  });

  describe('status lifecycle', () => {
    it('stops, starts, deletes and restores a store', async () => {
      // The status rules in between are service-tier tests.
      const s = await lakeCall(app, 'createEventDataStore', { name: 'life' }, mgmt);
      const ref = { eventDataStore: s.eventDataStoreArn };
      expect(await lakeCall(app, 'stopEventDataStoreIngestion', ref, mgmt)).toBe(true);
      expect((await lakeCall(app, 'getEventDataStore', ref, mgmt)).status).toBe('STOPPED_INGESTION');
      await lakeFails(app, 'stopEventDataStoreIngestion', ref, mgmt, 'InvalidEventDataStoreStatusException');
      expect(await lakeCall(app, 'startEventDataStoreIngestion', ref, mgmt)).toBe(true);
      await lakeFails(app, 'deleteEventDataStore', ref, mgmt, 'EventDataStoreTerminationProtectedException');
      await lakeCall(app, 'updateEventDataStore', { ...ref, terminationProtectionEnabled: false }, mgmt);
      expect(await lakeCall(app, 'deleteEventDataStore', ref, mgmt)).toBe(true);
      expect((await lakeCall(app, 'getEventDataStore', ref, mgmt)).status).toBe('PENDING_DELETION');
      const restored = await lakeCall(app, 'restoreEventDataStore', ref, mgmt);
      expect(restored.status).toBe('ENABLED');
    });

    it('tags a store with addTags/removeTags/listTags (owner only; not while pending deletion)', async () => {
      const arn = (
        await lakeCall(
          app,
          'createEventDataStore',
          { name: 'tagged', terminationProtectionEnabled: false, tagsList: [{ key: 'a', value: '1' }] },
          mgmt,
        )
      ).eventDataStoreArn;
      await lakeCall(
        app,
        'addTags',
        {
          resourceId: arn,
          tagsList: [
            { key: 'b', value: '2' },
            { key: 'a', value: 'one' },
          ],
        },
        mgmt,
      );
      await lakeCall(app, 'removeTags', { resourceId: arn, tagsList: [{ key: 'b' }] }, mgmt);
      const listed = await lakeCall(app, 'listTags', { resourceIdList: [arn] }, mgmt);
      expect(listed.resourceTagList).toEqual([{ resourceId: arn, tagsList: [{ key: 'a', value: 'one' }] }]);
      await lakeFails(
        app,
        'addTags',
        { resourceId: arn, tagsList: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}` })) },
        mgmt,
        'TagsLimitExceededException',
      );
      await lakeFails(app, 'addTags', { resourceId: arn, tagsList: [{ key: 'x' }] }, other, 'EventDataStoreNotFoundException');
      await lakeFails(app, 'listTags', { resourceIdList: [arn] }, other, 'EventDataStoreNotFoundException');
      await lakeCall(app, 'deleteEventDataStore', { eventDataStore: arn }, mgmt);
      await lakeFails(app, 'addTags', { resourceId: arn, tagsList: [{ key: 'x' }] }, mgmt, 'InactiveEventDataStoreException');
      await app.db.pool.query(`DELETE FROM event_data_stores WHERE arn = $1`, [arn]);
    });
  });

  describe('tenant isolation and organizations', () => {
    let ownArn: string;
    let orgArn: string;

    beforeAll(async () => {
      ownArn = (await lakeCall(app, 'createEventDataStore', { name: 'iso-own', terminationProtectionEnabled: false }, mgmt))
        .eventDataStoreArn;
    });

    it('hides a store from another organization and from a plain member account', async () => {
      for (const who of [other, member]) {
        await lakeFails(app, 'getEventDataStore', { eventDataStore: ownArn }, who, 'EventDataStoreNotFoundException');
        await lakeFails(
          app,
          'updateEventDataStore',
          { eventDataStore: ownArn, retentionPeriod: 9 },
          who,
          'EventDataStoreNotFoundException',
        );
        await lakeFails(app, 'deleteEventDataStore', { eventDataStore: ownArn }, who, 'EventDataStoreNotFoundException');
        await lakeFails(app, 'stopEventDataStoreIngestion', { eventDataStore: ownArn }, who, 'EventDataStoreNotFoundException');
        const listed = await lakeCall(app, 'listEventDataStores', {}, who);
        expect(listed.eventDataStores.map((s: any) => s.eventDataStoreArn)).not.toContain(ownArn);
      }
      expect((await lakeCall(app, 'getEventDataStore', { eventDataStore: ownArn }, mgmt)).name).toBe('iso-own');
    });

    it('lets only the management account or a delegated administrator create organization stores, owned by the management account', async () => {
      await lakeFails(
        app,
        'createEventDataStore',
        { name: 'member-org', organizationEnabled: true },
        member,
        'NotOrganizationMasterAccountException',
      );
      const s = await lakeCall(
        app,
        'createEventDataStore',
        { name: 'org-store', organizationEnabled: true, terminationProtectionEnabled: false },
        admin2,
      );
      orgArn = s.eventDataStoreArn;
      expect(orgArn).toContain(`:${mgmtId}:eventdatastore/`);
      expect(s.organizationEnabled).toBe(true);
      // The delegated administrator manages it; a member cannot see it; only the management account converts it.
      expect((await lakeCall(app, 'updateEventDataStore', { eventDataStore: orgArn, retentionPeriod: 400 }, admin2)).retentionPeriod).toBe(
        400,
      );
      await lakeFails(app, 'getEventDataStore', { eventDataStore: orgArn }, member, 'EventDataStoreNotFoundException');
      await lakeFails(
        app,
        'updateEventDataStore',
        { eventDataStore: orgArn, organizationEnabled: false },
        admin2,
        'NotOrganizationMasterAccountException',
      );
      const listed = await lakeCall(app, 'listEventDataStores', {}, admin2);
      expect(listed.eventDataStores.map((x: any) => x.eventDataStoreArn)).toEqual([orgArn]);
    });

    it('aggregates the organization’s member events into the organization store, never another organization’s', async () => {
      const mine = event({ recipientAccountId: member.id });
      const mgmtEvent = event();
      const foreign = event({ recipientAccountId: other.id });
      await recordAs(app.services, member.id, orgId, [mine]);
      await recordAs(app.services, mgmtId, orgId, [mgmtEvent]);
      await recordAs(app.services, other.id, other.orgId, [foreign]);
      await routeAll(app);
      const inOrg = await lakeEventIds(app, orgArn);
      expect(inOrg.has(mine.eventID as string)).toBe(true);
      expect(inOrg.has(mgmtEvent.eventID as string)).toBe(true);
      expect(inOrg.has(foreign.eventID as string)).toBe(false);
      // The account store of the management account gets its own events only.
      const inOwn = await lakeEventIds(app, ownArn);
      expect(inOwn.has(mgmtEvent.eventID as string)).toBe(true);
      expect(inOwn.has(mine.eventID as string)).toBe(false);
      // Stored under the owner of the store, whatever the source account.
      const { rows } = await app.db.pool.query(`SELECT DISTINCT store_account_id FROM lake_events WHERE event_data_store_id = $1`, [
        orgArn.split('/')[1],
      ]);
      expect(rows.map((r) => r.store_account_id)).toEqual([mgmtId]);
    });

    it('stops serving an account that left the organization, and an administrator that was deregistered', async () => {
      await app.db.pool.query(`UPDATE accounts SET organization_id = NULL WHERE id = $1`, [member.id]);
      const after = event({ recipientAccountId: member.id });
      await recordAs(app.services, member.id, null, [after]);
      await routeAll(app);
      expect((await lakeEventIds(app, orgArn)).has(after.eventID as string)).toBe(false);
      await app.db.pool.query(`UPDATE accounts SET organization_id = $2 WHERE id = $1`, [member.id, orgId]);

      await call(app, 'deregisterOrganizationDelegatedAdmin', { delegatedAdminAccountId: admin2.id }, mgmt.token);
      await lakeFails(app, 'getEventDataStore', { eventDataStore: orgArn }, admin2, 'EventDataStoreNotFoundException');
      await lakeFails(
        app,
        'updateEventDataStore',
        { eventDataStore: orgArn, retentionPeriod: 500 },
        admin2,
        'EventDataStoreNotFoundException',
      );
      expect((await lakeCall(app, 'listEventDataStores', {}, admin2)).eventDataStores).toEqual([]);
      expect((await lakeCall(app, 'getEventDataStore', { eventDataStore: orgArn }, mgmt)).retentionPeriod).toBe(400);
    });

    afterAll(async () => {
      await app.db.pool.query(`UPDATE event_data_stores SET status = 'STOPPED_INGESTION' WHERE arn = ANY($1)`, [[ownArn, orgArn]]);
    });
  });

  describe('aggregation', () => {
    let multi: string;
    let single: string;
    let writes: string;
    let stopped: string;

    beforeAll(async () => {
      // Every other store of the account stops ingesting, so each assertion concerns these four.
      await app.db.pool.query(`UPDATE event_data_stores SET status = 'STOPPED_INGESTION' WHERE status = 'ENABLED'`);
      multi = (await lakeCall(app, 'createEventDataStore', { name: 'agg-multi' }, mgmt)).eventDataStoreArn;
      single = (await lakeCall(app, 'createEventDataStore', { name: 'agg-single', multiRegionEnabled: false }, mgmt)).eventDataStoreArn;
      writes = (
        await lakeCall(
          app,
          'createEventDataStore',
          {
            name: 'agg-writes',
            advancedEventSelectors: [
              {
                fieldSelectors: [
                  { field: 'eventCategory', equals: ['Management'] },
                  { field: 'readOnly', equals: ['false'] },
                  { field: 'eventSource', notEquals: ['kms.amazonaws.com'] },
                ],
              },
            ],
          },
          mgmt,
        )
      ).eventDataStoreArn;
      stopped = (await lakeCall(app, 'createEventDataStore', { name: 'agg-stopped', startIngestion: false }, mgmt)).eventDataStoreArn;
    });

    it('copies matching events once per store, by region coverage and selectors, only while ENABLED', async () => {
      const home = event({ readOnly: true });
      const away = event({ awsRegion: 'eu-west-1', readOnly: false });
      const kms = event({ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', readOnly: false });
      await recordAs(app.services, mgmtId, orgId, [home, away, kms]);
      await routeAll(app);
      const ids = (r: Record<string, unknown>) => r.eventID as string;
      // Self-audit events of the calls above land in the stores too; look at this test's events only.
      const mine = new Set([home, away, kms].map(ids));
      const stored = async (arn: string) => new Set([...(await lakeEventIds(app, arn))].filter((id) => mine.has(id)));
      expect(await stored(multi)).toEqual(new Set([ids(home), ids(away), ids(kms)]));
      expect(await stored(single)).toEqual(new Set([ids(home), ids(kms)]));
      expect(await stored(writes)).toEqual(new Set([ids(away)]));
      expect(await lakeEventIds(app, stopped)).toEqual(new Set());

      // The stored row carries the record and its promoted columns.
      const { rows } = await app.db.pool.query(
        `SELECT event_name, event_source, aws_region, read_only, management_event, user_identity_user_name, record->>'eventID' AS id
         FROM lake_events WHERE event_data_store_id = $1 AND event_id = $2`,
        [multi.split('/')[1], ids(away)],
      );
      expect(rows[0]).toMatchObject({
        event_name: 'RunInstances',
        event_source: 'ec2.amazonaws.com',
        aws_region: 'eu-west-1',
        read_only: false,
        management_event: true,
        user_identity_user_name: 'alice',
        id: ids(away),
      });

      // Stopping and restarting: nothing arrives while stopped, new events after the restart.
      await lakeCall(app, 'stopEventDataStoreIngestion', { eventDataStore: multi }, mgmt);
      const whileStopped = event();
      await recordAs(app.services, mgmtId, orgId, [whileStopped]);
      await routeAll(app);
      await lakeCall(app, 'startEventDataStoreIngestion', { eventDataStore: stopped }, mgmt);
      await lakeCall(app, 'startEventDataStoreIngestion', { eventDataStore: multi }, mgmt);
      const afterRestart = event();
      await recordAs(app.services, mgmtId, orgId, [afterRestart]);
      await routeAll(app);
      const multiIds = await lakeEventIds(app, multi);
      expect(multiIds.has(ids(whileStopped))).toBe(false);
      expect(multiIds.has(ids(afterRestart))).toBe(true);
      mine.add(ids(whileStopped)).add(ids(afterRestart));
      expect(await stored(stopped)).toEqual(new Set([ids(afterRestart)]));
    });

    it('is idempotent when a batch is routed again', async () => {
      const e = event();
      await recordAs(app.services, mgmtId, orgId, [e]);
      const { rows } = await app.db.pool.query(`SELECT id, account_id, event_ids, event_times FROM event_outbox WHERE routed_at IS NULL`);
      const router = new LakeEventRouter();
      for (let i = 0; i < 2; i++) {
        await app.db.asService(
          async (client) => {
            for (const r of rows)
              await router.route(client, { id: String(r.id), accountId: r.account_id, eventIds: r.event_ids, eventTimes: r.event_times });
          },
          { transaction: true },
        );
      }
      await routeAll(app);
      const { rows: counted } = await app.db.pool.query(
        `SELECT count(*)::int AS n FROM lake_events WHERE event_data_store_id = $1 AND event_id = $2`,
        [multi.split('/')[1], e.eventID],
      );
      expect(counted[0].n).toBe(1);
    });
  });
});
