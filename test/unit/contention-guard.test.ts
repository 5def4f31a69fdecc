import {
  CONTENTION_DECAY_SECONDS,
  CONTENTION_MIN_POINTS,
  CONTENTION_SAMPLE_MS,
  ContentionGuard,
  hostLoadSampler,
} from '../../src/common/contention-guard';

/** A guard whose load is whatever the test sets; ticks only when the test calls tick(). */
function guardAt(busyFraction: number): { guard: ContentionGuard; load: { now: number } } {
  const load = { now: 0 };
  const guard = new ContentionGuard(busyFraction, () => load.now);
  guard.close(); // the test drives the samples
  return { guard, load };
}

/** Whether a request would be refused (an admitted one leaves at once). */
function shed(guard: ContentionGuard, accountId: string, organizationId: string | null): boolean {
  const leave = guard.enter(accountId, organizationId);
  leave?.();
  return leave === null;
}

describe('ContentionGuard', () => {
  it('sheds the account spending far more than the others, only while the machine is contended', () => {
    const { guard, load } = guardAt(0.5);
    load.now = 0.3;
    for (let i = 0; i < 50; i++) guard.tick();
    guard.record('A', 200);
    guard.record('B', 5);
    expect(guard.contended).toBe(false);
    expect(shed(guard, 'A', null)).toBe(false);
    load.now = 0.9;
    guard.tick(); // one busy sample is not contention yet: the load is smoothed over a second
    expect(guard.contended).toBe(false);
    for (let i = 0; i < 10; i++) guard.tick();
    expect(guard.contended).toBe(true);
    expect(shed(guard, 'A', null)).toBe(true);
    expect(shed(guard, 'B', null)).toBe(false);
  });

  it('never sheds an account alone on the machine, however busy it is and however much it spends', () => {
    const { guard, load } = guardAt(0.5);
    load.now = 1;
    for (let i = 0; i < 20; i++) guard.tick();
    expect(guard.contended).toBe(true);
    guard.record('A', 10_000);
    expect(shed(guard, 'A', null)).toBe(false);
  });

  it('does not shed accounts spending alike, nor a light account', () => {
    const { guard, load } = guardAt(0);
    load.now = 1;
    guard.tick();
    guard.record('A', 100);
    guard.record('B', 80);
    expect(shed(guard, 'A', null)).toBe(false);
    expect(shed(guard, 'B', null)).toBe(false);
    const light = guardAt(0).guard;
    light.record('A', CONTENTION_MIN_POINTS - 1);
    light.record('B', 0.6);
    expect(shed(light, 'A', null)).toBe(false);
  });

  it('measures the accounts of one organization together, so spreading a flood over them does not escape it', () => {
    const { guard } = guardAt(0);
    for (let i = 0; i < 10; i++) expect(shed(guard, `A${i}`, 'o-a')).toBe(false);
    shed(guard, 'B', 'o-b');
    for (let i = 0; i < 10; i++) guard.record(`A${i}`, 5);
    guard.record('B', 10);
    for (let i = 0; i < 10; i++) expect(shed(guard, `A${i}`, 'o-a')).toBe(true);
    expect(shed(guard, 'B', 'o-b')).toBe(false);
  });

  it('runs one request at a time of a tenant spending more than the others, while contended', () => {
    const { guard } = guardAt(0);
    guard.record('A', 15); // above B's spending, below what refuses it outright
    guard.record('B', 10);
    const first = guard.enter('A', null);
    expect(first).not.toBeNull();
    expect(guard.enter('A', null)).toBeNull();
    // B, spending less, is not held to one at a time.
    const b1 = guard.enter('B', null);
    const b2 = guard.enter('B', null);
    expect(b1 && b2).toBeTruthy();
    first!();
    expect(shed(guard, 'A', null)).toBe(false);
    b1!();
    b2!();
  });

  it('forgets spending with its time constant, so a shed account is admitted again once it slows down', () => {
    const { guard } = guardAt(0);
    guard.record('A', 100);
    guard.record('B', 10);
    expect(shed(guard, 'A', null)).toBe(true);
    expect(shed(guard, 'B', null)).toBe(false);
    const ticks = Math.ceil((3 * CONTENTION_DECAY_SECONDS * 1000) / CONTENTION_SAMPLE_MS);
    for (let i = 0; i < ticks; i++) {
      guard.record('B', (10 * CONTENTION_SAMPLE_MS) / 1000 / CONTENTION_DECAY_SECONDS); // B keeps its pace
      guard.tick();
    }
    expect(shed(guard, 'A', null)).toBe(false);
  });

  it('samples a load between 0 and 1 from the host CPUs and the event loop', () => {
    const sample = hostLoadSampler();
    const until = Date.now() + 20;
    while (Date.now() < until); // some work to measure
    const load = sample();
    expect(load).toBeGreaterThan(0);
    expect(load).toBeLessThanOrEqual(1);
  });
});
