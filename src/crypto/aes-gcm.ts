import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM in one self-describing blob: `version(1) | iv(12) | tag(16) | ciphertext`.
 * The associated data binds a blob to where it belongs (an object key, a key id), so a blob
 * copied to another place fails to open instead of decrypting.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
/** How much longer a blob is than its plaintext. */
export const GCM_OVERHEAD_BYTES = HEADER_BYTES;

export class DecryptionError extends Error {
  constructor(message = 'ciphertext failed authentication') {
    super(message);
  }
}

export function encryptGcm(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
}

export function decryptGcm(key: Buffer, blob: Buffer, aad: string): Buffer {
  if (blob.length < HEADER_BYTES || blob[0] !== VERSION) throw new DecryptionError('not an OpenTrail AES-256-GCM blob');
  const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(1, 1 + IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(blob.subarray(1 + IV_BYTES, HEADER_BYTES));
  try {
    return Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    throw new DecryptionError();
  }
}
