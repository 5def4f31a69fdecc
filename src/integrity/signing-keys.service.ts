import { createHash, createPrivateKey, createPublicKey, generateKeyPair, type KeyObject, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Pool } from 'pg';
import type { MasterKey } from '../crypto/master-key';
import { signingKeyRepository, type PublicKeyRow } from './signing-key.repository';

const generateKeyPairAsync = promisify(generateKeyPair);

export interface SigningKeySchedule {
  /** A new key starts every rotation period (slots aligned on the Unix epoch). */
  rotationSeconds: number;
  /** Each key's validity window; longer than the rotation period, so successive windows overlap. */
  validitySeconds: number;
}

export type PublicKeyInfo = PublicKeyRow;

export interface Signer {
  fingerprint: string;
  privateKey: KeyObject;
}

/** Lowercase hex MD5 of the DER public key (spec §6.5). */
export const fingerprintOf = (der: Buffer) => createHash('md5').update(der).digest('hex');

/**
 * Per-region RSA-2048 signing keys (spec §6.5). The key that signs at time t is the one of t's
 * rotation slot; it is created on first use. Creation is race-free across processes: the row is
 * inserted with ON CONFLICT on (region, valid_from) and every process then uses the stored winner.
 * Private keys are kept parsed (KeyObject) once opened: re-parsing costs ~4x per signature.
 */
export class SigningKeyService {
  private readonly signers = new Map<string, Promise<Signer>>();

  constructor(
    private readonly pool: Pool,
    private readonly masterKey: MasterKey,
    private readonly schedule: SigningKeySchedule,
  ) {
    if (schedule.validitySeconds <= schedule.rotationSeconds) throw new Error('signing key validity must exceed the rotation period');
  }

  /** Start of the rotation slot containing `at`. */
  slotStart(at: Date): Date {
    const period = this.schedule.rotationSeconds * 1000;
    return new Date(Math.floor(at.getTime() / period) * period);
  }

  /** The region's key for signing at `at` (created if its slot has none yet). */
  signerAt(region: string, at: Date): Promise<Signer> {
    const from = this.slotStart(at);
    const cacheKey = `${region}|${from.getTime()}`;
    let signer = this.signers.get(cacheKey);
    if (!signer) {
      signer = this.loadOrCreate(region, from);
      this.signers.set(cacheKey, signer);
      signer.catch(() => this.signers.delete(cacheKey));
      // Old slots are never asked for again; keep the cache small.
      if (this.signers.size > 256) this.signers.delete(this.signers.keys().next().value as string);
    }
    return signer;
  }

  /** Public keys of the region whose validity window overlaps [start, end], oldest first. */
  async publicKeys(region: string, start: Date, end: Date): Promise<PublicKeyInfo[]> {
    // The current key always exists, as CloudTrail's does: ListPublicKeys without times returns it.
    await this.signerAt(region, new Date());
    return signingKeyRepository.overlapping(this.pool, region, start, end);
  }

  private async loadOrCreate(region: string, validFrom: Date): Promise<Signer> {
    const existing = await this.find(region, validFrom);
    if (existing) return existing;
    const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 65537 });
    const der = publicKey.export({ type: 'pkcs1', format: 'der' });
    const id = randomUUID();
    const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    const sealed = this.masterKey.seal(pkcs8, `signing-key:${id}`);
    pkcs8.fill(0);
    const validTo = new Date(validFrom.getTime() + this.schedule.validitySeconds * 1000);
    await signingKeyRepository.insertUnlessSlotTaken(this.pool, {
      id,
      region,
      fingerprint: fingerprintOf(der),
      publicKeyDer: der,
      privateKeySealed: sealed,
      validFrom,
      validTo,
    });
    const stored = await this.find(region, validFrom);
    if (!stored) throw new Error(`signing key for ${region} at ${validFrom.toISOString()} vanished`);
    return stored;
  }

  private async find(region: string, validFrom: Date): Promise<Signer | null> {
    const row = await signingKeyRepository.bySlot(this.pool, region, validFrom);
    if (!row) return null;
    const pkcs8 = this.masterKey.open(row.privateKeySealed, `signing-key:${row.id}`);
    try {
      return { fingerprint: row.fingerprint, privateKey: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }) };
    } finally {
      pkcs8.fill(0); // the KeyObject holds its own copy; the opened DER must not linger in the heap
    }
  }
}

/** Loads a public key Value as validate-logs does: PKCS#1 RSAPublicKey DER, or X.509 SubjectPublicKeyInfo DER. */
export function loadPublicKeyDer(der: Buffer): KeyObject {
  try {
    return createPublicKey({ key: der, format: 'der', type: 'pkcs1' });
  } catch {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  }
}
