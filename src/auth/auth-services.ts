import type { RedisConnection } from '../common/redis-client';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import type { MasterKey } from '../crypto/master-key';
import type { AccessKeySecrets } from '../principals/access-key-secrets';
import { Authenticator } from './authenticator';
import { FailureThrottle } from './failure-throttle';
import { SessionSecrets } from './session-secrets';
import { SessionService } from './session.service';
import { SignInThrottle } from './signin-throttle';
import type { TokenService } from './token.service';
import { UnattributedCalls } from './unattributed-calls';

export interface AuthServices {
  authenticator: Authenticator;
  sessions: SessionService;
  /** The secrets of temporary credentials, derived from their session tokens. */
  sessionSecrets: SessionSecrets;
  /** Records calls with no, bad or unknown credentials in the installation's management account. */
  unattributedCalls: UnattributedCalls;
  /** createSession's throttle, which SigV4-signed requests pass as well. */
  signInThrottle: SignInThrottle;
}

/** Authentication, sessions and their Redis-held throttles (on the limiters' connection, createLimitsRedis). */
export function createAuthServices(
  config: Config,
  db: Database,
  tokens: TokenService,
  redis: RedisConnection,
  logger: Logger,
  keySecrets: AccessKeySecrets,
  masterKey: MasterKey,
): AuthServices {
  const log = logger.child({ module: 'auth' });
  const sessionSecrets = new SessionSecrets(masterKey);
  const unattributedCalls = new UnattributedCalls(
    db.pool,
    new FailureThrottle(redis, {
      keyPrefix: `${config.redisPrefix}:auth-failure-audit`,
      baseDelaySeconds: config.signinBaseDelaySeconds,
      maxDelaySeconds: config.signinMaxDelaySeconds,
      windowSeconds: config.signinFailureWindowSeconds,
    }),
    config.authFailureAuditFreePerAddress,
    log,
  );
  const signInThrottle = new SignInThrottle(redis, config, log);
  return {
    authenticator: new Authenticator(db.pool, tokens, keySecrets, sessionSecrets),
    sessions: new SessionService(db.pool, tokens, config.sessionTtlSeconds, signInThrottle, unattributedCalls, keySecrets, sessionSecrets),
    sessionSecrets,
    unattributedCalls,
    signInThrottle,
  };
}
