import type { RedisConnection } from '../common/redis-client';
import ipaddr from 'ipaddr.js';
import type { Logger } from 'pino';
import { ThrottlingError } from '../common/errors';
import type { Config } from '../config';
import { FailureThrottle, type ThrottleDimension } from './failure-throttle';

/**
 * The counters of a source address. IPv6 clients usually hold a whole /64, so an address stands for
 * its /64; IPv4 addresses stand for themselves. Anything unparsable shares one counter.
 */
export function addressKey(sourceIp: string): string {
  try {
    const parsed = ipaddr.process(sourceIp);
    if (parsed.kind() === 'ipv4') return parsed.toString();
    return `${parsed
      .toByteArray()
      .slice(0, 8)
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('')}::/64`;
  } catch {
    return 'unparsable';
  }
}

/** An attempt that was let through: report a success, or nothing (a failure stays counted). */
export interface SignInAttempt {
  succeeded(): Promise<void>;
}

/**
 * Throttles `createSession` by address, by (access key id, address) and by access key id (see
 * failure-throttle.ts for the mechanism). The address comes first so that a refused spray of
 * made-up key ids creates no per-key counters in Redis:
 *
 * - (key, address) is tight, so an attacker hammering one key from one place is slowed at once,
 *   while the key's owner signing in from elsewhere is not;
 * - the address alone bounds one place spraying many key ids; a success there only hands back its
 *   own attempt, so an attacker's own valid key cannot launder the address's failures;
 * - the key alone bounds many places guessing one key; it only counts attempts that got through
 *   the first two, so one noisy address barely moves it.
 *
 * A malformed access key id has no key counters (it names no key; nothing to lock), only the
 * address's. If Redis cannot be reached the attempt is let through and logged: the secret's 240
 * bits are what stop guessing, the throttle bounds its cost.
 */
export class SignInThrottle {
  private readonly throttle: FailureThrottle;

  constructor(
    redis: RedisConnection,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {
    this.throttle = new FailureThrottle(redis, {
      keyPrefix: `${config.redisPrefix}:signin`,
      baseDelaySeconds: config.signinBaseDelaySeconds,
      maxDelaySeconds: config.signinMaxDelaySeconds,
      windowSeconds: config.signinFailureWindowSeconds,
    });
  }

  private dimensions(accessKeyId: string | null, sourceIp: string) {
    const address = addressKey(sourceIp);
    const keyAddress: ThrottleDimension[] = accessKeyId
      ? [{ key: `key-address:${accessKeyId}:${address}`, freeAttempts: this.config.signinFreeFailuresPerKeyAddress }]
      : [];
    const byAddress: ThrottleDimension = { key: `address:${address}`, freeAttempts: this.config.signinFreeFailuresPerAddress };
    const byKey: ThrottleDimension[] = accessKeyId
      ? [{ key: `key:${accessKeyId}`, freeAttempts: this.config.signinFreeFailuresPerKey }]
      : [];
    return { keyAddress, byAddress, byKey };
  }

  private throttled(retryAfterSeconds: number): ThrottlingError {
    return new ThrottlingError(retryAfterSeconds, `Rate exceeded: too many failed sign-ins. Retry after ${retryAfterSeconds} seconds.`);
  }

  /** Throws ThrottlingError when any counter is past its allowance and its delay has not passed. */
  async begin(accessKeyId: string | null, sourceIp: string): Promise<SignInAttempt> {
    const { keyAddress, byAddress, byKey } = this.dimensions(accessKeyId, sourceIp);
    let decision;
    try {
      decision = await this.throttle.attempt([byAddress, ...keyAddress, ...byKey]);
    } catch (err) {
      this.logger.warn({ err }, 'sign-in throttle unavailable (Redis); attempt not throttled');
      return { succeeded: async () => undefined };
    }
    if (!decision.ok) throw this.throttled(decision.retryAfterSeconds);
    return {
      succeeded: async () => {
        try {
          await this.throttle.succeeded([...keyAddress, ...byKey], [byAddress]);
        } catch (err) {
          this.logger.warn({ err }, 'sign-in throttle could not be reset after a success');
        }
      },
    };
  }

  /**
   * A SigV4-signed request is a sign-in too (it proves the secret), on the same counters as
   * `createSession`: a key, an address or a (key, address) that createSession would refuse is
   * refused here (ThrottlingError), and each signature that fails to verify counts as a failed
   * sign-in. Unlike `begin`, a request is not counted before it is judged: nearly every signed
   * request succeeds, and counting them all would cost every request several Redis writes. What
   * that gives up is the bound on a parallel burst of guesses sent before the first failure is
   * counted, which the secret's 240 bits make harmless.
   */
  async beginSigned(accessKeyId: string | null, sourceIp: string): Promise<SignedAttempt> {
    const { keyAddress, byAddress, byKey } = this.dimensions(accessKeyId, sourceIp);
    const all = [byAddress, ...keyAddress, ...byKey];
    let standing;
    try {
      standing = await this.throttle.standing(all);
    } catch (err) {
      this.logger.warn({ err }, 'sign-in throttle unavailable (Redis); signed request not throttled');
      return { failed: async () => undefined, succeeded: async () => undefined };
    }
    if (standing.retryAfterSeconds !== null) throw this.throttled(standing.retryAfterSeconds);
    const keyHadFailures = standing.counts.slice(1).some((count) => count > 0);
    return {
      failed: async () => {
        try {
          await this.throttle.attempt(all);
        } catch (err) {
          this.logger.warn({ err }, 'sign-in throttle could not count a failed signature');
        }
      },
      succeeded: async () => {
        if (!keyHadFailures) return;
        try {
          await this.throttle.succeeded([...keyAddress, ...byKey], []);
        } catch (err) {
          this.logger.warn({ err }, 'sign-in throttle could not be reset after a success');
        }
      },
    };
  }
}

/** A signed request let through: report whether its signature failed or verified. */
export interface SignedAttempt {
  failed(): Promise<void>;
  succeeded(): Promise<void>;
}
