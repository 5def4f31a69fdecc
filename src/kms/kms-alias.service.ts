import { decodePageToken, encodePageToken } from '../common/page-token';
import { type RequestContext, tenantOf } from '../common/request-context';
import type { Database } from '../db/database';
import { authorize } from '../policies/authorize';
import { aliasArn, parseKeyId, validateAliasName } from './key-ids';
import { kmsAliasRepository as aliases } from './kms-alias.repository';
import type { KmsKeyRow } from './kms-key.repository';
import { KmsErrors } from './kms.errors';
import type { KmsService } from './kms.service';

const MAX_LIST = 100;

export interface AliasListEntry {
  aliasName: string;
  aliasArn: string;
  targetKeyId: string;
  creationDate: Date;
}

/**
 * KMS aliases: friendly names for keys of the same account and Region (`alias/<name>`). As in KMS,
 * changing an alias needs IAM permission on the alias ARN and key policy (or delegated IAM)
 * permission on each key involved; DescribeKey and trails accept an alias wherever they accept a
 * key id, and trails store the key ARN it names at that moment.
 */
export class KmsAliasService {
  constructor(
    private readonly db: Database,
    private readonly keys: KmsService,
  ) {}

  /** kms:CreateAlias. AlreadyExistsException when the name is taken in this account and Region. */
  async createAlias(ctx: RequestContext, input: { aliasName: string; targetKeyId: string }): Promise<void> {
    const name = validateAliasName(input.aliasName);
    this.authorizeAlias(ctx, name, 'kms:CreateAlias');
    await this.db.inTenantRaw(tenantOf(ctx), async (client) => {
      const key = await this.keys.lockAuthorizedKey(ctx, client, input.targetKeyId, 'kms:CreateAlias');
      notPendingDeletion(key);
      if (!(await aliases.insert(client, { accountId: key.accountId, region: key.region, aliasName: name, targetKeyId: key.keyId })))
        throw KmsErrors.aliasExists(name);
    });
  }

  /** kms:UpdateAlias: points an existing alias at another key (both keys must allow it). */
  async updateAlias(ctx: RequestContext, input: { aliasName: string; targetKeyId: string }): Promise<void> {
    const name = validateAliasName(input.aliasName);
    this.authorizeAlias(ctx, name, 'kms:UpdateAlias');
    await this.db.inTenantRaw(tenantOf(ctx), async (client) => {
      const alias = await aliases.find(client, ctx.caller.accountId, ctx.region, name);
      if (!alias) throw KmsErrors.notFound(aliasArn(ctx.region, ctx.caller.accountId, name));
      await this.keys.lockAuthorizedKey(ctx, client, alias.targetKeyId, 'kms:UpdateAlias');
      const key = await this.keys.lockAuthorizedKey(ctx, client, input.targetKeyId, 'kms:UpdateAlias');
      notPendingDeletion(key);
      await aliases.retarget(client, alias, key.keyId);
    });
  }

  /** kms:DeleteAlias. The key is not affected. */
  async deleteAlias(ctx: RequestContext, input: { aliasName: string }): Promise<void> {
    const name = validateAliasName(input.aliasName);
    this.authorizeAlias(ctx, name, 'kms:DeleteAlias');
    await this.db.inTenantRaw(tenantOf(ctx), async (client) => {
      const alias = await aliases.find(client, ctx.caller.accountId, ctx.region, name);
      if (!alias) throw KmsErrors.notFound(aliasArn(ctx.region, ctx.caller.accountId, name));
      await this.keys.lockAuthorizedKey(ctx, client, alias.targetKeyId, 'kms:DeleteAlias');
      await aliases.delete(client, alias);
    });
  }

  /** kms:ListAliases: the account's aliases in the Region, optionally of one key (key id or ARN). */
  async listAliases(
    ctx: RequestContext,
    input: { keyId?: string | null; limit?: number | null; marker?: string | null },
  ): Promise<{ aliases: AliasListEntry[]; nextMarker: string | null; truncated: boolean }> {
    const limit = input.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) throw KmsErrors.validation(`limit must be from 1 to ${MAX_LIST}`);
    let target: string | null = null;
    if (input.keyId) {
      const ref = parseKeyId(input.keyId, ctx.region, ctx.caller.accountId);
      if (ref.accountId !== ctx.caller.accountId || ref.region !== ctx.region) throw KmsErrors.notFound(input.keyId);
      target = ref.keyId;
    }
    let after: string | null = null;
    if (input.marker) {
      after = decodePageToken(input.marker);
      if (after === null) throw KmsErrors.invalidMarker();
    }
    const rows = await this.db.inTenantRaw(
      tenantOf(ctx),
      (client) => aliases.list(client, ctx.caller.accountId, ctx.region, target, after, limit + 1),
      { readOnly: true },
    );
    const page = rows.slice(0, limit);
    const truncated = rows.length > limit;
    return {
      aliases: page.map((a) => ({
        aliasName: a.aliasName,
        aliasArn: aliasArn(a.region, a.accountId, a.aliasName),
        targetKeyId: a.targetKeyId,
        creationDate: a.createdAt,
      })),
      truncated,
      nextMarker: truncated ? encodePageToken(page[page.length - 1].aliasName) : null,
    };
  }

  /** The alias half of KMS's rule: IAM on the alias ARN (aliases have no policy of their own). */
  private authorizeAlias(ctx: RequestContext, name: string, action: string): void {
    const arn = aliasArn(ctx.region, ctx.caller.accountId, name);
    authorize(ctx, action, arn, { denied: KmsErrors.accessDenied });
  }
}

function notPendingDeletion(key: KmsKeyRow): void {
  if (key.keyState === 'PendingDeletion') throw KmsErrors.invalidState(key.arn, 'pending deletion');
}
