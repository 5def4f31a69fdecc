import IORedis from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { rewardFloored } from '../../src/common/rate-limit-reward';
import { deleteRedisPrefix } from '../../src/common/redis-prefix';
import { uniqueName } from '../helpers/test-app';
import { connectedAccountLimits } from '../helpers/account-limits';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Slots and sign-in allowances are handed back with a reward. One that lands after the window it
 * was taken in used to leave the next window at -1: every long request (or a success timed at a
 * window's end) added a free use, so an account's concurrency limit grew minute by minute.
 */
describe('handing points back to fixed-window counters (real Redis)', () => {
  const prefix = uniqueName('ot-test');
  let redis: IORedis;
  beforeAll(() => {
    redis = new IORedis(REDIS_URL);
  });
  afterAll(async () => {
    await deleteRedisPrefix(REDIS_URL, prefix);
    redis.disconnect();
  });

  it('never takes a new window below zero', async () => {
    const limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:w`, points: 2, duration: 1 });
    await limiter.consume('k', 1);
    await sleep(1100); // the window the point was taken in has ended
    await rewardFloored(limiter, 'k');
    await limiter.consume('k', 1);
    await limiter.consume('k', 1);
    await expect(limiter.consume('k', 1)).rejects.toMatchObject({ consumedPoints: 3 });
  });

  it('an account whose requests outlive the slot window keeps its concurrency limit', async () => {
    const { limits, close } = await connectedAccountLimits(prefix, { maxConcurrent: 1, maxConcurrentIngests: 1 });
    try {
      // Released into a later window (simulated: its window's key expires before the release).
      const first = await limits.admit('111111111111');
      const slotKeys = await redis.keys(`${prefix}:limits:concurrent*111111111111`);
      expect(slotKeys).toHaveLength(1);
      await redis.del(...slotKeys);
      first.release();
      await sleep(100);
      const second = await limits.admit('111111111111');
      await expect(limits.admit('111111111111')).rejects.toMatchObject({ code: 'ThrottlingException' });
      second.release();
    } finally {
      close();
    }
  });
});
