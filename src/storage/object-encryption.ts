import { OpenTrailError } from '../common/errors';
import type { Caller } from '../common/request-context';
import { DecryptionError, decryptGcm, encryptGcm } from '../crypto/aes-gcm';
import type { StoredObject } from './object-store';
import { StorageErrors } from './storage.errors';

/**
 * SSE-KMS for objects the CloudTrail service writes (trail log files, Insights files): envelope
 * encryption with a fresh data key per object, generated under the customer's KMS key. Only the
 * wrapped data key is stored, in the object's metadata next to what S3 would report:
 *   x-amz-server-side-encryption                 aws:kms
 *   x-amz-server-side-encryption-aws-kms-key-id  the key ARN
 *   x-amz-server-side-encryption-context         base64 of the encryption context JSON (as S3 returns it)
 *   x-opentrail-kms-data-key                     base64 of the wrapped data key (AES-256-GCM blob under the key)
 * The body is AES-256-GCM under the data key with the canonical context as associated data. The
 * backend's own SSE applies on top, so the stored bytes never hold plaintext either way.
 */
export const SSE_HEADER = 'x-amz-server-side-encryption';
export const SSE_KMS_KEY_HEADER = 'x-amz-server-side-encryption-aws-kms-key-id';
export const SSE_CONTEXT_HEADER = 'x-amz-server-side-encryption-context';
export const DATA_KEY_HEADER = 'x-opentrail-kms-data-key';

/**
 * Who decrypts: a caller (kms:Decrypt by IAM and key policy), or the service, for itself or on
 * behalf of `forAccount` (a Lake import): then a key of another tenant opens only objects that
 * were encrypted for that account's own trails (key-use.service.ts decryptDataKey).
 */
export type KeyRequester = { caller: Caller } | { service: true; forAccount?: string };

/** What storage needs of KMS (src/kms implements it); errors carry KMS exception codes. */
export interface ObjectKeyring {
  /** GenerateDataKey as cloudtrail.amazonaws.com for sourceAccount: the key policy must allow it for this context and source. */
  generateDataKey(req: {
    keyArn: string;
    context: Record<string, string>;
    sourceArn?: string;
    sourceAccount: string;
  }): Promise<{ plaintext: Buffer; ciphertextBlob: Buffer }>;
  /** Decrypt of a wrapped data key: a caller needs kms:Decrypt (IAM and key policy); the service's own reads do not. */
  decryptDataKey(req: {
    keyArn: string;
    ciphertextBlob: Buffer;
    context: Record<string, string>;
    requester: KeyRequester;
  }): Promise<Buffer>;
}

export interface KmsEncryption {
  keyArn: string;
  context: Record<string, string>;
}

export function canonicalContext(context: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(context)
      .sort()
      .map((k) => [k, context[k]]),
  );
}

const bodyAad = (context: Record<string, string>) => `opentrail-sse-kms:${canonicalContext(context)}`;

export function isKmsEncrypted(metadata: Record<string, string>): boolean {
  return metadata[SSE_HEADER] === 'aws:kms';
}

/** Encrypts a service-written body under a customer key; KMS failures become `KMS.<code>` (delivery records them). */
export async function encryptWithKms(
  keyring: ObjectKeyring,
  body: Buffer,
  enc: KmsEncryption & { sourceArn?: string; sourceAccount: string },
): Promise<{ body: Buffer; metadata: Record<string, string> }> {
  let dataKey;
  try {
    dataKey = await keyring.generateDataKey(enc);
  } catch (err) {
    throw asKmsError(err);
  }
  try {
    return {
      body: encryptGcm(dataKey.plaintext, body, bodyAad(enc.context)),
      metadata: {
        [SSE_HEADER]: 'aws:kms',
        [SSE_KMS_KEY_HEADER]: enc.keyArn,
        [SSE_CONTEXT_HEADER]: Buffer.from(JSON.stringify(enc.context)).toString('base64'),
        [DATA_KEY_HEADER]: dataKey.ciphertextBlob.toString('base64'),
      },
    };
  } finally {
    dataKey.plaintext.fill(0);
  }
}

/**
 * The plaintext of an SSE-KMS object, for a requester allowed kms:Decrypt on its key. A caller
 * without it gets AccessDenied (as S3 answers GetObject); a disabled or deleted key `KMS.<code>`.
 * The returned metadata still says aws:kms and names the key (as S3's response headers do).
 */
export async function decryptKmsObject(keyring: ObjectKeyring, object: StoredObject, requester: KeyRequester): Promise<StoredObject> {
  const keyArn = object.metadata[SSE_KMS_KEY_HEADER];
  const blob = object.metadata[DATA_KEY_HEADER];
  let context: Record<string, string>;
  try {
    context = JSON.parse(Buffer.from(object.metadata[SSE_CONTEXT_HEADER] ?? '', 'base64').toString('utf8')) as Record<string, string>;
  } catch {
    throw new OpenTrailError('KMS.InvalidCiphertextException', "The object's encryption context is unreadable.");
  }
  if (!keyArn || !blob || typeof context !== 'object' || context === null)
    throw new OpenTrailError('KMS.InvalidCiphertextException', "The object's SSE-KMS metadata is incomplete.");
  let dataKey: Buffer;
  try {
    dataKey = await keyring.decryptDataKey({ keyArn, ciphertextBlob: Buffer.from(blob, 'base64'), context, requester });
  } catch (err) {
    if ((err as { code?: string }).code === 'AccessDeniedException') throw StorageErrors.accessDenied();
    throw asKmsError(err);
  }
  try {
    const body = decryptGcm(dataKey, object.body, bodyAad(context));
    const { [DATA_KEY_HEADER]: _wrapped, ...metadata } = object.metadata;
    return { ...object, body, size: body.length, metadata };
  } catch (err) {
    if (err instanceof DecryptionError)
      throw new OpenTrailError('KMS.InvalidCiphertextException', 'The object does not decrypt under its data key: it was modified.');
    throw err;
  } finally {
    dataKey.fill(0);
  }
}

function asKmsError(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (err instanceof OpenTrailError && typeof code === 'string' && !code.startsWith('KMS.'))
    return new OpenTrailError(`KMS.${code}`, err.message, err.httpStatus);
  return err;
}
