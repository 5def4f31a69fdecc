import { randomUUID } from 'node:crypto';
import { type RequestContext, type TenantScope, tenantOf } from '../../common/request-context';
import type { Database } from '../../db/database';
import { eventDataStoreRepository } from '../event-data-store.repository';
import { resourcePolicyAllows } from '../resource-policies/lake-resource-policy';
import { ensureLakePartitionsFor, insertLakeEvents, type LakeRecord } from '../lake-event.repository';
import { eventBytes, MAX_EVENT_BYTES } from '../event-configuration/event-configuration-rules';
import { type AuditEventInput, checkAuditEvent } from './audit-event-validation';
import { ChannelEntity } from './channel.entity';
import { ChannelErrors } from './channel.errors';
import { channelRepository } from './channel.repository';
import { CHANNEL_POLICY_GRANTS, parseChannelReference } from './channel-names';

export const MAX_AUDIT_EVENTS = 100;
export const MAX_REQUEST_BYTES = 1024 * 1024;
const ID = /^[-_A-Za-z0-9]{1,128}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** The eventVersion of integration records (CloudTrail does not document its value). */
export const INTEGRATION_EVENT_VERSION = '2.11';

export interface PutAuditEventsResult {
  successful: Array<{ id: string; eventID: string }>;
  failed: Array<{ id: string; errorCode: string; errorMessage: string }>;
}

/**
 * PutAuditEvents (cloudtrail-data, spec §9.2): request-level checks reject the whole call; then
 * every event is checked on its own and the valid ones are stored, in one tenant transaction, in
 * each destination store as ActivityAuditLog records (§8.3.5), with a CloudTrail-assigned eventID.
 */
export class AuditEventsService {
  constructor(private readonly db: Database) {}

  async put(
    ctx: RequestContext,
    input: { channelArn: string; auditEvents: AuditEventInput[]; externalId?: string | null },
  ): Promise<PutAuditEventsResult> {
    const ref =
      typeof input.channelArn === 'string' && (input.channelArn.startsWith('arn:') || !input.channelArn.includes(':'))
        ? parseChannelReference(input.channelArn)
        : null;
    if (!ref) throw ChannelErrors.invalidChannelArn(String(input.channelArn));
    // Another account's channel only by its resource policy, decided before anything else.
    const granted = ref.accountId !== null && ref.accountId !== ctx.caller.accountId ? await this.grantedChannel(ctx, ref, input) : null;
    if (input.externalId !== undefined && input.externalId !== null && !EXTERNAL_ID.test(input.externalId)) {
      throw ChannelErrors.validation('externalId must be 2 to 1224 characters of letters, digits and +=,.@:/-_.');
    }
    const events = input.auditEvents;
    if (events.length < 1 || events.length > MAX_AUDIT_EVENTS)
      throw ChannelErrors.validation(`auditEvents must hold 1 to ${MAX_AUDIT_EVENTS} events; got ${events.length}.`);
    let bytes = 0;
    const ids = new Set<string>();
    for (const e of events) {
      if (!ID.test(e.id))
        throw ChannelErrors.validation(
          `Audit event id ${String(e.id).slice(0, 128)} must be 1 to 128 letters, digits, hyphens and underscores.`,
        );
      if (ids.has(e.id)) throw ChannelErrors.duplicatedId(e.id);
      ids.add(e.id);
      bytes += Buffer.byteLength(e.eventData, 'utf8') + Buffer.byteLength(e.id) + Buffer.byteLength(e.eventDataChecksum ?? '');
    }
    if (bytes > MAX_REQUEST_BYTES)
      throw ChannelErrors.validation(`A PutAuditEvents request carries at most 1 MB of events; this one has ${bytes} bytes.`);

    const channel =
      granted ??
      (await this.db.inTenant(tenantOf(ctx), (m) => m.findOneBy(ChannelEntity, { id: ref.id, accountId: ctx.caller.accountId })));
    if (!channel || channel.region !== ctx.region) throw ChannelErrors.channelNotFound(input.channelArn);
    // The events are the channel owner's: its stores, its row-level security scope.
    const scope = granted ? ownerScope(granted) : tenantOf(ctx);

    const result: PutAuditEventsResult = { successful: [], failed: [] };
    const records: Array<{ id: string; record: LakeRecord }> = [];
    const ingestionTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const e of events) {
      const check = checkAuditEvent(e, channel.accountId);
      if (!check.ok) {
        result.failed.push({ id: e.id, errorCode: check.errorCode, errorMessage: check.errorMessage });
        continue;
      }
      const eventID = randomUUID();
      records.push({
        id: e.id,
        record: {
          eventVersion: INTEGRATION_EVENT_VERSION,
          eventCategory: 'ActivityAuditLog',
          eventType: 'ActivityLog',
          eventID,
          eventTime: check.eventTime,
          awsRegion: ctx.region,
          recipientAccountId: channel.accountId,
          metadata: { ingestionTime, channelARN: channel.arn },
          eventData: check.payload,
        },
      });
    }

    if (records.length)
      await ensureLakePartitionsFor(
        this.db.pool,
        records.map((r) => new Date(String(r.record.eventTime))),
      );
    const storeIds = channel.destinations.filter((d) => d.Type === 'EVENT_DATA_STORE').map((d) => d.Location.split('/').pop() as string);
    await this.db.inTenantRaw(scope, async (client) => {
      // Stores pending deletion take nothing; row-level security keeps every write in the owner's stores.
      const stores = records.length ? await eventDataStoreRepository.acceptingAmong(client, storeIds) : [];
      // An event every destination can hold, or none (spec §4.5 MaxEventSize): the smallest limit decides.
      const limit = Math.min(...stores.map((s) => MAX_EVENT_BYTES[s.max_event_size]));
      const kept: LakeRecord[] = [];
      for (const { id, record } of records) {
        const bytes = eventBytes(JSON.stringify(record));
        if (bytes > limit) {
          result.failed.push({
            id,
            errorCode: 'FieldTooLong',
            errorMessage: `The event is ${bytes} bytes; the channel's event data store takes events of at most ${limit / 1024} KB (MaxEventSize ${limit === MAX_EVENT_BYTES.Large ? 'Large' : 'Standard'}).`,
          });
          continue;
        }
        kept.push(record);
        result.successful.push({ id, eventID: String(record.eventID) });
      }
      for (const s of kept.length ? stores : []) await insertLakeEvents(client, s.id, s.account_id, kept);
      const last = result.successful[result.successful.length - 1];
      const lastFailed = result.failed[result.failed.length - 1];
      await channelRepository.recordIngestion(client, channel.id, last?.eventID ?? null, lastFailed?.errorCode ?? null);
    });
    return result;
  }

  /**
   * The channel of another account, when its resource policy lets the caller put events into it
   * (spec §9.1: the accounts it names, with `cloudtrail:ExternalId` = `externalId` when the policy
   * asks for one); the caller's own identity policy was checked by the operation catalog. Every
   * other case, a channel that does not exist included, is ChannelInsufficientPermission: a caller
   * learns nothing of another account's channels.
   */
  private async grantedChannel(
    ctx: RequestContext,
    ref: { id: string; region: string | null; accountId: string | null },
    input: { externalId?: string | null },
  ): Promise<ChannelEntity> {
    const owner = ref.accountId as string;
    const channel = await this.db.inTenant({ accountId: owner, organizationId: null }, (m) =>
      m.findOneBy(ChannelEntity, { id: ref.id, accountId: owner }),
    );
    const externalId = typeof input.externalId === 'string' && EXTERNAL_ID.test(input.externalId) ? input.externalId : null;
    const allowed =
      channel !== null &&
      channel.region === ctx.region &&
      channel.region === ref.region &&
      resourcePolicyAllows(channel.resourcePolicy, CHANNEL_POLICY_GRANTS, ctx, {
        action: 'cloudtrail-data:PutAuditEvents',
        arn: channel.arn,
        context: externalId ? { 'cloudtrail:ExternalId': externalId } : {},
      });
    if (!allowed) throw ChannelErrors.insufficientPermission();
    return channel;
  }
}

/** The tenant of a channel's owner (integration stores are never organization stores). */
const ownerScope = (channel: ChannelEntity): TenantScope => ({ accountId: channel.accountId, organizationId: null });
