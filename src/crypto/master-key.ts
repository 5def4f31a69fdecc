import { hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decryptGcm, encryptGcm } from './aes-gcm';

export const MASTER_KEY_BYTES = 32;

/**
 * The root of OpenTrail's encryption at rest: signing keys' private halves, KMS key material and
 * the filesystem backend's service key are all protected by keys derived from it. It comes from
 * MASTER_KEY (base64 of 32 bytes) or, when unset, from a 0600 file created in DATA_DIR on first
 * start. Losing it makes everything it protects unreadable: back it up with the database.
 */
export class MasterKey {
  private readonly derived = new Map<string, Buffer>();

  constructor(private readonly key: Buffer) {
    if (key.length !== MASTER_KEY_BYTES) throw new Error(`master key must be ${MASTER_KEY_BYTES} bytes`);
  }

  static fromConfig(config: { masterKey: Buffer | null; dataDir: string }): MasterKey {
    if (config.masterKey) return new MasterKey(config.masterKey);
    const file = path.join(config.dataDir, 'master.key');
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, randomBytes(MASTER_KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== MASTER_KEY_BYTES) throw new Error(`${file} does not hold a base64 ${MASTER_KEY_BYTES}-byte key`);
    return new MasterKey(key);
  }

  /** A 32-byte key for one purpose (HKDF-SHA256): each use of the master key gets its own key. */
  deriveKey(purpose: string): Buffer {
    let key = this.derived.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', this.key, 'opentrail', purpose, MASTER_KEY_BYTES));
      this.derived.set(purpose, key);
    }
    return key;
  }

  /** Encrypts a secret for storage; `context` (e.g. "signing-key:<id>") must be given again to open it. */
  seal(plaintext: Buffer, context: string): Buffer {
    return encryptGcm(this.deriveKey('seal'), plaintext, context);
  }

  /** Opens what seal() produced; throws DecryptionError when the blob or its context is wrong. */
  open(sealed: Buffer, context: string): Buffer {
    return decryptGcm(this.deriveKey('seal'), sealed, context);
  }
}
