import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { type RequestContext, tenantOf } from '../common/request-context';
import { decodePageToken, encodePageToken } from '../common/page-token';
import { actAsTenant, type Database } from '../db/database';
import { isDelegatedAdministrator, isManagementOrDelegatedAdmin } from '../organizations/organization-admin';
import { OrganizationEntity } from '../organizations/organization.entity';
import { validateAdvancedEventSelectors, validateInsightSelectors } from '../selectors/selector-validation';
import { parseKeyArn } from '../kms/key-ids';
import { mergeTags } from '../tagging/tag-rules';
import { TrailErrors } from '../trails/trail.errors';
import type { AdvancedEventSelector } from '../trails/trail.entity';
import { channelRepository } from './channels/channel.repository';
import { lakeImportRepository } from './imports/lake-import.repository';
import {
  holdsActivityAuditLog,
  holdsCloudTrailEvents,
  resolveStore,
  resolveStoreForWrite,
  storeCategories,
} from './event-data-store-access';
import { type BillingMode, EventDataStoreEntity } from './event-data-store.entity';
import { eventDataStoreRepository } from './event-data-store.repository';
import {
  DEFAULT_RETENTION_DAYS,
  eventDataStoreArn,
  normaliseStoreKmsKeyId,
  validateBillingMode,
  validateRetention,
  validateStoreName,
} from './event-data-store-names';
import { LakeErrors } from './lake.errors';

/** Event data stores per Region per account, every lifecycle stage counted (spec §12.1). */
export const MAX_EVENT_DATA_STORES_PER_REGION = 10;
/** A deleted store can be restored for this long, then it and its events are purged. */
export const PENDING_DELETION_DAYS = 7;

/** What a store selects when created without selectors: all management events (spec §8.1.1). */
export const DEFAULT_STORE_SELECTORS: AdvancedEventSelector[] = [
  { Name: 'Default management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
];

export interface CreateEventDataStoreParams {
  name: string;
  advancedEventSelectors?: AdvancedEventSelector[] | null;
  multiRegionEnabled?: boolean | null;
  organizationEnabled?: boolean | null;
  retentionPeriod?: number | null;
  terminationProtectionEnabled?: boolean | null;
  tagsList?: Array<{ key: string; value?: string | null }> | null;
  kmsKeyId?: string | null;
  startIngestion?: boolean | null;
  billingMode?: string | null;
}

export interface UpdateEventDataStoreParams {
  eventDataStore: string;
  name?: string | null;
  advancedEventSelectors?: AdvancedEventSelector[] | null;
  multiRegionEnabled?: boolean | null;
  organizationEnabled?: boolean | null;
  retentionPeriod?: number | null;
  terminationProtectionEnabled?: boolean | null;
  kmsKeyId?: string | null;
  billingMode?: string | null;
}

/**
 * The KMS key check CloudTrail makes when a store names a KmsKeyId (spec §7), the same mechanism
 * as trails' (src/kms key-use.service.ts): KmsKeyNotFoundException / InsufficientEncryptionPolicyException
 * / KmsException. Returns the key ARN to store (an alias is resolved to the key it names).
 */
export interface StoreKeyChecker {
  checkEventDataStoreKey(keyArn: string, store: { region: string; accountId: string; storeArn: string | null }): Promise<string>;
}

const given = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;

/**
 * The event data store control plane (spec §8.1): create, read, update, delete/restore and
 * ingestion start/stop, with CloudTrail's settings rules and status lifecycle. Transitional
 * statuses (CREATED, STARTING_INGESTION, STOPPING_INGESTION) take effect at once here: the
 * create response shows CREATED, the stored status is already the resulting one.
 */
export class EventDataStoreService {
  constructor(
    private readonly db: Database,
    private readonly keys: StoreKeyChecker,
  ) {}

  /** A store's KmsKeyId: format (InvalidKmsKeyIdException), then the key service's check; the key ARN. */
  private async storeKey(
    keyId: string,
    region: string,
    accountId: string,
    storeArn: string,
    organizationEnabled: boolean,
  ): Promise<string> {
    const key = await this.keys.checkEventDataStoreKey(normaliseStoreKmsKeyId(keyId, region, accountId), { region, accountId, storeArn });
    if (organizationEnabled) requireOwnKey(key, accountId);
    return key;
  }

  /** cloudtrail:CreateEventDataStore. Returns the store with status CREATED. */
  async create(ctx: RequestContext, input: CreateEventDataStoreParams): Promise<EventDataStoreEntity> {
    validateStoreName(input.name);
    const billingMode = given(input.billingMode) ? validateBillingMode(input.billingMode) : 'EXTENDABLE_RETENTION_PRICING';
    const retention = input.retentionPeriod ?? DEFAULT_RETENTION_DAYS[billingMode];
    validateRetention(retention, billingMode);
    const selectors = given(input.advancedEventSelectors) ? validateStoreSelectors(input.advancedEventSelectors) : DEFAULT_STORE_SELECTORS;
    const integration = holdsActivityAuditLog({ advancedEventSelectors: selectors });
    const organizationEnabled = input.organizationEnabled ?? false;
    // Integration stores are single-Region and never organization stores (spec §8.1.1).
    const multiRegion = input.multiRegionEnabled ?? !integration;
    if (integration && (multiRegion || organizationEnabled)) {
      throw LakeErrors.invalidParameter(
        'An event data store for ActivityAuditLog events must be single-Region and cannot be an organization event data store.',
      );
    }
    const tags = mergeTags(
      [],
      (input.tagsList ?? []).map((t) => ({ Key: t.key, Value: t.value ?? null })),
    );

    // The key is checked outside the writing transaction (the key service reads with its own
    // connection), against the owner decided again inside it.
    // The id is chosen first so that the key is checked for the ARN the store will have.
    const id = randomUUID();
    let kmsKeyId: string | null = null;
    let checkedFor: string | null = null;
    if (given(input.kmsKeyId)) {
      const owner = await this.db.inTenant(tenantOf(ctx), (m) => this.ownerFor(m, ctx, organizationEnabled));
      kmsKeyId = await this.storeKey(
        input.kmsKeyId,
        ctx.region,
        owner.accountId,
        eventDataStoreArn(ctx.region, owner.accountId, id),
        organizationEnabled,
      );
      checkedFor = owner.accountId;
    }

    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const owner = await this.ownerFor(m, ctx, organizationEnabled);
      if (kmsKeyId !== null && organizationEnabled) requireOwnKey(kmsKeyId, owner.accountId);
      // The key was checked for this owner (another tenant's key may name only it).
      if (kmsKeyId !== null && checkedFor !== owner.accountId)
        throw LakeErrors.conflict('The owner of the event data store changed while it was being created; try again.');
      if (owner.accountId !== ctx.caller.accountId) {
        // A delegated administrator creates the store for the management account (spec §11.2).
        await actAsTenant(m, { accountId: owner.accountId, organizationId: ctx.caller.organizationId });
      }
      // One writer per account at a time, so the quota and name checks cannot race.
      await eventDataStoreRepository.lockAccountWrites(m, owner.accountId);
      const count = await m.countBy(EventDataStoreEntity, { accountId: owner.accountId, region: ctx.region });
      if (count >= MAX_EVENT_DATA_STORES_PER_REGION) throw LakeErrors.maxLimit(MAX_EVENT_DATA_STORES_PER_REGION);
      if (await m.existsBy(EventDataStoreEntity, { accountId: owner.accountId, region: ctx.region, name: input.name })) {
        throw LakeErrors.alreadyExists(input.name);
      }
      const store = m.create(EventDataStoreEntity, {
        id,
        arn: eventDataStoreArn(ctx.region, owner.accountId, id),
        accountId: owner.accountId,
        organizationId: owner.organizationId,
        organizationEnabled,
        multiRegionEnabled: multiRegion,
        region: ctx.region,
        name: input.name,
        status: input.startIngestion === false ? 'STOPPED_INGESTION' : 'ENABLED',
        retentionPeriod: retention,
        billingMode,
        terminationProtectionEnabled: input.terminationProtectionEnabled ?? true,
        kmsKeyId,
        advancedEventSelectors: selectors,
        tags,
        deletedAt: null,
      });
      const saved = await m.save(store);
      return { ...saved, status: 'CREATED' } as EventDataStoreEntity;
    });
  }

  /** cloudtrail:GetEventDataStore (PENDING_DELETION stores are still described). */
  async get(ctx: RequestContext, reference: string): Promise<EventDataStoreEntity> {
    return this.db.inTenant(tenantOf(ctx), (m) => resolveStore(m, ctx, reference));
  }

  /** cloudtrail:ListEventDataStores: the caller's stores here, and its organization's if it administers them. */
  async list(
    ctx: RequestContext,
    input: { maxResults?: number | null; nextToken?: string | null },
  ): Promise<{ stores: EventDataStoreEntity[]; nextToken: string | null }> {
    const limit = input.maxResults ?? 1000;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw LakeErrors.invalidMaxResults();
    let after: string | null = null;
    if (given(input.nextToken)) {
      after = decodePageToken(input.nextToken);
      if (after === null) throw LakeErrors.invalidNextToken();
    }
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const admin = await isDelegatedAdministrator(m, ctx.caller);
      const rows = await eventDataStoreRepository.listInRegion(m, {
        region: ctx.region,
        accountId: ctx.caller.accountId,
        organizationId: ctx.caller.organizationId,
        withOrganization: admin,
        afterArn: after,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      return { stores: page, nextToken: rows.length > limit ? encodePageToken(page[page.length - 1].arn) : null };
    });
  }

  /** cloudtrail:UpdateEventDataStore. */
  async update(ctx: RequestContext, input: UpdateEventDataStoreParams): Promise<EventDataStoreEntity> {
    const changes = [
      input.name,
      input.advancedEventSelectors,
      input.multiRegionEnabled,
      input.organizationEnabled,
      input.retentionPeriod,
      input.terminationProtectionEnabled,
      input.kmsKeyId,
      input.billingMode,
    ];
    if (!changes.some(given)) throw LakeErrors.invalidParameter('Specify at least one setting of the event data store to change.');
    if (given(input.name)) validateStoreName(input.name);
    const selectors = given(input.advancedEventSelectors) ? validateStoreSelectors(input.advancedEventSelectors) : null;

    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const store = await resolveStoreForWrite(m, ctx, input.eventDataStore);
      await eventDataStoreRepository.lockAccountWrites(m, store.accountId);
      if (await lakeImportRepository.ongoingForStore(m, store.id)) throw LakeErrors.ongoingImport(store.arn);

      if (selectors) {
        const before = holdsCloudTrailEvents(store) ? 'CloudTrail events' : [...storeCategories(store)].join(',');
        const after = holdsCloudTrailEvents({ advancedEventSelectors: selectors })
          ? 'CloudTrail events'
          : [...storeCategories({ advancedEventSelectors: selectors })].join(',');
        if (before !== after)
          throw TrailErrors.eventSelectors(`The event category of an event data store cannot change (${before} to ${after}).`);
        // A source of Insights keeps their prerequisites (spec §10): InvalidInsightSelectorsException.
        if (store.insightSelectors?.length)
          validateInsightSelectors(store.insightSelectors, { eventSelectors: null, advancedEventSelectors: selectors });
        store.advancedEventSelectors = selectors;
      }
      if (given(input.billingMode)) {
        const mode = validateBillingMode(input.billingMode);
        if (store.billingMode === 'EXTENDABLE_RETENTION_PRICING' && mode === 'FIXED_RETENTION_PRICING') {
          throw LakeErrors.invalidParameter(
            'The billing mode can change only from FIXED_RETENTION_PRICING to EXTENDABLE_RETENTION_PRICING.',
          );
        }
        store.billingMode = mode;
      }
      if (given(input.retentionPeriod) || given(input.billingMode)) {
        const retention = input.retentionPeriod ?? store.retentionPeriod;
        validateRetention(retention, store.billingMode as BillingMode);
        store.retentionPeriod = retention;
      }
      if (given(input.organizationEnabled) && input.organizationEnabled !== store.organizationEnabled) {
        await this.convertOrganization(m, ctx, store, input.organizationEnabled);
      }
      if (given(input.kmsKeyId)) {
        // Compared as key ARNs, so naming the store's key by an alias of it is no change.
        const key = await this.storeKey(input.kmsKeyId, store.region, store.accountId, store.arn, store.organizationEnabled);
        if (store.kmsKeyId !== null && store.kmsKeyId !== key) {
          throw LakeErrors.invalidParameter('The KMS key of an event data store cannot be changed or removed once it is set.');
        }
        store.kmsKeyId = key;
      } else if (store.organizationEnabled && store.kmsKeyId !== null) {
        requireOwnKey(store.kmsKeyId, store.accountId);
      }
      if (given(input.multiRegionEnabled)) store.multiRegionEnabled = input.multiRegionEnabled;
      if (holdsActivityAuditLog(store) && (store.multiRegionEnabled || store.organizationEnabled)) {
        throw LakeErrors.invalidParameter(
          'An event data store for ActivityAuditLog events must be single-Region and cannot be an organization event data store.',
        );
      }
      if (given(input.terminationProtectionEnabled)) store.terminationProtectionEnabled = input.terminationProtectionEnabled;
      if (given(input.name) && input.name !== store.name) {
        if (await m.existsBy(EventDataStoreEntity, { accountId: store.accountId, region: store.region, name: input.name }))
          throw LakeErrors.alreadyExists(input.name);
        store.name = input.name;
      }
      return m.save(store);
    });
  }

  /** cloudtrail:DeleteEventDataStore: PENDING_DELETION for 7 days (restorable), then purged by retention. */
  async delete(ctx: RequestContext, reference: string): Promise<void> {
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const store = await resolveStoreForWrite(m, ctx, reference);
      if (store.terminationProtectionEnabled) throw LakeErrors.terminationProtected(store.arn);
      const channels = await channelRepository.countDeliveringTo(m, store.accountId, store.arn);
      if (channels > 0) throw LakeErrors.channelExists(store.arn);
      if (await lakeImportRepository.ongoingForStore(m, store.id)) throw LakeErrors.ongoingImport(store.arn);
      await m.update(EventDataStoreEntity, { id: store.id }, { status: 'PENDING_DELETION', deletedAt: () => 'now()' });
    });
  }

  /** cloudtrail:RestoreEventDataStore: only from PENDING_DELETION, back to ENABLED. */
  async restore(ctx: RequestContext, reference: string): Promise<EventDataStoreEntity> {
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const store = await resolveStoreForWrite(m, ctx, reference, { allowPendingDeletion: true });
      if (store.status !== 'PENDING_DELETION') throw LakeErrors.invalidStatus(store.arn, store.status, 'RestoreEventDataStore');
      store.status = 'ENABLED';
      store.deletedAt = null;
      return m.save(store);
    });
  }

  /** cloudtrail:StartEventDataStoreIngestion / StopEventDataStoreIngestion. */
  async setIngestion(ctx: RequestContext, reference: string, start: boolean): Promise<void> {
    const operation = start ? 'StartEventDataStoreIngestion' : 'StopEventDataStoreIngestion';
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const store = await resolveStoreForWrite(m, ctx, reference);
      if (!holdsCloudTrailEvents(store) && !storeCategories(store).has('ConfigurationItem')) {
        throw LakeErrors.invalidCategory(
          `${operation} applies to event data stores of Management, Data, NetworkActivity or ConfigurationItem events only.`,
        );
      }
      const required = start ? 'STOPPED_INGESTION' : 'ENABLED';
      if (store.status !== required) throw LakeErrors.invalidStatus(store.arn, store.status, operation);
      // Conditional, so two concurrent calls cannot both succeed from the same status.
      const result = await m.update(
        EventDataStoreEntity,
        { id: store.id, status: required },
        { status: start ? 'ENABLED' : 'STOPPED_INGESTION' },
      );
      if (!result.affected) throw LakeErrors.invalidStatus(store.arn, 'changing', operation);
    });
  }

  /** Organization stores belong to the management account; a delegated administrator may create them. */
  private async ownerFor(
    m: EntityManager,
    ctx: RequestContext,
    organizationEnabled: boolean,
  ): Promise<{ accountId: string; organizationId: string | null }> {
    if (!organizationEnabled) return { accountId: ctx.caller.accountId, organizationId: null };
    const org = await this.callerOrganization(m, ctx);
    if (!(await isManagementOrDelegatedAdmin(m, ctx.caller, org.managementAccountId))) {
      throw LakeErrors.notOrganizationMaster(
        'Organization event data stores can be created only by the management account of the organization or a registered delegated administrator.',
      );
    }
    return { accountId: org.managementAccountId, organizationId: org.id };
  }

  /** Only the management account converts a store between organization and account scope. */
  private async convertOrganization(m: EntityManager, ctx: RequestContext, store: EventDataStoreEntity, enable: boolean): Promise<void> {
    const org = await this.callerOrganization(m, ctx);
    if (org.managementAccountId !== ctx.caller.accountId || store.accountId !== ctx.caller.accountId) {
      throw LakeErrors.notOrganizationMaster(
        'Only the management account of the organization can convert an event data store to or from an organization event data store.',
      );
    }
    store.organizationEnabled = enable;
    store.organizationId = enable ? org.id : null;
  }

  private async callerOrganization(m: EntityManager, ctx: RequestContext): Promise<OrganizationEntity> {
    if (!ctx.caller.organizationId) throw LakeErrors.organizationsNotInUse();
    const org = await m.findOneBy(OrganizationEntity, { id: ctx.caller.organizationId });
    if (!org) throw LakeErrors.organizationsNotInUse();
    return org;
  }
}

/** An organization store's key belongs to the management account, the store's owner (spec §7). */
function requireOwnKey(keyArn: string, ownerAccountId: string): void {
  if (parseKeyArn(keyArn)?.accountId !== ownerAccountId) {
    throw LakeErrors.invalidParameter(
      `The KMS key of an organization event data store must belong to the management account ${ownerAccountId}.`,
    );
  }
}

/** Advanced selectors with the event data store rules, and one category family per store. */
export function validateStoreSelectors(input: AdvancedEventSelector[]): AdvancedEventSelector[] {
  const selectors = validateAdvancedEventSelectors(input, 'eventDataStore');
  const categories = storeCategories({ advancedEventSelectors: selectors });
  if (!holdsCloudTrailEvents({ advancedEventSelectors: selectors }) && categories.size > 1) {
    throw TrailErrors.eventSelectors(
      `An event data store holds either CloudTrail events (Management, Data, NetworkActivity) or one other category; got ${[...categories].join(', ')}.`,
    );
  }
  return selectors;
}
