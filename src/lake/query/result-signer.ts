import { createSign } from 'node:crypto';
import type { SigningKeyService } from '../../integrity/signing-keys.service';

/**
 * Signs the hash list of a delivered query result (spec §6.9: SHA256withRSA, signature hex,
 * fingerprint = MD5 of the DER public key).
 */
export interface ResultSigner {
  sign(region: string, at: Date, data: string): Promise<{ signatureHex: string; fingerprint: string }>;
}

/**
 * Signs with the Region's signing key of the integrity module (the key of `at`'s rotation slot,
 * so `listPublicKeys` around queryCompleteTime in that Region returns it: the signature verifies
 * against its DER public key, as with digest files).
 */
export class RegionResultSigner implements ResultSigner {
  constructor(private readonly keys: Pick<SigningKeyService, 'signerAt'>) {}

  async sign(region: string, at: Date, data: string): Promise<{ signatureHex: string; fingerprint: string }> {
    const key = await this.keys.signerAt(region, at);
    return {
      signatureHex: createSign('RSA-SHA256').update(data, 'utf8').sign(key.privateKey).toString('hex'),
      fingerprint: key.fingerprint,
    };
  }
}
