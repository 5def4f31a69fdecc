import { PARTITION } from '../common/arn';
import { KmsErrors } from './kms.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const KEY_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/(.+)$/;

export const keyArn = (region: string, accountId: string, keyId: string) => `arn:${PARTITION}:kms:${region}:${accountId}:key/${keyId}`;

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

/** A key ARN (as trails and objects store it), or null when it is not one. */
export function parseKeyArn(arn: string): KeyRef | null {
  const m = KEY_ARN.exec(arn);
  if (!m || !UUID.test(m[3])) return null;
  return { region: m[1], accountId: m[2], keyId: m[3], arn };
}
