import type { Pool } from 'pg';
import type { EntityManager } from 'typeorm';
import { arns } from '../common/arn';
import { newAccessKeyId, newPrincipalId, newSecretAccessKey } from '../common/ids';
import type { AccessKeySecrets } from './access-key-secrets';
import { hashSecret, newSalt } from './credentials';
import { InlinePolicyEntity } from '../policies/inline-policy.entity';
import type { PolicyDocument } from '../policies/policy-document';
import { PolicyAttachmentEntity } from '../policies/policy-attachment.entity';
import { AccessKeyEntity } from './access-key.entity';
import { RoleEntity } from './role.entity';
import { UserEntity } from './user.entity';

/** What authentication reads of a principal: who it is, its account's organization and its policies. */
export interface PrincipalSessionRow {
  id: string;
  /** The user or role name. */
  name: string;
  principalId: string;
  arn: string;
  accountId: string;
  organizationId: string | null;
  /** Status of the access key the session descends from; null when that key no longer exists. */
  sourceKeyStatus: string | null;
  /** The user that key belongs to (user sessions only). */
  sourceKeyUserId?: string | null;
  inlinePolicies: PolicyDocument[];
  attachedPolicyArns: string[];
}

/** An access key with its user, as createSession checks it. */
export interface SignInKeyRow {
  status: string;
  secretHash: string;
  secretSalt: string;
  /** The secret sealed for SigV4 (access-key-secrets.ts); null until the key's first createSession. */
  secretSealed: Buffer | null;
  userId: string;
  userName: string;
  principalId: string;
  arn: string;
  accountId: string;
  organizationId: string | null;
}

/** A role with its trust policy, as assumeRole checks it. */
export interface AssumableRoleRow {
  id: string;
  roleName: string;
  principalId: string;
  arn: string;
  accountId: string;
  assumeRolePolicy: PolicyDocument;
  maxSessionDuration: number;
  organizationId: string | null;
}

/** The inline documents and attached managed-policy ARNs of one user (`u`) or role (`r`). */
function policySubselects(kind: 'user' | 'role', alias: 'u' | 'r'): string {
  return `
         (SELECT coalesce(json_agg(p.document), '[]'::json) FROM inline_policies p
           WHERE p.account_id = ${alias}.account_id AND p.principal_type = '${kind}' AND p.principal_ref = ${alias}.id) AS inline,
         (SELECT coalesce(json_agg(t.policy_arn), '[]'::json) FROM policy_attachments t
           WHERE t.account_id = ${alias}.account_id AND t.principal_type = '${kind}' AND t.principal_ref = ${alias}.id) AS attached`;
}

// Authentication runs before the tenant is known, so it reads as the service itself, by primary
// key only, in one round trip per request (principal, account, source key and policies).
const USER_SESSION_SQL = `
  SELECT u.id, u.user_name, u.principal_id, u.arn, u.account_id, a.organization_id,
         k.status AS key_status, k.user_id AS key_user_id,${policySubselects('user', 'u')}
  FROM iam_users u JOIN accounts a ON a.id = u.account_id
  LEFT JOIN access_keys k ON k.access_key_id = $2
  WHERE u.id = $1`;

const ROLE_SESSION_SQL = `
  SELECT r.id, r.role_name, r.principal_id, r.arn, r.account_id, a.organization_id,
         k.status AS key_status,${policySubselects('role', 'r')}
  FROM iam_roles r JOIN accounts a ON a.id = r.account_id
  LEFT JOIN access_keys k ON k.access_key_id = $2
  WHERE r.id = $1`;

/**
 * Every statement on iam_users, iam_roles, access_keys and the identity policies, shared by the
 * IAM service, the session service, the authenticator and organization bootstrap. Methods taking
 * an EntityManager run in the caller's (tenant-scoped) transaction; those taking the pool run as
 * the service, for authentication, before any tenant is known.
 */
export const principalRepository = {
  /** The principal of a user session and its source key (the session's `pref` and `src` claims). */
  async userForSession(pool: Pool, userId: string, sourceAccessKeyId: string): Promise<PrincipalSessionRow | null> {
    const { rows } = await pool.query({ name: 'authenticate-user', text: USER_SESSION_SQL, values: [userId, sourceAccessKeyId] });
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      name: r.user_name,
      principalId: r.principal_id,
      arn: r.arn,
      accountId: r.account_id,
      organizationId: r.organization_id,
      sourceKeyStatus: r.key_status,
      sourceKeyUserId: r.key_user_id,
      inlinePolicies: r.inline,
      attachedPolicyArns: r.attached,
    };
  },

  /** The role of an assumed-role session and the long-term key it descends from. */
  async roleForSession(pool: Pool, roleId: string, sourceAccessKeyId: string): Promise<PrincipalSessionRow | null> {
    const { rows } = await pool.query({ name: 'authenticate-role', text: ROLE_SESSION_SQL, values: [roleId, sourceAccessKeyId] });
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      name: r.role_name,
      principalId: r.principal_id,
      arn: r.arn,
      accountId: r.account_id,
      organizationId: r.organization_id,
      sourceKeyStatus: r.key_status,
      inlinePolicies: r.inline,
      attachedPolicyArns: r.attached,
    };
  },

  /** An access key by id, with its user and the user's organization (createSession, as the service). */
  async signInKey(pool: Pool, accessKeyId: string): Promise<SignInKeyRow | null> {
    const { rows } = await pool.query(
      `SELECT k.status, k.secret_hash, k.secret_salt, k.secret_sealed, u.id AS user_id, u.user_name, u.principal_id, u.arn,
              u.account_id, a.organization_id
       FROM access_keys k JOIN iam_users u ON u.id = k.user_id JOIN accounts a ON a.id = u.account_id
       WHERE k.access_key_id = $1`,
      [accessKeyId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      status: r.status,
      secretHash: r.secret_hash,
      secretSalt: r.secret_salt,
      secretSealed: r.secret_sealed,
      userId: r.user_id,
      userName: r.user_name,
      principalId: r.principal_id,
      arn: r.arn,
      accountId: r.account_id,
      organizationId: r.organization_id,
    };
  },

  /**
   * Keeps the sealed secret of a key made before SigV4, the first time its secret is presented
   * (createSession verified it); a key that has one keeps it.
   */
  async sealSecret(pool: Pool, accessKeyId: string, sealed: Buffer): Promise<void> {
    await pool.query('UPDATE access_keys SET secret_sealed = $2 WHERE access_key_id = $1 AND secret_sealed IS NULL', [accessKeyId, sealed]);
  },

  /** A role by account and name, with its trust policy (assumeRole, as the service: roles of any account). */
  async assumableRole(pool: Pool, accountId: string, roleName: string): Promise<AssumableRoleRow | null> {
    const { rows } = await pool.query(
      `SELECT r.id, r.role_name, r.principal_id, r.arn, r.account_id, r.assume_role_policy, r.max_session_duration,
              a.organization_id
       FROM iam_roles r JOIN accounts a ON a.id = r.account_id
       WHERE r.account_id = $1 AND r.role_name = $2`,
      [accountId, roleName],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      roleName: r.role_name,
      principalId: r.principal_id,
      arn: r.arn,
      accountId: r.account_id,
      assumeRolePolicy: r.assume_role_policy,
      maxSessionDuration: r.max_session_duration,
      organizationId: r.organization_id,
    };
  },

  /**
   * The unique index on names is case-sensitive while IAM names are unique regardless of case:
   * creations of the same lower-cased name in one account are serialized until the transaction
   * ends, so both cannot pass the check.
   */
  async lockName(m: EntityManager, kind: 'user' | 'role', accountId: string, name: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`opentrail:iam:${kind}:${accountId}:${name.toLowerCase()}`]);
  },

  /** Whether the account has a user (or role) of that name, regardless of case. */
  nameTaken(m: EntityManager, kind: 'user' | 'role', accountId: string, name: string): Promise<boolean> {
    if (kind === 'user') {
      return m
        .createQueryBuilder(UserEntity, 'u')
        .where('u.account_id = :account AND lower(u.user_name) = lower(:userName)', { account: accountId, userName: name })
        .getExists();
    }
    return m
      .createQueryBuilder(RoleEntity, 'r')
      .where('r.account_id = :account AND lower(r.role_name) = lower(:roleName)', { account: accountId, roleName: name })
      .getExists();
  },

  /** Locks the user row until the transaction ends (its access-key quota is counted under it). */
  async lockUser(m: EntityManager, userId: string): Promise<void> {
    await m.query('SELECT id FROM iam_users WHERE id = $1 FOR UPDATE', [userId]);
  },

  /**
   * Up to `limit` users (or roles) of the account whose path starts with `pathPrefix`, by name,
   * after `afterName`.
   */
  listPage<E extends UserEntity | RoleEntity>(
    m: EntityManager,
    entity: new () => E,
    nameColumn: 'user_name' | 'role_name',
    opts: { accountId: string; pathPrefix: string; afterName: string | null; limit: number },
  ): Promise<E[]> {
    const qb = m
      .createQueryBuilder(entity, 'p')
      .where('p.account_id = :account', { account: opts.accountId })
      // Prefix match without LIKE so that `%` and `_` in a path are literal.
      .andWhere('left(p.path, length(:prefix)) = :prefix', { prefix: opts.pathPrefix })
      .orderBy(`p.${nameColumn}`, 'ASC')
      .take(opts.limit);
    if (opts.afterName !== null) qb.andWhere(`p.${nameColumn} > :after`, { after: opts.afterName });
    return qb.getMany();
  },

  /** Creates or replaces a principal's named inline policy. */
  async putInlinePolicy(
    m: EntityManager,
    accountId: string,
    kind: 'user' | 'role',
    principalRef: string,
    policyName: string,
    document: PolicyDocument,
  ): Promise<void> {
    await m
      .createQueryBuilder()
      .insert()
      .into(InlinePolicyEntity)
      .values({ accountId, principalType: kind, principalRef, policyName, document })
      .orUpdate(['document', 'updated_at'], ['account_id', 'principal_type', 'principal_ref', 'policy_name'])
      .execute();
  },

  /** How many principals of the account each managed policy is attached to. */
  async attachmentCounts(m: EntityManager, accountId: string): Promise<Array<{ policyArn: string; count: number }>> {
    const rows: Array<{ policy_arn: string; n: number }> = await m.query(
      'SELECT policy_arn, count(*)::int AS n FROM policy_attachments WHERE account_id = $1 GROUP BY policy_arn',
      [accountId],
    );
    return rows.map((r) => ({ policyArn: r.policy_arn, count: r.n }));
  },

  async insertUser(m: EntityManager, accountId: string, userName: string, path = '/'): Promise<UserEntity> {
    const user = m.create(UserEntity, {
      accountId,
      userName,
      path,
      principalId: newPrincipalId('AIDA'),
      arn: arns.user(accountId, userName, path),
    });
    return m.save(user);
  },

  async insertRole(
    m: EntityManager,
    accountId: string,
    input: { roleName: string; path?: string; description?: string; trustPolicy: PolicyDocument; maxSessionDuration?: number },
  ): Promise<RoleEntity> {
    const path = input.path ?? '/';
    const role = m.create(RoleEntity, {
      accountId,
      roleName: input.roleName,
      path,
      description: input.description ?? '',
      principalId: newPrincipalId('AROA'),
      arn: arns.role(accountId, input.roleName, path),
      assumeRolePolicy: input.trustPolicy,
      maxSessionDuration: input.maxSessionDuration ?? 3600,
    });
    return m.save(role);
  },

  /**
   * Creates an access key; the plaintext secret is returned once and stored only hashed and, with
   * `secrets`, sealed for SigV4. Without it (fixtures creating tenants straight in the database)
   * the key is sealed on its first createSession, as keys made before SigV4 are.
   */
  async insertAccessKey(
    m: EntityManager,
    accountId: string,
    userId: string,
    secrets: AccessKeySecrets | null,
  ): Promise<{ key: AccessKeyEntity; secretAccessKey: string }> {
    const secretAccessKey = newSecretAccessKey();
    const salt = newSalt();
    const accessKeyId = newAccessKeyId('AKIA');
    const key = await m.save(
      m.create(AccessKeyEntity, {
        accessKeyId,
        accountId,
        userId,
        secretSalt: salt,
        secretHash: hashSecret(secretAccessKey, salt),
        secretSealed: secrets ? secrets.seal(accessKeyId, secretAccessKey) : null,
        status: 'Active',
      }),
    );
    return { key, secretAccessKey };
  },

  async attachManagedPolicy(
    m: EntityManager,
    accountId: string,
    kind: 'user' | 'role',
    principalRef: string,
    policyArn: string,
  ): Promise<void> {
    await m
      .createQueryBuilder()
      .insert()
      .into(PolicyAttachmentEntity)
      .values({ accountId, principalType: kind, principalRef, policyArn })
      .orIgnore()
      .execute();
  },
};
