import { PARTITION } from '../common/arn';
import { KmsErrors } from './kms.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;

export const keyArn = (region: string, accountId: string, keyId: string) => `arn:${PARTITION}:kms:${region}:${accountId}:key/${keyId}`;
export const aliasArn = (region: string, accountId: string, aliasName: string) =>
  `arn:${PARTITION}:kms:${region}:${accountId}:${aliasName}`;

const ALIAS_NAME = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
const ALIAS_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):(alias\/.+)$/;

export interface AliasRef {
  accountId: string;
  region: string;
  aliasName: string;
  arn: string;
}

export interface KeyRef {
  accountId: string;
  region: string;
  keyId: string;
  arn: string;
}

/**
 * A KeyId argument as KMS accepts it: the key id (UUID) or the key ARN. A key ARN naming another
 * Region or account simply finds nothing there (NotFoundException), as in KMS; aliases are not
 * implemented and are reported as not found.
 */
export function parseKeyId(input: string, region: string, accountId: string): KeyRef {
  if (typeof input !== 'string' || input.length === 0 || input.length > 2048) throw KmsErrors.invalidKeyId(String(input ?? ''));
  if (UUID.test(input)) return { accountId, region, keyId: input, arn: keyArn(region, accountId, input) };
  if (input.startsWith('alias/') || /^arn:aws:kms:[^:]*:\d{12}:alias\//.test(input)) throw KmsErrors.notFound(input);
  if (input.startsWith('arn:')) {
    const m = KEY_ARN.exec(input);
    if (!m) throw KmsErrors.invalidArn(input);
    if (!UUID.test(m[3])) throw KmsErrors.notFound(input);
    return { region: m[1], accountId: m[2], keyId: m[3], arn: input };
  }
  throw KmsErrors.invalidKeyId(input);
}

/** A KeyId argument that may also be an alias name or alias ARN (DescribeKey, trails). */
export function parseKeyOrAlias(input: string, region: string, accountId: string): { key: KeyRef } | { alias: AliasRef } {
  if (typeof input === 'string' && input.startsWith('alias/')) {
    if (!ALIAS_NAME.test(input)) throw KmsErrors.notFound(input);
    return { alias: { accountId, region, aliasName: input, arn: aliasArn(region, accountId, input) } };
  }
  const m = typeof input === 'string' ? ALIAS_ARN.exec(input) : null;
  if (m) {
    if (!ALIAS_NAME.test(m[3])) throw KmsErrors.notFound(input);
    return { alias: { region: m[1], accountId: m[2], aliasName: m[3], arn: input } };
  }
  return { key: parseKeyId(input, region, accountId) };
}

/** An AliasName for CreateAlias/UpdateAlias/DeleteAlias: `alias/` + 1-250 of [A-Za-z0-9/_-]; `alias/aws/` is reserved. */
export function validateAliasName(name: string): string {
  if (typeof name !== 'string' || !ALIAS_NAME.test(name)) {
    throw KmsErrors.invalidAliasName(
      `Alias ${String(name).slice(0, 300)} must start with alias/ and contain only letters, digits, /, _ and - (at most 256 characters).`,
    );
  }
  if (name.startsWith('alias/aws/') || name === 'alias/aws')
    throw KmsErrors.invalidAliasName('Aliases starting with alias/aws/ are reserved for AWS managed keys.');
  return name;
}

/** A key ARN (as trails and objects store it), or null when it is not one. */
export function parseKeyArn(arn: string): KeyRef | null {
  const m = KEY_ARN.exec(arn);
  if (!m || !UUID.test(m[3])) return null;
  return { region: m[1], accountId: m[2], keyId: m[3], arn };
}
