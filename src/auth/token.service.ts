import { createSecretKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { randomToken } from '../common/ids';
import { Errors } from '../common/errors';

/** Claims of an OpenTrail session token. Short names keep the bearer header small. */
export interface SessionClaims {
  /** user: a session of an IAM user's access key; role: an assumed-role session. */
  typ: 'user' | 'role';
  /** Account the session acts in. */
  acct: string;
  /** Organization of that account when the session was issued (informational; re-read per request). */
  org: string | null;
  /** Database id of the user or role. */
  pref: string;
  /** Long-term access key the session descends from; it must still be active on every request. */
  src: string;
  /** Access key id the session presents: the AKIA key for user sessions, an ASIA id for role sessions. */
  akid: string;
  /** Role session name (role sessions only). */
  sess?: string;
  sub: string;
  iat: number;
  exp: number;
}

const ALGORITHM = 'HS256';
const ISSUER = 'opentrail';

/**
 * Signs and verifies session tokens (HS256). Verification pins the algorithm, so `alg: none` and
 * algorithm-confusion tokens are rejected, and checks issuer and expiry.
 */
export class TokenService {
  // A KeyObject made once: given a string, jsonwebtoken re-parses it (first as a public key) on
  // every call, which was the largest CPU cost of a request.
  private readonly secret: KeyObject;

  constructor(secret: string) {
    this.secret = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  /** Reads the secret from JWT_SECRET, or from (creating on first use) a 0600 file in DATA_DIR. */
  static fromConfig(config: { jwtSecret: string | null; dataDir: string }): TokenService {
    if (config.jwtSecret) return new TokenService(config.jwtSecret);
    const file = path.join(config.dataDir, 'jwt-secret');
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, randomToken(48) + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return new TokenService(fs.readFileSync(file, 'utf8').trim());
  }

  issue(claims: Omit<SessionClaims, 'iat' | 'exp'>, ttlSeconds: number): { token: string; expiration: Date } {
    const now = Math.floor(Date.now() / 1000);
    const token = jwt.sign({ ...claims, iat: now, exp: now + ttlSeconds }, this.secret, {
      algorithm: ALGORITHM,
      issuer: ISSUER,
      jwtid: randomToken(12),
    });
    return { token, expiration: new Date((now + ttlSeconds) * 1000) };
  }

  /**
   * Verifies a token. An expired token whose signature is valid is reported as
   * ExpiredTokenException together with its claims, so the failed call can still be audited in
   * the right account; every other failure is UnrecognizedClientException.
   */
  verify(token: string): { claims: SessionClaims } | { error: ReturnType<typeof Errors.expiredToken>; claims?: SessionClaims } {
    try {
      const claims = jwt.verify(token, this.secret, { algorithms: [ALGORITHM], issuer: ISSUER }) as SessionClaims;
      if (!isSessionClaims(claims)) return { error: Errors.unauthenticated('The security token included in the request is invalid.') };
      return { claims };
    } catch (err) {
      if (err instanceof jwt.TokenExpiredError) {
        const claims = jwt.verify(token, this.secret, { algorithms: [ALGORITHM], issuer: ISSUER, ignoreExpiration: true }) as SessionClaims;
        return { error: Errors.expiredToken(), claims: isSessionClaims(claims) ? claims : undefined };
      }
      return { error: Errors.unauthenticated('The security token included in the request is invalid.') };
    }
  }
}

function isSessionClaims(value: unknown): value is SessionClaims {
  const c = value as Partial<SessionClaims>;
  return (
    typeof c === 'object' &&
    c !== null &&
    (c.typ === 'user' || c.typ === 'role') &&
    typeof c.acct === 'string' &&
    typeof c.pref === 'string' &&
    typeof c.src === 'string' &&
    typeof c.akid === 'string' &&
    typeof c.sub === 'string'
  );
}
