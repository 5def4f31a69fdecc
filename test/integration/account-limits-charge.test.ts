import type { AccountLimits } from '../../src/common/account-limits';
import { ThrottlingError } from '../../src/common/errors';
import { deleteRedisPrefix } from '../../src/common/redis-prefix';
import { uniqueName } from '../helpers/test-app';
import { connectedAccountLimits } from '../helpers/account-limits';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A request's price is charged once known. Written only to the per-second budget, a charge made
 * late in a one-second window was forgiven when that window ended: CI saw a 1,200-event /ingest
 * (12 points against 5/s + 5) followed by a call that was served, because the upload had taken
 * most of its window.
 */
describe('charging a price bigger than the per-second budget (real Redis)', () => {
  const prefix = uniqueName('ot-test');
  let limits: AccountLimits;
  let close: () => void;
  beforeAll(async () => {
    ({ limits, close } = await connectedAccountLimits(prefix, { ratePerSecond: 5, burst: 5 }));
  });
  afterAll(async () => {
    await deleteRedisPrefix(REDIS_URL, prefix);
    close();
  });

  it('keeps what the second cannot hold: the burst takes it, and the rest is owed in seconds', async () => {
    const account = '111111111111';
    (await limits.admit(account)).release();
    await sleep(900); // late in the window the admission opened
    await limits.charge(account, 40); // 4 fit this second, 5 the burst, 31 are owed: 7 s at 5/s
    await sleep(300); // the window has ended
    const refused = await limits.admit(account).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ThrottlingError);
    expect((refused as ThrottlingError).retryAfterSeconds).toBeGreaterThanOrEqual(5);
  });

  it('a charge within both budgets leaves the account served', async () => {
    const account = '222222222222';
    (await limits.admit(account)).release();
    await limits.charge(account, 6); // 4 this second, 2 of the burst
    (await limits.admit(account)).release(); // 3 of the burst left
  });
});
