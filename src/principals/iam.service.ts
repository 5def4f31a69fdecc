import type { EntityManager } from 'typeorm';
import type { Database } from '../db/database';
import { decodePageToken, encodePageToken } from '../common/page-token';
import { type RequestContext, tenantOf } from '../common/request-context';
import { MANAGED_POLICIES } from '../policies/managed-policies';
import { parsePolicyDocument } from '../policies/policy-document';
import type { AccessKeySecrets } from './access-key-secrets';
import { AccessKeyEntity } from './access-key.entity';
import { IamErrors } from './iam.errors';
import {
  validateAccessKeyId,
  validateDescription,
  validateMaxItems,
  validateMaxSessionDuration,
  validatePath,
  validatePolicyName,
  validateRoleName,
  validateUserName,
} from './iam-names';
import { principalRepository } from './principal.repository';
import { RoleEntity } from './role.entity';
import { UserEntity } from './user.entity';

/** IAM quota: access keys per user. */
export const MAX_ACCESS_KEYS_PER_USER = 2;

export interface Page<T> {
  items: T[];
  marker: string | null;
}

export interface AccessKeyView {
  userName: string;
  accessKeyId: string;
  status: string;
  createDate: Date;
}

export interface ManagedPolicyView {
  policyName: string;
  arn: string;
  description: string;
  document: unknown;
  attachmentCount: number;
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } };
  return e?.code === '23505' || e?.driverError?.code === '23505';
}

/**
 * IAM users, roles, access keys and identity policies of the caller's account. Every method runs
 * in the caller's tenant transaction: names are resolved inside the calling account only, so a
 * principal of another account is indistinguishable from one that does not exist.
 */
export class IamService {
  constructor(
    private readonly db: Database,
    private readonly secrets: AccessKeySecrets,
  ) {}

  /** iam:CreateUser. Names are unique per account regardless of case, as in IAM. */
  async createUser(ctx: RequestContext, input: { userName: string; path?: string | null }): Promise<UserEntity> {
    const userName = validateUserName(input.userName);
    const path = validatePath(input.path);
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      await principalRepository.lockName(m, 'user', ctx.caller.accountId, userName);
      if (await principalRepository.nameTaken(m, 'user', ctx.caller.accountId, userName))
        throw IamErrors.alreadyExists(`User with name ${userName} already exists.`);
      try {
        return await principalRepository.insertUser(m, ctx.caller.accountId, userName, path);
      } catch (err) {
        if (isUniqueViolation(err)) throw IamErrors.alreadyExists(`User with name ${userName} already exists.`);
        throw err;
      }
    });
  }

  /** iam:GetUser; without a name, the calling user. */
  async getUser(ctx: RequestContext, input: { userName?: string | null }): Promise<UserEntity> {
    return this.db.inTenant(tenantOf(ctx), (m) => this.resolveUser(ctx, m, input.userName));
  }

  /** iam:ListUsers, ordered by name, keyset-paginated. */
  async listUsers(
    ctx: RequestContext,
    input: { pathPrefix?: string | null; maxItems?: number | null; marker?: string | null },
  ): Promise<Page<UserEntity>> {
    return this.listPrincipals(ctx, UserEntity, 'user_name', input);
  }

  /** iam:CreateRole with a trust policy (who may assume it). */
  async createRole(
    ctx: RequestContext,
    input: {
      roleName: string;
      assumeRolePolicyDocument: string;
      description?: string | null;
      maxSessionDuration?: number | null;
      path?: string | null;
    },
  ): Promise<RoleEntity> {
    const roleName = validateRoleName(input.roleName);
    const path = validatePath(input.path);
    const description = validateDescription(input.description);
    const maxSessionDuration = validateMaxSessionDuration(input.maxSessionDuration);
    const trustPolicy = parsePolicyDocument(input.assumeRolePolicyDocument, { trustPolicy: true });
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      await principalRepository.lockName(m, 'role', ctx.caller.accountId, roleName);
      if (await principalRepository.nameTaken(m, 'role', ctx.caller.accountId, roleName))
        throw IamErrors.alreadyExists(`Role with name ${roleName} already exists.`);
      try {
        return await principalRepository.insertRole(m, ctx.caller.accountId, {
          roleName,
          path,
          description,
          trustPolicy,
          maxSessionDuration,
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw IamErrors.alreadyExists(`Role with name ${roleName} already exists.`);
        throw err;
      }
    });
  }

  /** iam:ListRoles, ordered by name, keyset-paginated. */
  async listRoles(
    ctx: RequestContext,
    input: { pathPrefix?: string | null; maxItems?: number | null; marker?: string | null },
  ): Promise<Page<RoleEntity>> {
    return this.listPrincipals(ctx, RoleEntity, 'role_name', input);
  }

  /**
   * iam:CreateAccessKey for a user (the caller by default). The secret is returned here once and
   * stored only as a salted hash and sealed for SigV4. The user row is locked so two concurrent calls cannot both
   * pass the two-key quota.
   */
  async createAccessKey(ctx: RequestContext, input: { userName?: string | null }): Promise<AccessKeyView & { secretAccessKey: string }> {
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const user = await this.resolveUser(ctx, m, input.userName);
      await principalRepository.lockUser(m, user.id);
      const existing = await m.countBy(AccessKeyEntity, { accountId: ctx.caller.accountId, userId: user.id });
      if (existing >= MAX_ACCESS_KEYS_PER_USER) {
        throw IamErrors.limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`);
      }
      const { key, secretAccessKey } = await principalRepository.insertAccessKey(m, ctx.caller.accountId, user.id, this.secrets);
      return { userName: user.userName, accessKeyId: key.accessKeyId, status: key.status, createDate: key.createdAt, secretAccessKey };
    });
  }

  /**
   * iam:DeleteAccessKey. Sessions created from the key stop working at once: the authenticator
   * re-checks the source key on every request.
   */
  async deleteAccessKey(ctx: RequestContext, input: { accessKeyId: string; userName?: string | null }): Promise<void> {
    const accessKeyId = validateAccessKeyId(input.accessKeyId);
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const user = await this.resolveUser(ctx, m, input.userName);
      const result = await m.delete(AccessKeyEntity, { accountId: ctx.caller.accountId, userId: user.id, accessKeyId });
      if (!result.affected) throw IamErrors.noSuchAccessKey(accessKeyId);
    });
  }

  /** iam:ListAccessKeys of a user (the caller by default); at most two exist. */
  async listAccessKeys(ctx: RequestContext, input: { userName?: string | null }): Promise<AccessKeyView[]> {
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const user = await this.resolveUser(ctx, m, input.userName);
      const keys = await m.find(AccessKeyEntity, {
        where: { accountId: ctx.caller.accountId, userId: user.id },
        order: { createdAt: 'ASC' },
      });
      return keys.map((k) => ({ userName: user.userName, accessKeyId: k.accessKeyId, status: k.status, createDate: k.createdAt }));
    });
  }

  /** iam:PutUserPolicy / iam:PutRolePolicy: creates or replaces a named inline policy. */
  async putInlinePolicy(
    ctx: RequestContext,
    kind: 'user' | 'role',
    input: { principalName: string; policyName: string; policyDocument: string },
  ): Promise<void> {
    const policyName = validatePolicyName(input.policyName);
    const document = parsePolicyDocument(input.policyDocument);
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const principalRef = await this.principalId(ctx, m, kind, input.principalName);
      await principalRepository.putInlinePolicy(m, ctx.caller.accountId, kind, principalRef, policyName, document);
    });
  }

  /** iam:AttachUserPolicy / iam:AttachRolePolicy for an AWS-managed policy; attaching twice is a no-op. */
  async attachManagedPolicy(
    ctx: RequestContext,
    kind: 'user' | 'role',
    input: { principalName: string; policyArn: string },
  ): Promise<void> {
    if (!/^arn:aws:iam::(aws|\d{12}):policy\/[\w+=,.@/-]{1,512}$/.test(input.policyArn)) {
      throw IamErrors.validation('policyArn must be an IAM policy ARN such as arn:aws:iam::aws:policy/AdministratorAccess');
    }
    await this.db.inTenant(tenantOf(ctx), async (m) => {
      const principalRef = await this.principalId(ctx, m, kind, input.principalName);
      if (!MANAGED_POLICIES.has(input.policyArn)) throw IamErrors.noSuchPolicy(input.policyArn);
      await principalRepository.attachManagedPolicy(m, ctx.caller.accountId, kind, principalRef, input.policyArn);
    });
  }

  /** iam:ListPolicies: the AWS-managed policies, with how often the calling account uses each. */
  async listPolicies(ctx: RequestContext): Promise<ManagedPolicyView[]> {
    const counts = await this.db.inTenant(tenantOf(ctx), (m) => principalRepository.attachmentCounts(m, ctx.caller.accountId));
    const byArn = new Map(counts.map((c) => [c.policyArn, c.count]));
    return [...MANAGED_POLICIES.entries()].map(([arn, p]) => ({
      policyName: p.name,
      arn,
      description: p.description,
      document: p.document,
      attachmentCount: byArn.get(arn) ?? 0,
    }));
  }

  private async listPrincipals<E extends UserEntity | RoleEntity>(
    ctx: RequestContext,
    entity: new () => E,
    nameColumn: 'user_name' | 'role_name',
    input: { pathPrefix?: string | null; maxItems?: number | null; marker?: string | null },
  ): Promise<Page<E>> {
    const limit = validateMaxItems(input.maxItems);
    const pathPrefix = input.pathPrefix ?? '/';
    if (!pathPrefix.startsWith('/') || pathPrefix.length > 512) throw IamErrors.validation('pathPrefix must start with /');
    const after = input.marker ? decodePageToken(input.marker) : null;
    if (input.marker && after === null) throw IamErrors.validation('marker is not valid: pass the marker of the previous page');
    return this.db.inTenant(tenantOf(ctx), async (m) => {
      const rows = await principalRepository.listPage(m, entity, nameColumn, {
        accountId: ctx.caller.accountId,
        pathPrefix,
        afterName: after,
        limit: limit + 1,
      });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      const lastName = last ? (last instanceof UserEntity ? last.userName : (last as RoleEntity).roleName) : null;
      return { items, marker: rows.length > limit && lastName ? encodePageToken(lastName) : null };
    });
  }

  /** The named user of the caller's account, or the calling user when no name is given. */
  private async resolveUser(ctx: RequestContext, m: EntityManager, userName: string | null | undefined): Promise<UserEntity> {
    if (userName === null || userName === undefined) {
      if (ctx.caller.principalRef.kind !== 'user') {
        throw IamErrors.validation('Must specify userName when calling with non-User credentials');
      }
      const self = await m.findOneBy(UserEntity, { accountId: ctx.caller.accountId, id: ctx.caller.principalRef.id });
      if (!self) throw IamErrors.noSuchUser(ctx.caller.identity.userName ?? '');
      return self;
    }
    validateUserName(userName);
    const user = await m.findOneBy(UserEntity, { accountId: ctx.caller.accountId, userName });
    if (!user) throw IamErrors.noSuchUser(userName);
    return user;
  }

  private async principalId(ctx: RequestContext, m: EntityManager, kind: 'user' | 'role', name: string): Promise<string> {
    if (kind === 'user') return (await this.resolveUser(ctx, m, name)).id;
    validateRoleName(name);
    const role = await m.findOneBy(RoleEntity, { accountId: ctx.caller.accountId, roleName: name });
    if (!role) throw IamErrors.noSuchRole(name);
    return role.id;
  }
}
