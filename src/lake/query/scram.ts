import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';

/** PostgreSQL's default SCRAM iteration count (scram_iterations). */
const ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802/7677), in the form
 * `ALTER ROLE … PASSWORD` accepts pre-hashed: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`.
 * Sending it instead of the password keeps the password out of the server's statement log.
 * With a fixed salt the verifier is the same at every start (setting it again changes nothing).
 */
export function scramSha256Verifier(password: string, salt: Buffer, iterations = ITERATIONS): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
