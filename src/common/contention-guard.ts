import os from 'node:os';
import { performance } from 'node:perf_hooks';

/** How often the load is sampled and the accounts' spending decays. */
export const CONTENTION_SAMPLE_MS = 100;
/** Spending decays with this time constant: what an account spent in the last ~2 s. */
export const CONTENTION_DECAY_SECONDS = 2;
/** An account whose decayed spending is below this has not been active lately (≈ one point 1.4 s ago). */
const ACTIVE_POINTS = 0.5;
/** A tenant is shed only past this many times the mean of the other active tenants' spending… */
export const CONTENTION_SHARE_FACTOR = 2;
/**
 * …and past this much decayed spending (≈ 10 points a second sustained): a light tenant is never
 * shed. Half the tuned limits (20 points a second) under which the noisy-neighbour bench measured
 * tenant B's p99 at 2.0x.
 */
export const CONTENTION_MIN_POINTS = 20;
/** The load is smoothed with this time constant, so a flood that pauses while shed is still seen. */
export const CONTENTION_LOAD_SECONDS = 1;

/** The fraction of the machine in use since the last sample: host CPU (not niced) or this process's event loop, whichever is busier. */
export type LoadSampler = () => number;

/**
 * Host CPU in use (user, system and interrupt time of all cores; niced work is counted idle, it
 * yields the CPU) or this thread's event-loop utilization, whichever is higher, since the last call.
 */
export function hostLoadSampler(): LoadSampler {
  const cpuTimes = () => {
    let busy = 0;
    let total = 0;
    for (const { times } of os.cpus()) {
      busy += times.user + times.sys + times.irq;
      total += times.user + times.sys + times.irq + times.nice + times.idle;
    }
    return { busy, total };
  };
  let cpu = cpuTimes();
  let elu = performance.eventLoopUtilization();
  return () => {
    const nowCpu = cpuTimes();
    const nowElu = performance.eventLoopUtilization();
    const host = nowCpu.total > cpu.total ? (nowCpu.busy - cpu.busy) / (nowCpu.total - cpu.total) : 0;
    const loop = performance.eventLoopUtilization(nowElu, elu).utilization;
    cpu = nowCpu;
    elu = nowElu;
    return Math.max(host, loop);
  };
}

/**
 * Fairness under contention, per api process: while the machine is busy (load at or above
 * `busyFraction`) and more than one tenant is being served, a tenant spending far more than
 * the others (CONTENTION_SHARE_FACTOR times their mean, in request points over the last ~2 s) is
 * refused before anything is spent on its request. Rate limits alone cannot do this: a limit
 * generous enough for one tenant alone (the defaults let one account use the whole machine) is
 * also what a hostile tenant takes from its neighbours. Here an account keeps its whole limit
 * while the machine has room or its tenant is alone, and is cut back to about its neighbours'
 * pace while they wait for CPU. Only spending counts, so a tenant can escape it only by spending
 * less; a tenant is an organization, so its member accounts are measured together.
 *
 * Process-local on purpose: the load it protects is this process's and this machine's, and the
 * decision costs no Redis round trip, so refusing a flood costs ~nothing.
 */
export class ContentionGuard {
  /** Decayed points per tenant (an organization, or an account outside any). */
  private readonly spent = new Map<string, number>();
  /** The tenant of each account seen lately, so an account's charges count for its organization. */
  private readonly tenantOf = new Map<string, string>();
  /** Requests of each tenant running in this process. */
  private readonly running = new Map<string, number>();
  private busy: boolean;
  /** The smoothed load (0–1). */
  private load = 0;
  private readonly timer: NodeJS.Timeout;

  /**
   * @param busyFraction the load (0–1) from which the machine counts as contended (ACCOUNT_CONTENTION_CPU_PERCENT / 100).
   * @param sample the load since the previous sample; called every CONTENTION_SAMPLE_MS.
   */
  constructor(
    private readonly busyFraction: number,
    private readonly sample: LoadSampler = hostLoadSampler(),
  ) {
    this.busy = busyFraction <= 0;
    this.timer = setInterval(() => this.tick(), CONTENTION_SAMPLE_MS);
    this.timer.unref();
  }

  /** Points an account spent (admission and the charges after it); they count for its organization. */
  record(accountId: string, points: number): void {
    if (!(points > 0)) return;
    const tenant = this.tenantOf.get(accountId) ?? accountId;
    this.spent.set(tenant, (this.spent.get(tenant) ?? 0) + points);
  }

  /**
   * Admits the next request of `accountId` (of `organizationId`, when it has one), or answers
   * null when it should be refused: the machine is contended and this tenant is the one crowding
   * it. Call the returned leave() exactly once when the request is finished.
   *
   * While contended, a tenant spending CONTENTION_SHARE_FACTOR times the others' mean is refused;
   * one spending more than their mean runs one request at a time (a flood's concurrent senders
   * would otherwise all pass in the instant before their charges land). Tenants are
   * organizations, so a tenant's member accounts are measured together: spreading a flood over
   * many accounts of one organization does not escape it.
   */
  enter(accountId: string, organizationId: string | null): (() => void) | null {
    const tenant = organizationId ?? accountId;
    this.tenantOf.set(accountId, tenant);
    if (this.crowding(tenant)) return null;
    this.running.set(tenant, (this.running.get(tenant) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const n = (this.running.get(tenant) ?? 1) - 1;
      if (n > 0) this.running.set(tenant, n);
      else this.running.delete(tenant);
    };
  }

  private crowding(tenant: string): boolean {
    if (!this.busy) return false;
    const own = this.spent.get(tenant) ?? 0;
    let others = 0;
    let active = 0;
    for (const [id, points] of this.spent) {
      if (id === tenant || points < ACTIVE_POINTS) continue;
      others += points;
      active++;
    }
    if (active === 0) return false;
    const mean = others / active;
    if (own >= CONTENTION_MIN_POINTS && own > CONTENTION_SHARE_FACTOR * mean) return true;
    return own > mean && (this.running.get(tenant) ?? 0) > 0;
  }

  /** Whether the last sample found the machine contended (for tests and metrics). */
  get contended(): boolean {
    return this.busy;
  }

  /** Samples the load and decays the tenants' spending; run by the timer, callable by tests. */
  tick(): void {
    const smooth = Math.exp(-CONTENTION_SAMPLE_MS / 1000 / CONTENTION_LOAD_SECONDS);
    this.load = this.load * smooth + this.sample() * (1 - smooth);
    this.busy = this.load >= this.busyFraction;
    const keep = Math.exp(-CONTENTION_SAMPLE_MS / 1000 / CONTENTION_DECAY_SECONDS);
    for (const [id, points] of this.spent) {
      const left = points * keep;
      if (left < ACTIVE_POINTS / 10) this.spent.delete(id);
      else this.spent.set(id, left);
    }
    for (const [account, tenant] of this.tenantOf) if (!this.spent.has(tenant)) this.tenantOf.delete(account);
  }

  close(): void {
    clearInterval(this.timer);
  }
}
