import type { MasterKey } from '../crypto/master-key';
import { decryptGcm, encryptGcm } from '../crypto/aes-gcm';

/** The master key's purpose key for access key secrets; nothing else is sealed under it. */
const PURPOSE = 'access-key-secret';

/**
 * Access key secrets sealed for SigV4 (issue 14). SigV4 proves possession of the secret by an
 * HMAC the server must recompute, so the secret itself has to be recoverable: it is sealed with
 * AES-256-GCM under a key derived from the master key for this purpose only, bound to its access
 * key id (a sealed secret copied to another key's row fails to open). The salted hash stays what
 * createSession checks; the plaintext is never logged or recorded.
 */
export class AccessKeySecrets {
  private readonly key: Buffer;

  constructor(masterKey: MasterKey) {
    this.key = masterKey.deriveKey(PURPOSE);
  }

  seal(accessKeyId: string, secretAccessKey: string): Buffer {
    return encryptGcm(this.key, Buffer.from(secretAccessKey, 'utf8'), context(accessKeyId));
  }

  /** Throws DecryptionError when the blob was not sealed for this key id under this master key. */
  open(accessKeyId: string, sealed: Buffer): string {
    return decryptGcm(this.key, sealed, context(accessKeyId)).toString('utf8');
  }
}

const context = (accessKeyId: string) => `access-key:${accessKeyId}`;
