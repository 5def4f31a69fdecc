import fs from 'node:fs';
import path from 'node:path';
import type { DataSource, EntityManager } from 'typeorm';
import { accountRepository } from '../accounts/account.repository';
import { arns } from '../common/arn';
import { newOrganizationId } from '../common/ids';
import type { AccessKeySecrets } from '../principals/access-key-secrets';
import { principalRepository } from '../principals/principal.repository';
import { OrganizationEntity } from './organization.entity';
import { organizationRepository } from './organization.repository';

export interface TenantCredentials {
  organizationId: string;
  accountId: string;
  userName: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Creates an organization with its management account and an `admin` user holding
 * AdministratorAccess and one access key. Used by first-start bootstrap and by the operator CLI
 * (`opentrail create-organization`), both of which talk to the database directly. With `secrets`
 * the key's secret is also sealed for SigV4; without it the key gains that on its first createSession.
 */
export async function createOrganizationWithAdmin(
  m: EntityManager,
  name: string,
  email?: string,
  secrets: AccessKeySecrets | null = null,
): Promise<TenantCredentials> {
  if (!/^[\w .,@+=-]{1,128}$/u.test(name)) {
    throw new Error('Organization name must be 1-128 letters, digits, spaces or _ . , @ + = -');
  }
  const organizationId = newOrganizationId();
  const account = await accountRepository.insertAccount(m, {
    organizationId,
    name: `${name} management`.slice(0, 50),
    email: email ?? `admin+${organizationId}@opentrail.local`,
  });
  await m.save(m.create(OrganizationEntity, { id: organizationId, name, managementAccountId: account.id, featureSet: 'ALL' }));
  const user = await principalRepository.insertUser(m, account.id, 'admin');
  await principalRepository.attachManagedPolicy(m, account.id, 'user', user.id, arns.managedPolicy('AdministratorAccess'));
  const { key, secretAccessKey } = await principalRepository.insertAccessKey(m, account.id, user.id, secrets);
  return { organizationId, accountId: account.id, userName: user.userName, accessKeyId: key.accessKeyId, secretAccessKey };
}

/**
 * On an empty database, creates the first organization and writes its admin credentials to a
 * 0600 file. Returns the credentials when it bootstrapped, null when tenants already existed.
 * An advisory lock keeps two processes starting together from both bootstrapping.
 */
export async function bootstrapIfEmpty(
  ds: DataSource,
  credentialsFile: string,
  secrets: AccessKeySecrets,
): Promise<TenantCredentials | null> {
  const credentials = await ds.transaction(async (m) => {
    await organizationRepository.lockBootstrap(m);
    const existing = await m.count(OrganizationEntity);
    if (existing > 0) return null;
    return createOrganizationWithAdmin(m, 'OpenTrail', undefined, secrets);
  });
  if (credentials) writeCredentialsFile(credentialsFile, credentials);
  return credentials;
}

export function writeCredentialsFile(file: string, credentials: TenantCredentials): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Remove first so an existing file with wider permissions is not reused.
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
}
