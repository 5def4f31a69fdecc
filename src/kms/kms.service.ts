import { randomBytes, randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { decodePageToken, encodePageToken } from '../common/page-token';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { MasterKey } from '../crypto/master-key';
import type { Database } from '../db/database';
import { authorize } from '../policies/authorize';
import { keyArn, type KeyRef, parseKeyId, parseKeyOrAlias } from './key-ids';
import { kmsAliasRepository as aliases } from './kms-alias.repository';
import { DEFAULT_POLICY_NAME, defaultKeyPolicy, keyPolicyAllows, type KeyPolicy, parseKeyPolicy } from './key-policy';
import { type KmsKeyRow, kmsKeyRepository as keys } from './kms-key.repository';
import { KmsErrors } from './kms.errors';

/** Customer managed keys per account and Region (KMS's quota is far higher; this bounds a tenant). */
export const MAX_KEYS_PER_REGION = 1000;
export const DEFAULT_PENDING_WINDOW_DAYS = 30;
const MAX_LIST = 1000;
const DAY_MS = 86_400_000;

/** KeyMetadata as KMS returns it. */
export interface KeyMetadata {
  awsAccountId: string;
  keyId: string;
  arn: string;
  creationDate: Date;
  enabled: boolean;
  description: string;
  keyUsage: 'ENCRYPT_DECRYPT';
  keyState: KmsKeyRow['keyState'];
  deletionDate: Date | null;
  pendingDeletionWindowInDays: number | null;
  keySpec: 'SYMMETRIC_DEFAULT';
  customerMasterKeySpec: 'SYMMETRIC_DEFAULT';
  encryptionAlgorithms: string[];
  keyManager: 'CUSTOMER';
  origin: 'AWS_KMS';
  multiRegion: boolean;
}

export interface CreateKeyParams {
  description?: string | null;
  policy?: string | null;
  keyUsage?: string | null;
  keySpec?: string | null;
  bypassPolicyLockoutSafetyCheck?: boolean | null;
}

export const materialContext = (arn: string) => `kms-key:${arn}`;

/**
 * The key management API (CreateKey … GetKeyPolicy) of one account. Every call is authorized
 * twice: IAM by the authorization middleware (action on the key ARN), then the key policy here,
 * which must allow the caller directly or through the account root (key-policy.ts). Another
 * account's key, or one in another Region, is NotFoundException: keys are reached only through
 * the caller's tenant transaction (RLS).
 */
export class KmsService {
  constructor(
    private readonly db: Database,
    private readonly masterKey: MasterKey,
  ) {}

  /** kms:CreateKey: a symmetric ENCRYPT_DECRYPT key, Enabled, with the default or the given policy. */
  async createKey(ctx: RequestContext, input: CreateKeyParams): Promise<KeyMetadata> {
    const description = input.description ?? '';
    if (description.length > 8192) throw KmsErrors.validation('description must be at most 8192 characters');
    if (input.keyUsage && input.keyUsage !== 'ENCRYPT_DECRYPT')
      throw KmsErrors.unsupported(`KeyUsage ${input.keyUsage.slice(0, 40)} is not supported: only ENCRYPT_DECRYPT`);
    if (input.keySpec && input.keySpec !== 'SYMMETRIC_DEFAULT')
      throw KmsErrors.unsupported(`KeySpec ${input.keySpec.slice(0, 40)} is not supported: only SYMMETRIC_DEFAULT`);
    const accountId = ctx.caller.accountId;
    const keyId = randomUUID();
    const arn = keyArn(ctx.region, accountId, keyId);
    const document = input.policy
      ? this.checkedPolicy(ctx, { arn, accountId }, input.policy, input.bypassPolicyLockoutSafetyCheck ?? false)
      : defaultKeyPolicy(accountId);
    const material = randomBytes(32);
    let sealedMaterial: Buffer;
    try {
      sealedMaterial = this.masterKey.seal(material, materialContext(arn));
    } finally {
      material.fill(0); // key material is zeroed after use (README)
    }
    const row = await this.db.inTenantRaw(tenantOf(ctx), async (client) => {
      await keys.lockAccountKeys(client, accountId);
      if ((await keys.countInRegion(client, accountId, ctx.region)) >= MAX_KEYS_PER_REGION)
        throw KmsErrors.limitExceeded(MAX_KEYS_PER_REGION);
      return keys.insert(client, {
        accountId,
        keyId,
        region: ctx.region,
        arn,
        description,
        keyState: 'Enabled',
        policy: document,
        sealedMaterial,
      });
    });
    return toMetadata(row);
  }

  /** kms:DescribeKey: works in every key state; accepts an alias name or alias ARN too. */
  async describeKey(ctx: RequestContext, keyIdInput: string): Promise<KeyMetadata> {
    const parsed = parseKeyOrAlias(keyIdInput, ctx.region, ctx.caller.accountId);
    if ('key' in parsed) return toMetadata(await this.read(ctx, keyIdInput, 'kms:DescribeKey'));
    const a = parsed.alias;
    if (a.accountId !== ctx.caller.accountId || a.region !== ctx.region) throw KmsErrors.notFound(keyIdInput);
    const { ref, row } = await this.db.inTenantRaw(
      tenantOf(ctx),
      async (client) => {
        const alias = await aliases.find(client, a.accountId, a.region, a.aliasName);
        if (!alias) throw KmsErrors.notFound(a.arn);
        const target = {
          accountId: a.accountId,
          region: a.region,
          keyId: alias.targetKeyId,
          arn: keyArn(a.region, a.accountId, alias.targetKeyId),
        };
        return { ref: target, row: await keys.find(client, a.accountId, a.region, alias.targetKeyId) };
      },
      { readOnly: true },
    );
    return toMetadata(this.authorized(ctx, ref, row, 'kms:DescribeKey'));
  }

  /** kms:ListKeys: the account's keys in the request's Region, KMS's Marker/Truncated paging. */
  async listKeys(
    ctx: RequestContext,
    input: { limit?: number | null; marker?: string | null },
  ): Promise<{ keys: Array<{ keyId: string; keyArn: string }>; nextMarker: string | null; truncated: boolean }> {
    const limit = input.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw KmsErrors.validation(`limit must be from 1 to ${MAX_LIST}`);
    let after: string | null = null;
    if (input.marker) {
      after = decodePageToken(input.marker);
      if (after === null || !/^[0-9a-f-]{36}$/.test(after)) throw KmsErrors.invalidMarker();
    }
    const rows = await this.db.inTenantRaw(
      tenantOf(ctx),
      (client) => keys.list(client, ctx.caller.accountId, ctx.region, after, limit + 1),
      { readOnly: true },
    );
    const page = rows.slice(0, limit);
    const truncated = rows.length > limit;
    return {
      keys: page.map((r) => ({ keyId: r.keyId, keyArn: r.arn })),
      truncated,
      nextMarker: truncated ? encodePageToken(page[page.length - 1].keyId) : null,
    };
  }

  /** kms:EnableKey (a key pending deletion must be cancelled first). */
  async enableKey(ctx: RequestContext, keyIdInput: string): Promise<void> {
    await this.change(ctx, keyIdInput, 'kms:EnableKey', async (client, row) => {
      if (row.keyState === 'PendingDeletion') throw KmsErrors.invalidState(row.arn, 'pending deletion');
      await keys.setState(client, row, 'Enabled', null);
    });
  }

  /** kms:DisableKey: the key can no longer encrypt or decrypt until enabled again. */
  async disableKey(ctx: RequestContext, keyIdInput: string): Promise<void> {
    await this.change(ctx, keyIdInput, 'kms:DisableKey', async (client, row) => {
      if (row.keyState === 'PendingDeletion') throw KmsErrors.invalidState(row.arn, 'pending deletion');
      await keys.setState(client, row, 'Disabled', null);
    });
  }

  /** kms:ScheduleKeyDeletion: 7–30 days (default 30); the key is unusable meanwhile. */
  async scheduleKeyDeletion(
    ctx: RequestContext,
    keyIdInput: string,
    pendingWindowInDays?: number | null,
  ): Promise<{ keyId: string; deletionDate: Date; keyState: string; pendingWindowInDays: number }> {
    const days = pendingWindowInDays ?? DEFAULT_PENDING_WINDOW_DAYS;
    if (!Number.isInteger(days) || days < 7 || days > 30) {
      throw KmsErrors.validation(
        `1 validation error detected: Value '${days}' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value between 7 and 30`,
      );
    }
    const deletionDate = new Date(Date.now() + days * DAY_MS);
    const row = await this.change(ctx, keyIdInput, 'kms:ScheduleKeyDeletion', async (client, r) => {
      if (r.keyState === 'PendingDeletion') throw KmsErrors.invalidState(r.arn, 'pending deletion');
      await keys.setState(client, r, 'PendingDeletion', { date: deletionDate, days });
    });
    return { keyId: row.arn, deletionDate, keyState: 'PendingDeletion', pendingWindowInDays: days };
  }

  /** kms:CancelKeyDeletion: the key comes back Disabled, as in KMS. */
  async cancelKeyDeletion(ctx: RequestContext, keyIdInput: string): Promise<{ keyId: string }> {
    const row = await this.change(ctx, keyIdInput, 'kms:CancelKeyDeletion', async (client, r) => {
      if (r.keyState !== 'PendingDeletion') throw KmsErrors.invalidState(r.arn, r.keyState === 'Enabled' ? 'enabled' : 'disabled');
      await keys.setState(client, r, 'Disabled', null);
    });
    return { keyId: row.arn };
  }

  /** kms:PutKeyPolicy (policy name `default`), with KMS's lockout safety check. */
  async putKeyPolicy(
    ctx: RequestContext,
    input: { keyId: string; policyName?: string | null; policy: string; bypassPolicyLockoutSafetyCheck?: boolean | null },
  ): Promise<void> {
    checkPolicyName(input.policyName);
    await this.change(ctx, input.keyId, 'kms:PutKeyPolicy', async (client, row) => {
      if (row.keyState === 'PendingDeletion') throw KmsErrors.invalidState(row.arn, 'pending deletion');
      const document = this.checkedPolicy(ctx, row, input.policy, input.bypassPolicyLockoutSafetyCheck ?? false);
      await keys.setPolicy(client, row, document);
    });
  }

  /** kms:GetKeyPolicy (policy name `default`). */
  async getKeyPolicy(
    ctx: RequestContext,
    input: { keyId: string; policyName?: string | null },
  ): Promise<{ policyName: string; policy: string }> {
    checkPolicyName(input.policyName);
    const row = await this.read(ctx, input.keyId, 'kms:GetKeyPolicy');
    return { policyName: DEFAULT_POLICY_NAME, policy: JSON.stringify(row.policy) };
  }

  /**
   * The deletion worker: removes keys whose waiting period has ended, in batches, across all
   * accounts (as the service). Such keys are already invisible and unusable (the repository
   * treats a passed deletion date as deleted), so a late run changes nothing observable.
   */
  async purgeDeletedKeys(batch = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.db.asService(
        async (client) => {
          const gone = await keys.purgeDeleted(client, batch);
          await aliases.deleteForKeys(client, gone);
          return gone;
        },
        { transaction: true },
      );
      total += deleted.length;
      if (deleted.length < batch) return total;
    }
  }

  /** Validates a new policy and refuses one that would lock the caller out of PutKeyPolicy. */
  private checkedPolicy(ctx: RequestContext, key: { arn: string; accountId: string }, text: string, bypass: boolean): unknown {
    const { policy, document } = parseKeyPolicy(text);
    if (!bypass && !keyPolicyAllows(policy, key, { caller: ctx.caller }, 'kms:PutKeyPolicy')) {
      throw KmsErrors.malformedPolicy('The new key policy will not allow you to update the key policy in the future.');
    }
    return document;
  }

  /** A key of the caller, locked for a change, after its key policy allowed `action` (for the alias operations). */
  async lockAuthorizedKey(ctx: RequestContext, client: PoolClient, keyIdInput: string, action: string): Promise<KmsKeyRow> {
    const ref = this.ownRef(ctx, keyIdInput);
    return this.authorized(ctx, ref, await keys.find(client, ref.accountId, ref.region, ref.keyId, { forUpdate: true }), action);
  }

  private async read(ctx: RequestContext, keyIdInput: string, action: string): Promise<KmsKeyRow> {
    const ref = this.ownRef(ctx, keyIdInput);
    const row = await this.db.inTenantRaw(tenantOf(ctx), (client) => keys.find(client, ref.accountId, ref.region, ref.keyId), {
      readOnly: true,
    });
    return this.authorized(ctx, ref, row, action);
  }

  private async change(
    ctx: RequestContext,
    keyIdInput: string,
    action: string,
    fn: (client: PoolClient, row: KmsKeyRow) => Promise<void>,
  ): Promise<KmsKeyRow> {
    const ref = this.ownRef(ctx, keyIdInput);
    return this.db.inTenantRaw(tenantOf(ctx), async (client) => {
      const row = this.authorized(ctx, ref, await keys.find(client, ref.accountId, ref.region, ref.keyId, { forUpdate: true }), action);
      await fn(client, row);
      return row;
    });
  }

  /** Management calls reach only the caller's own keys in the request's Region. */
  private ownRef(ctx: RequestContext, keyIdInput: string): KeyRef {
    const ref = parseKeyId(keyIdInput, ctx.region, ctx.caller.accountId);
    if (ref.accountId !== ctx.caller.accountId || ref.region !== ctx.region) throw KmsErrors.notFound(keyIdInput);
    return ref;
  }

  private authorized(ctx: RequestContext, ref: KeyRef, row: KmsKeyRow | null, action: string): KmsKeyRow {
    if (!row) throw KmsErrors.notFound(ref.arn);
    authorize(ctx, action, row.arn, {
      allows: (caller) => keyPolicyAllows(storedPolicy(row), row, { caller }, action),
      denied: KmsErrors.accessDenied,
    });
    return row;
  }
}

function checkPolicyName(name: string | null | undefined): void {
  if (name !== undefined && name !== null && name !== DEFAULT_POLICY_NAME) throw KmsErrors.notFound(`policy ${name.slice(0, 128)}`);
}

/** Stored policies were validated when put; parsing again normalises them for evaluation. */
export function storedPolicy(row: KmsKeyRow): KeyPolicy {
  return parseKeyPolicy(JSON.stringify(row.policy)).policy;
}

export function toMetadata(row: KmsKeyRow): KeyMetadata {
  return {
    awsAccountId: row.accountId,
    keyId: row.keyId,
    arn: row.arn,
    creationDate: row.createdAt,
    enabled: row.keyState === 'Enabled',
    description: row.description,
    keyUsage: 'ENCRYPT_DECRYPT',
    keyState: row.keyState,
    deletionDate: row.deletionDate,
    pendingDeletionWindowInDays: row.pendingWindowDays,
    keySpec: 'SYMMETRIC_DEFAULT',
    customerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    encryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    keyManager: 'CUSTOMER',
    origin: 'AWS_KMS',
    multiRegion: false,
  };
}
