import IORedis from 'ioredis';
import { FailureThrottle } from '../../src/auth/failure-throttle';
import { addressKey, SignInThrottle } from '../../src/auth/signin-throttle';
import { createLogger } from '../../src/observability/logger';
import { loadConfig } from '../../src/config';
import net from 'node:net';
import { deleteRedisPrefix } from '../../src/common/redis-prefix';
import { uniqueName } from '../helpers/test-app';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The throttle's mechanism on the real Redis: what a burst, a flood and a success do to it. */
describe('FailureThrottle', () => {
  const prefix = uniqueName('ot-throttle');
  let redis: IORedis;
  let throttle: FailureThrottle;

  beforeAll(() => {
    redis = new IORedis(REDIS_URL);
    throttle = new FailureThrottle(redis, { keyPrefix: `${prefix}:t`, baseDelaySeconds: 30, maxDelaySeconds: 120, windowSeconds: 600 });
  });
  afterAll(async () => {
    await deleteRedisPrefix(REDIS_URL, prefix);
    redis.disconnect();
  });

  it('doubles the delay per attempt past the allowance, up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 40].map((n) => throttle.delaySeconds(n))).toEqual([30, 60, 120, 120, 120, 120]);
  });

  it('a burst of 300 parallel attempts lets through only the free ones and one more: attempts are counted before they are judged', async () => {
    const dimension = { key: 'burst', freeAttempts: 5 };
    const started = Date.now();
    const decisions = await Promise.all(Array.from({ length: 300 }, () => throttle.attempt([dimension])));
    const elapsedSeconds = Math.ceil((Date.now() - started) / 1000);
    expect(decisions.filter((d) => d.ok)).toHaveLength(6);
    const refused = decisions.filter((d) => !d.ok);
    expect(refused).toHaveLength(294);
    // The 30 s delay of the sixth attempt, less the time the burst itself took (seconds on a loaded machine).
    for (const r of refused) if (!r.ok) expect(r.retryAfterSeconds).toBeGreaterThanOrEqual(30 - elapsedSeconds - 1);
    for (const r of refused) if (!r.ok) expect(r.retryAfterSeconds).toBeLessThanOrEqual(30);
    // Refused attempts were handed back: the count is that of the judged ones.
    expect(Number(await redis.get(`${prefix}:t:attempts:burst`))).toBe(6);
  });

  it('a refusal on a later dimension hands the attempt back to the earlier ones', async () => {
    const first = { key: 'outer', freeAttempts: 100 };
    const second = { key: 'inner', freeAttempts: 1 };
    expect((await throttle.attempt([first, second])).ok).toBe(true);
    expect((await throttle.attempt([first, second])).ok).toBe(true); // opens inner's first delay
    expect(await throttle.attempt([first, second])).toMatchObject({ ok: false, dimension: 'inner' });
    expect(Number(await redis.get(`${prefix}:t:attempts:outer`))).toBe(2);
    expect(Number(await redis.get(`${prefix}:t:attempts:inner`))).toBe(2);
  });

  it('a success resets the dimensions it names and only hands back its attempt on the others', async () => {
    const key = { key: 'key', freeAttempts: 2 };
    const address = { key: 'address', freeAttempts: 50 };
    for (let i = 0; i < 3; i++) expect((await throttle.attempt([address, key])).ok).toBe(true);
    expect((await throttle.attempt([address, key])).ok).toBe(false);
    await throttle.succeeded([key], [address]);
    expect(await redis.exists(`${prefix}:t:attempts:key`, `${prefix}:t:gate:key`)).toBe(0);
    expect(Number(await redis.get(`${prefix}:t:attempts:address`))).toBe(2);
    expect((await throttle.attempt([address, key])).ok).toBe(true);
  });

  it('standing tells, without counting, whether attempt would refuse (what SigV4 requests ask)', async () => {
    const key = { key: 'standing', freeAttempts: 2 };
    for (let i = 0; i < 5; i++) expect(await throttle.standing([key])).toEqual({ retryAfterSeconds: null, counts: [0] });
    expect(await redis.exists(`${prefix}:t:attempts:standing`)).toBe(0);
    // The free attempts and the one judged past them: standing lets each of them through.
    for (let i = 0; i < 3; i++) {
      expect((await throttle.standing([key])).retryAfterSeconds).toBeNull();
      expect((await throttle.attempt([key])).ok).toBe(true);
    }
    const refused = await throttle.standing([key]);
    expect(refused.counts).toEqual([3]);
    expect(refused.retryAfterSeconds).toBeGreaterThan(25);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect((await throttle.attempt([key])).ok).toBe(false);
    // Another dimension beside it is not refused, but the pair is.
    expect((await throttle.standing([{ key: 'other', freeAttempts: 2 }])).retryAfterSeconds).toBeNull();
    expect((await throttle.standing([{ key: 'other', freeAttempts: 2 }, key])).retryAfterSeconds).not.toBeNull();
  });
});

describe('addressKey', () => {
  it('keys IPv4 by address and IPv6 by its /64', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('2001:db8:1:2::1')).toBe('20010db800010002::/64');
    expect(addressKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(addressKey('not an address')).toBe('unparsable');
  });
});

describe('SignInThrottle without Redis', () => {
  it('lets sign-in attempts through at once when Redis cannot be reached (the secret is the wall; the throttle bounds cost)', async () => {
    // A port nobody listens on: connections are refused.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const config = loadConfig({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const redis = new IORedis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 500 });
    redis.on('error', () => undefined);
    try {
      const throttle = new SignInThrottle(redis, config, createLogger('silent'));
      for (let i = 0; i < 10; i++) {
        const attempt = await throttle.begin('AKIAAAAAAAAAAAAAAAAA', '203.0.113.9');
        await attempt.succeeded();
        const signed = await throttle.beginSigned('AKIAAAAAAAAAAAAAAAAA', '203.0.113.9');
        await signed.failed();
        await signed.succeeded();
      }
    } finally {
      redis.disconnect();
    }
  });
});
