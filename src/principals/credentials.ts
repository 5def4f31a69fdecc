import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** The shape of a long-term access key id (AKIA + 16 base32 characters). */
export const ACCESS_KEY_ID = /^AKIA[A-Z2-7]{16}$/;

/**
 * Secret access keys are 40 random characters (240 bits), so a salted SHA-256 is enough to make
 * a stolen hash useless: there is nothing to brute-force. A slow KDF would only slow sessions.
 */
export function hashSecret(secret: string, salt: string): string {
  return createHash('sha256').update(salt).update('\0').update(secret).digest('hex');
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

export function secretMatches(secret: string, salt: string, expectedHash: string): boolean {
  const actual = Buffer.from(hashSecret(secret, salt), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
