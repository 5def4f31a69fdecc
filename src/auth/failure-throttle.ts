import type { RedisConnection } from '../common/redis-client';
import { rewardFloored } from '../common/rate-limit-reward';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** One counter of a throttle: its Redis key and how many attempts it lets through freely. */
export interface ThrottleDimension {
  key: string;
  freeAttempts: number;
}

export interface FailureThrottleSettings {
  /** Redis key prefix of the installation (REDIS_PREFIX) plus the throttle's own name. */
  keyPrefix: string;
  /** First delay after the free attempts; each further attempt doubles it. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** Attempts are forgotten this long after the first one of a run (a fixed window per counter). */
  windowSeconds: number;
}

/** The outcome of asking to go ahead: `ok`, or the seconds to wait and the counter that refused. */
export type ThrottleDecision = { ok: true; counts: number[] } | { ok: false; retryAfterSeconds: number; dimension: string };

/**
 * Consecutive-failure throttling in Redis, so it holds across api replicas (rate-limiter-flexible's
 * login-protection pattern). Each dimension has two counters:
 *
 * - `attempts` counts the attempts of the current window, incremented atomically *before* the
 *   attempt is judged. Counting only after a failure would let a burst of parallel guesses all be
 *   judged before the first failure is stored.
 * - once `attempts` is past the free allowance, an attempt must also take the single slot of
 *   `gate`, a key that lives for the current delay: base × 2^(attempts − free − 1), capped. One
 *   attempt per delay window gets through; the rest are refused without being judged (and are
 *   handed back to `attempts`, so a flood of refused attempts does not lengthen the delay: only
 *   judged attempts do).
 *
 * `succeeded` resets a dimension (the attempts before a success were not an attack) or only hands
 * back the successful attempt (for dimensions, like an address, that a success must not launder).
 */
export class FailureThrottle {
  private readonly attempts: RateLimiterRedis;
  private readonly gate: RateLimiterRedis;

  constructor(
    redis: RedisConnection,
    private readonly settings: FailureThrottleSettings,
  ) {
    this.attempts = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${settings.keyPrefix}:attempts`,
      points: Number.MAX_SAFE_INTEGER,
      duration: settings.windowSeconds,
    });
    this.gate = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${settings.keyPrefix}:gate`,
      points: 1,
      duration: settings.baseDelaySeconds,
    });
  }

  /** Delay before the next attempt, once `overLimit` attempts went past the free allowance. */
  delaySeconds(overLimit: number): number {
    const { baseDelaySeconds, maxDelaySeconds } = this.settings;
    return Math.min(maxDelaySeconds, baseDelaySeconds * 2 ** Math.min(Math.max(overLimit - 1, 0), 30));
  }

  /**
   * Counts one attempt on every dimension, in the order given, and decides whether it may be
   * judged. A refusal hands the attempt back to the dimensions it was counted on.
   */
  async attempt(dimensions: ThrottleDimension[]): Promise<ThrottleDecision> {
    const counts: number[] = [];
    for (const [i, dimension] of dimensions.entries()) {
      const { consumedPoints } = await this.attempts.penalty(dimension.key, 1);
      counts.push(consumedPoints);
      const overLimit = consumedPoints - dimension.freeAttempts;
      if (overLimit <= 0) continue;
      try {
        await this.gate.consume(dimension.key, 1, { customDuration: this.delaySeconds(overLimit) });
      } catch (refused) {
        if (!(refused instanceof RateLimiterRes)) throw refused;
        await Promise.all(dimensions.slice(0, i + 1).map((d) => rewardFloored(this.attempts, d.key)));
        return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(refused.msBeforeNext / 1000)), dimension: dimension.key };
      }
    }
    return { ok: true, counts };
  }

  /**
   * Without counting anything: whether an attempt now would be refused (the seconds to wait, or
   * null), and the attempts each dimension holds. For callers that succeed far more often than
   * they fail (SigV4 requests), which count only their failures with `attempt`.
   */
  async standing(dimensions: ThrottleDimension[]): Promise<{ retryAfterSeconds: number | null; counts: number[] }> {
    const states = await Promise.all(
      dimensions.map(async (d) => {
        const [attempts, gate] = await Promise.all([this.attempts.get(d.key), this.gate.get(d.key)]);
        return { d, consumed: Math.max(0, attempts?.consumedPoints ?? 0), gate };
      }),
    );
    let retryAfterSeconds: number | null = null;
    for (const { d, consumed, gate } of states) {
      // The next attempt would be past the allowance and the one judged attempt of the current
      // delay has been taken: `attempt` would refuse it.
      if (consumed + 1 > d.freeAttempts && gate && gate.consumedPoints >= 1 && gate.msBeforeNext > 0) {
        retryAfterSeconds = Math.max(retryAfterSeconds ?? 1, Math.ceil(gate.msBeforeNext / 1000));
      }
    }
    return { retryAfterSeconds, counts: states.map((s) => s.consumed) };
  }

  /** After a success: `reset` dimensions start afresh; the others only get this attempt back. */
  async succeeded(reset: ThrottleDimension[], handBack: ThrottleDimension[]): Promise<void> {
    await Promise.all([
      ...reset.flatMap((d) => [this.attempts.delete(d.key), this.gate.delete(d.key)]),
      ...handBack.map((d) => rewardFloored(this.attempts, d.key)),
    ]);
  }
}
