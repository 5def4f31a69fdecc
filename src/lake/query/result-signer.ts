import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * Signs the hash list of a delivered query result (spec §6.9: SHA256withRSA, signature hex,
 * fingerprint = MD5 of the DER public key). The region's signing keys are built on another
 * branch; LocalResultSigner stands in until the merge replaces it with the real key service.
 */
export interface ResultSigner {
  sign(region: string, data: string): { signatureHex: string; fingerprint: string };
}

/** One RSA-2048 key per process and region, never stored (replaced at merge by the signing keys). */
export class LocalResultSigner implements ResultSigner {
  private readonly keys = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

  sign(region: string, data: string): { signatureHex: string; fingerprint: string } {
    const key = this.keyPair(region);
    const signatureHex = createSign('RSA-SHA256').update(data, 'utf8').sign(key.privateKey).toString('hex');
    return { signatureHex, fingerprint: createHash('md5').update(key.publicKey.export({ type: 'spki', format: 'der' })).digest('hex') };
  }

  /** The public key a signature of `region` verifies with (tests). */
  publicKey(region: string): KeyObject {
    return this.keyPair(region).publicKey;
  }

  private keyPair(region: string) {
    let key = this.keys.get(region);
    if (!key) {
      key = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.keys.set(region, key);
    }
    return key;
  }
}
