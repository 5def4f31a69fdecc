import type { RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * Gives `points` back to a fixed-window counter without ever taking it below zero. A reward
 * that lands after the window it was consumed in ended would otherwise make a new window start
 * negative (rate-limiter-flexible stores the reward as -points), and each such hand-back would add
 * one more free use to the next window: concurrency slots and sign-in allowances would grow.
 */
export async function rewardFloored(limiter: RateLimiterAbstract, key: string, points = 1): Promise<void> {
  const res = await limiter.reward(key, points);
  if (res.consumedPoints < 0) await limiter.delete(key);
}
