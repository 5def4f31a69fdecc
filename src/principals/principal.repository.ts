import type { EntityManager } from 'typeorm';
import { arns } from '../common/arn';
import { newAccessKeyId, newPrincipalId, newSecretAccessKey } from '../common/ids';
import { hashSecret, newSalt } from '../auth/credentials';
import type { PolicyDocument } from '../policies/policy-document';
import { PolicyAttachmentEntity } from '../policies/policy-attachment.entity';
import { AccessKeyEntity } from './access-key.entity';
import { RoleEntity } from './role.entity';
import { UserEntity } from './user.entity';

/**
 * Low-level writes of principals shared by the IAM service, the session service and
 * organization bootstrap. Callers pass the EntityManager of their (tenant-scoped) transaction.
 */
export const principalRepository = {
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

  /** Creates an access key; the plaintext secret is returned once and never stored. */
  async insertAccessKey(m: EntityManager, accountId: string, userId: string): Promise<{ key: AccessKeyEntity; secretAccessKey: string }> {
    const secretAccessKey = newSecretAccessKey();
    const salt = newSalt();
    const key = await m.save(
      m.create(AccessKeyEntity, {
        accessKeyId: newAccessKeyId('AKIA'),
        accountId,
        userId,
        secretSalt: salt,
        secretHash: hashSecret(secretAccessKey, salt),
        status: 'Active',
      }),
    );
    return { key, secretAccessKey };
  },

  async attachManagedPolicy(m: EntityManager, accountId: string, kind: 'user' | 'role', principalRef: string, policyArn: string): Promise<void> {
    await m
      .createQueryBuilder()
      .insert()
      .into(PolicyAttachmentEntity)
      .values({ accountId, principalType: kind, principalRef, policyArn })
      .orIgnore()
      .execute();
  },
};
