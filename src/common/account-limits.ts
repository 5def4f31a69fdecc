import type { RedisConnection } from './redis-client';
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import { ThrottlingError } from './errors';
import { rewardFloored } from './rate-limit-reward';

/** The per-account limits an operator tunes (src/config.ts: ACCOUNT_RATE_LIMIT_PER_SECOND …). */
export interface AccountLimitSettings {
  redisPrefix: string;
  /** Request points per second an account may spend, sustained (a small request is one point). */
  ratePerSecond: number;
  /** Extra points an account may spend above that rate in each BURST_WINDOW_SECONDS. */
  burst: number;
  /** Requests of one account served at the same time, across all api replicas. */
  maxConcurrent: number;
  /** Events per second an account may send to /ingest, on top of the points those events cost. */
  ingestEventsPerSecond: number;
  /** Extra events an account may send above that rate in each INGEST_BURST_WINDOW_SECONDS (an import). */
  ingestBurstEvents: number;
  /** /ingest uploads of one account written at the same time, across all api replicas. */
  maxConcurrentIngests: number;
}

/** What a request is admitted as: any call, or an /ingest upload (which also takes ingest budget). */
export type AdmissionKind = 'request' | 'ingest';

/**
 * A request point is one API call, or the work of 100 page items (src/graphql/limits.ts prices
 * operations in items), whichever is more: a request is charged one point on admission and the
 * rest of its price once known, so plain calls and 50-event lookup pages cost 1 point, a 1,000-key
 * page 11, and a document of 20 aliased root fields 20 (20 calls, 20 self-audit events).
 */
export const ITEMS_PER_POINT = 100;
/** The points of a GraphQL operation of estimated `cost` with `rootFields` root fields. */
export function requestPoints(cost: number, rootFields: number): number {
  return Math.max(1, rootFields, Math.ceil(cost / ITEMS_PER_POINT));
}
/**
 * /ingest: events written per point. Each written event costs what a small call does downstream
 * (an insert, its outbox routing, its trails and stores), so 1,000 events are 10 points: with the
 * defaults one account may ingest ~20,000 events/s sustained (about this machine's COPY ceiling,
 * notes/measured-limits.md), and under tuned limits (20 points/s) 2,000 (bench noisy-neighbour).
 */
export const EVENTS_WRITTEN_PER_POINT = 100;
/** Export: events read per point (reading 1,000 events took as long as ~120 page items, measured). */
export const EVENTS_READ_PER_POINT = 1000;

/** The burst allowance refills once per this many seconds. */
export const BURST_WINDOW_SECONDS = 10;
/** The ingest burst allowance refills once per this many seconds: an import's burst, not a flood's. */
export const INGEST_BURST_WINDOW_SECONDS = 60;
/**
 * A concurrency slot that is never given back (a replica that died mid-request) expires after
 * this long. The slot count is a fixed window of this length, so a request still running when
 * the window ends frees its slot early: at most that many extra requests for one window.
 */
const SLOT_LEASE_SECONDS = 60;

/** An admitted request: call release() exactly once when its response is finished. */
export interface Admission {
  release(): void;
}

/**
 * Per-account fairness for every request path (/graphql, /ingest, /event-history/export): a
 * token-bucket-like rate limit (rate-limiter-flexible's BurstyRateLimiter: a per-second budget
 * plus a burst budget per BURST_WINDOW_SECONDS) and a concurrency limit, both counted in Redis so
 * they hold across api replicas. When Redis is unreachable each replica falls back to the same
 * limits in its own memory (rate-limiter-flexible's insurance limiter) rather than refusing or
 * admitting everything.
 */
export class AccountLimits {
  private readonly perSecond: RateLimiterRedis;
  private readonly burst: RateLimiterRedis;
  private readonly rate: BurstyRateLimiter;
  private readonly slots: RateLimiterRedis;
  private readonly ingestPerSecond: RateLimiterRedis;
  private readonly ingestBurst: RateLimiterRedis;
  private readonly ingestRate: BurstyRateLimiter;
  private readonly ingestSlots: RateLimiterRedis;

  /**
   * `redis`: a fail-fast client (createLimitsRedis); an outage falls into the in-memory insurance limiter.
   * `onSpent`: told of every point an account spends (admission and charges), e.g. ContentionGuard.record.
   */
  constructor(
    private readonly redis: RedisConnection,
    private readonly settings: AccountLimitSettings,
    private readonly logger: Logger,
    private readonly onSpent: (accountId: string, points: number) => void = () => undefined,
  ) {
    const prefix = `${settings.redisPrefix}:limits`;
    const store = (keyPrefix: string, points: number, duration: number, blockInMemory: boolean) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${prefix}:${keyPrefix}`,
        points,
        duration,
        // An account that has spent its budget is refused from memory until the window ends,
        // without a Redis round trip per refused request (not for slots: those come back early).
        ...(blockInMemory ? { inMemoryBlockOnConsumed: points } : {}),
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${prefix}:${keyPrefix}`, points, duration }),
      });
    this.perSecond = store('rate', settings.ratePerSecond, 1, true);
    this.burst = store('burst', settings.burst, BURST_WINDOW_SECONDS, true);
    this.rate = new BurstyRateLimiter(this.perSecond, this.burst);
    this.slots = store('concurrent', settings.maxConcurrent, SLOT_LEASE_SECONDS, false);
    this.ingestPerSecond = store('ingest-rate', settings.ingestEventsPerSecond, 1, true);
    this.ingestBurst = store('ingest-burst', settings.ingestBurstEvents, INGEST_BURST_WINDOW_SECONDS, true);
    this.ingestRate = new BurstyRateLimiter(this.ingestPerSecond, this.ingestBurst);
    this.ingestSlots = store('ingest-concurrent', settings.maxConcurrentIngests, SLOT_LEASE_SECONDS, false);
  }

  /**
   * Charges an admitted request's work beyond the one point admission took, once its cost is
   * known (a GraphQL operation's estimated cost, the events an /ingest body held): the account's
   * next requests wait for it. Never refuses the request already running, and never throws.
   *
   * The points go to this second's budget as far as it has room, the rest to the burst budget;
   * what neither holds is owed, and the account is refused for as many seconds as those points
   * take at its rate. (A charge written only to this second's budget would be forgiven when the
   * second ends: a dear request at the end of a window would cost its account nothing.)
   * Read, then add: concurrent charges of one account may each see the same room, which admits
   * at most one request's price more than the budget.
   */
  async charge(accountId: string, points: number): Promise<void> {
    if (!Number.isInteger(points) || points < 1) return;
    this.onSpent(accountId, points);
    try {
      let owed = points;
      for (const [budget, size] of [
        [this.perSecond, this.settings.ratePerSecond],
        [this.burst, this.settings.burst],
      ] as const) {
        const spent = (await budget.get(accountId))?.consumedPoints ?? 0;
        const taken = Math.min(owed, Math.max(0, size - spent));
        if (taken > 0) await budget.penalty(accountId, taken);
        owed -= taken;
        if (owed === 0) return;
      }
      await this.perSecond.block(accountId, Math.ceil(owed / this.settings.ratePerSecond));
    } catch (err) {
      this.logger.warn({ err }, 'could not charge a request to its account');
    }
  }

  /**
   * Charges the events an admitted /ingest upload held (admission took one) to the account's
   * ingest budget: this second's, else the burst's. An upload neither has room for was still
   * written whole (never refused half-way) and spends both; the account's next uploads are then
   * refused for as many seconds as its events take at the budgeted rate.
   */
  async chargeIngest(accountId: string, events: number): Promise<void> {
    if (!Number.isInteger(events) || events < 2) return;
    const rest = events - 1;
    try {
      // Read, then add: a refused consume() would also block the key in memory until its window
      // ends, and that shorter block would answer the next upload with too early a Retry-After.
      const budgets: Array<[RateLimiterRedis, number]> = [
        [this.ingestPerSecond, this.settings.ingestEventsPerSecond],
        [this.ingestBurst, this.settings.ingestBurstEvents],
      ];
      for (const [budget, points] of budgets) {
        const spent = (await budget.get(accountId))?.consumedPoints ?? 0;
        if (spent + rest <= points) {
          await budget.penalty(accountId, rest);
          return;
        }
      }
      const owedSeconds = Math.max(1, Math.ceil(rest / this.settings.ingestEventsPerSecond));
      await Promise.all(budgets.map(([budget]) => budget.block(accountId, owedSeconds)));
    } catch (err) {
      this.logger.warn({ err }, 'could not charge ingested events to their account');
    }
  }

  /**
   * Admits one request of `accountId` or throws ThrottlingError (nothing is held then). An
   * 'ingest' admission also needs the account's ingest budget and one of its ingest slots.
   */
  async admit(accountId: string, kind: AdmissionKind = 'request'): Promise<Admission> {
    try {
      await this.rate.consume(accountId, 1);
      if (kind === 'ingest') await this.ingestRate.consume(accountId, 1);
    } catch (err) {
      throw this.refusal(err);
    }
    this.onSpent(accountId, 1);
    const held: RateLimiterRedis[] = [];
    try {
      for (const slots of kind === 'ingest' ? [this.slots, this.ingestSlots] : [this.slots]) {
        held.push(slots);
        await slots.consume(accountId, 1);
      }
    } catch (err) {
      // A refused consume still counted: give it back, or a flood would hold slots nobody uses.
      if (err instanceof RateLimiterRes) for (const slots of held) this.giveBack(slots, accountId);
      throw this.refusal(err, 1);
    }
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        for (const slots of held) this.giveBack(slots, accountId);
      },
    };
  }

  private giveBack(slots: RateLimiterRedis, accountId: string): void {
    rewardFloored(slots, accountId).catch((err) => this.logger.warn({ err }, 'could not release a concurrency slot'));
  }

  private refusal(err: unknown, retryAfterSeconds?: number): Error {
    if (!(err instanceof RateLimiterRes)) return err instanceof Error ? err : new Error(String(err));
    return new ThrottlingError(retryAfterSeconds ?? Math.max(1, Math.ceil(err.msBeforeNext / 1000)));
  }
}
