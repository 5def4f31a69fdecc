import type { Services } from '../../src/app/services';
import type { RequestContext } from '../../src/common/request-context';
import type { AdvancedEventSelector } from '../../src/trails/trail.entity';
import { storeKeyPolicy } from '../helpers/lake-store';
import { failsWith, startServiceHarness, type ServiceHarness } from '../helpers/service-harness';

const selector = (...categories: string[]): AdvancedEventSelector[] =>
  categories.map((c) => ({ FieldSelectors: [{ Field: 'eventCategory', Equals: [c] }] }));

/** Event data store rules (spec §7, §8.1, §12.1) on the Lake storage services, without HTTP. */
describe('service: event data store rules', () => {
  let h: ServiceHarness;
  let stores: Services['lakeStorage']['stores'];
  let ctx: RequestContext;
  let account: string;
  const key = async (policy?: string, at = ctx) => h.services.kms.keys.createKey(at, policy === undefined ? {} : { policy });

  beforeAll(async () => {
    h = await startServiceHarness();
    stores = h.services.lakeStorage.stores;
    ctx = h.ctx();
    account = h.admin.accountId;
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach(async () => {
    // Each test starts below the per-Region quota (stores are plain rows; only lake_events is append-only).
    await h.db.pool.query(`DELETE FROM event_data_stores`);
  });

  it('keeps CloudTrail name rules', async () => {
    expect(await failsWith(stores.create(ctx, { name: 's' }), 'InvalidParameterException')).toMatch(/3 to 128/);
    await failsWith(stores.create(ctx, { name: 'a'.repeat(129) }), 'InvalidParameterException');
    await failsWith(stores.create(ctx, { name: 'bad name!' }), 'InvalidParameterException');
    const created = await stores.create(ctx, { name: 's01' });
    expect(created.arn).toMatch(new RegExp(`^arn:aws:cloudtrail:us-east-1:${account}:eventdatastore/[0-9a-f-]{36}$`));
    expect(await failsWith(stores.create(ctx, { name: 's01' }), 'EventDataStoreAlreadyExistsException')).toContain('s01');
    await failsWith(stores.update(ctx, { eventDataStore: created.arn, name: 'bad name!' }), 'InvalidParameterException');
  });

  it('validates retention per billing mode and lets the billing mode move one way only', async () => {
    await failsWith(stores.create(ctx, { name: 'ret6', retentionPeriod: 6 }), 'InvalidParameterException');
    await failsWith(stores.create(ctx, { name: 'ret3654', retentionPeriod: 3654 }), 'InvalidParameterException');
    await failsWith(
      stores.create(ctx, { name: 'fix2558', retentionPeriod: 2558, billingMode: 'FIXED_RETENTION_PRICING' }),
      'InvalidParameterException',
    );
    await failsWith(stores.create(ctx, { name: 'badmode', billingMode: 'CHEAP' }), 'InvalidParameterException');
    expect((await stores.create(ctx, { name: 'ret7', retentionPeriod: 7 })).retentionPeriod).toBe(7);
    expect((await stores.create(ctx, { name: 'fixed', billingMode: 'FIXED_RETENTION_PRICING' })).retentionPeriod).toBe(2557);
    const s = await stores.create(ctx, { name: 'ret3653', retentionPeriod: 3653 });
    await failsWith(stores.update(ctx, { eventDataStore: s.arn, billingMode: 'FIXED_RETENTION_PRICING' }), 'InvalidParameterException');
    await failsWith(stores.update(ctx, { eventDataStore: s.arn, retentionPeriod: 3654 }), 'InvalidParameterException');
    // An update must change something.
    await failsWith(stores.update(ctx, { eventDataStore: s.arn }), 'InvalidParameterException');
    expect((await stores.get(ctx, s.arn)).retentionPeriod).toBe(3653);
  });

  it('checks the KMS key with the key service; a key can be added, never changed', async () => {
    await failsWith(stores.create(ctx, { name: 'badkms', kmsKeyId: 'not a key!' }), 'InvalidKmsKeyIdException');
    await failsWith(stores.create(ctx, { name: 'nokey', kmsKeyId: '11111111-2222-3333-4444-555555555555' }), 'KmsKeyNotFoundException');
    await failsWith(stores.create(ctx, { name: 'noalias', kmsKeyId: 'alias/not-here' }), 'KmsKeyNotFoundException');
    const west = await key(storeKeyPolicy(account), h.ctx('us-west-2'));
    await failsWith(stores.create(ctx, { name: 'westkey', kmsKeyId: west.arn }), 'KmsKeyNotFoundException');
    // The default key policy (root only) and a policy without kms:Decrypt are not enough.
    const rootOnly = await key();
    await failsWith(stores.create(ctx, { name: 'rootkey', kmsKeyId: rootOnly.keyId }), 'InsufficientEncryptionPolicyException');
    const noDecrypt = await key(storeKeyPolicy(account, ['kms:GenerateDataKey']));
    await failsWith(stores.create(ctx, { name: 'nodecrypt', kmsKeyId: noDecrypt.arn }), 'InsufficientEncryptionPolicyException');
    const disabled = await key(storeKeyPolicy(account));
    await h.services.kms.keys.disableKey(ctx, disabled.keyId);
    await failsWith(stores.create(ctx, { name: 'offkey', kmsKeyId: disabled.arn }), 'KmsException');

    const good = await key(storeKeyPolicy(account));
    const other = await key(storeKeyPolicy(account));
    await h.services.kms.aliases.createAlias(ctx, { aliasName: 'alias/lake', targetKeyId: good.keyId });
    await h.services.kms.aliases.createAlias(ctx, { aliasName: 'alias/other', targetKeyId: other.keyId });
    const s = await stores.create(ctx, { name: 'keylater' });
    // A failed update leaves the store unkeyed.
    await failsWith(stores.update(ctx, { eventDataStore: s.arn, kmsKeyId: rootOnly.arn }), 'InsufficientEncryptionPolicyException');
    expect((await stores.get(ctx, s.arn)).kmsKeyId).toBeNull();
    // The alias is resolved: the store keeps the key ARN (spec §7).
    expect((await stores.update(ctx, { eventDataStore: s.arn, kmsKeyId: 'alias/lake' })).kmsKeyId).toBe(good.arn);
    await failsWith(stores.update(ctx, { eventDataStore: s.arn, kmsKeyId: 'alias/other' }), 'InvalidParameterException');
    // Naming the same key again, by alias or id, is no change of key.
    expect(await stores.update(ctx, { eventDataStore: s.arn, kmsKeyId: 'alias/lake', retentionPeriod: 10 })).toMatchObject({
      kmsKeyId: good.arn,
      retentionPeriod: 10,
    });
    expect((await stores.update(ctx, { eventDataStore: s.arn, kmsKeyId: good.keyId })).kmsKeyId).toBe(good.arn);
  });

  it('validates selectors with the event data store rules', async () => {
    await failsWith(
      stores.create(ctx, { name: 'mixed', advancedEventSelectors: selector('Management', 'ActivityAuditLog') }),
      'InvalidEventSelectorsException',
    );
    await failsWith(
      stores.create(ctx, { name: 'six', advancedEventSelectors: selector(...Array.from({ length: 6 }, () => 'Management')) }),
      'InvalidEventSelectorsException',
    );
    await failsWith(
      stores.create(ctx, { name: 'nocat', advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventName', Equals: ['X'] }] }] }),
      'InvalidEventSelectorsException',
    );
    // EDS-only: eventName and any eventSource operator on management events.
    const ok = await stores.create(ctx, {
      name: 'sel-ok',
      advancedEventSelectors: [
        {
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Management'] },
            { Field: 'eventSource', Equals: ['s3.amazonaws.com'] },
            { Field: 'eventName', StartsWith: ['Put'] },
          ],
        },
      ],
    });
    expect(ok.advancedEventSelectors[0].FieldSelectors).toHaveLength(3);
    // Integration stores: single-Region, never organization; the category cannot change later.
    await failsWith(
      stores.create(ctx, { name: 'aal-multi', multiRegionEnabled: true, advancedEventSelectors: selector('ActivityAuditLog') }),
      'InvalidParameterException',
    );
    const aal = await stores.create(ctx, { name: 'aal', advancedEventSelectors: selector('ActivityAuditLog') });
    expect(aal.multiRegionEnabled).toBe(false);
    await failsWith(
      stores.update(ctx, { eventDataStore: aal.arn, advancedEventSelectors: selector('Management') }),
      'InvalidEventSelectorsException',
    );
    await failsWith(stores.setIngestion(ctx, aal.arn, false), 'InvalidEventDataStoreCategoryException');
  });

  it('refuses the eleventh store of a Region (every status counted); the quota is per account and per Region', async () => {
    for (let i = 0; i < 10; i++) await stores.create(ctx, { name: `fill-${i}`, startIngestion: i % 2 === 0 });
    await failsWith(stores.create(ctx, { name: 'eleventh' }), 'EventDataStoreMaxLimitExceededException');
    const other = await h.createTenant('Lake Tenant B');
    await stores.create(other.ctx(), { name: 'eleventh' });
    const elsewhere = await stores.create(h.ctx('eu-west-1'), { name: 'eleventh' });
    expect(elsewhere.arn).toContain(':eu-west-1:');
    // A store is invisible from its non-home Region.
    await failsWith(stores.get(ctx, elsewhere.arn), 'EventDataStoreNotFoundException');
    const page1 = await stores.list(ctx, { maxResults: 4 });
    expect(page1.stores).toHaveLength(4);
    const page2 = await stores.list(ctx, { maxResults: 10, nextToken: page1.nextToken });
    expect(page2.nextToken).toBeNull();
    expect([...page1.stores, ...page2.stores].map((s) => s.name).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `fill-${i}`).sort());
    await failsWith(stores.list(ctx, { maxResults: 0 }), 'InvalidMaxResultsException');
    await failsWith(stores.list(ctx, { nextToken: 'garbage!' }), 'InvalidNextTokenException');
  });

  it('stops, starts, deletes (protected first) and restores, with CloudTrail errors in between', async () => {
    const s = await stores.create(ctx, { name: 'life' });
    expect(s.status).toBe('CREATED');
    expect((await stores.get(ctx, s.arn)).status).toBe('ENABLED');
    await failsWith(stores.setIngestion(ctx, s.arn, true), 'InvalidEventDataStoreStatusException');
    await stores.setIngestion(ctx, s.arn, false);
    expect((await stores.get(ctx, s.arn)).status).toBe('STOPPED_INGESTION');
    await failsWith(stores.setIngestion(ctx, s.arn, false), 'InvalidEventDataStoreStatusException');
    await stores.setIngestion(ctx, s.arn, true);
    expect((await stores.get(ctx, s.arn)).status).toBe('ENABLED');

    // Termination protection is on by default.
    await failsWith(stores.delete(ctx, s.arn), 'EventDataStoreTerminationProtectedException');
    await stores.update(ctx, { eventDataStore: s.arn, terminationProtectionEnabled: false });
    await stores.delete(ctx, s.arn);
    expect((await stores.get(ctx, s.arn)).status).toBe('PENDING_DELETION');
    await failsWith(stores.delete(ctx, s.arn), 'InactiveEventDataStoreException');
    await failsWith(stores.setIngestion(ctx, s.arn, true), 'InactiveEventDataStoreException');
    await failsWith(stores.setIngestion(ctx, s.arn, false), 'InactiveEventDataStoreException');
    await failsWith(stores.update(ctx, { eventDataStore: s.arn, retentionPeriod: 90 }), 'InactiveEventDataStoreException');
    // A store pending deletion still holds its name.
    await failsWith(stores.create(ctx, { name: 'life' }), 'EventDataStoreAlreadyExistsException');
    expect((await stores.restore(ctx, s.arn)).status).toBe('ENABLED');
    await failsWith(stores.restore(ctx, s.arn), 'InvalidEventDataStoreStatusException');
  });

  it('creates a stopped store with startIngestion false', async () => {
    const s = await stores.create(ctx, { name: 'born-stopped', startIngestion: false });
    expect((await stores.get(ctx, s.arn)).status).toBe('STOPPED_INGESTION');
  });

  it('rejects malformed references and hides other tenants’ stores', async () => {
    await failsWith(stores.get(ctx, 'arn:aws:cloudtrail:us-east-1:123:trail/x'), 'EventDataStoreARNInvalidException');
    await failsWith(stores.get(ctx, "x'; DROP TABLE lake_events; --"), 'EventDataStoreARNInvalidException');
    // A bare name is neither an ARN nor an ID.
    await stores.create(ctx, { name: 'named' });
    await failsWith(stores.get(ctx, 'named'), 'EventDataStoreARNInvalidException');
    await failsWith(stores.get(ctx, '00000000-0000-4000-8000-000000000000'), 'EventDataStoreNotFoundException');
    const own = await stores.create(ctx, { name: 'own', terminationProtectionEnabled: false });
    // The ID suffix names the store too.
    expect((await stores.get(ctx, own.id)).arn).toBe(own.arn);
    const other = (await h.createTenant('Lake Tenant C')).ctx();
    await failsWith(stores.get(other, own.arn), 'EventDataStoreNotFoundException');
    await failsWith(stores.update(other, { eventDataStore: own.arn, retentionPeriod: 9 }), 'EventDataStoreNotFoundException');
    await failsWith(stores.delete(other, own.arn), 'EventDataStoreNotFoundException');
    await failsWith(stores.setIngestion(other, own.arn, false), 'EventDataStoreNotFoundException');
    expect((await stores.list(other, {})).stores).toEqual([]);
  });
});
