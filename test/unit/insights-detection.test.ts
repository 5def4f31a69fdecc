import {
  baselinePeak,
  endThreshold,
  type OpenInsight,
  scanSeries,
  startThreshold,
  type Transition,
  WINDOW_MINUTES,
} from '../../src/insights/detection';
import { poisson, rng } from '../helpers/random';
import { BASELINE_MINUTES } from '../../src/insights/insight-series';

const DAY = new Date('2026-03-10T00:00:00Z');

/**
 * 8 days of per-minute counts from `rate(minuteOfDay, day)`: 7 baseline days, then the judged day.
 * Returns the scan of the judged day.
 */
function simulate(
  rate: (minuteOfDay: number, day: number) => number,
  seed = 1,
  extra: (minuteOfDay: number) => number = () => 0,
): { transitions: Transition[]; open: OpenInsight | null; peak: number } {
  const random = rng(seed);
  const week: number[] = [];
  for (let d = 0; d < 7; d++) for (let m = 0; m < 1440; m++) week.push(poisson(rate(m, d), random));
  const baseline = { day: DAY, total: week.reduce((a, b) => a + b, 0), peak: baselinePeak(week.filter((c) => c > 0)) };
  const day: number[] = week.slice(-(WINDOW_MINUTES - 1));
  for (let m = 0; m < 1440; m++) day.push(poisson(rate(m, 7), random) + extra(m));
  const result = scanSeries({ from: DAY, to: new Date(DAY.getTime() + 86_400_000), counts: day, baseline, open: null });
  return { ...result, peak: baseline.peak };
}

const dailyCycle = (low: number, high: number) => (m: number) =>
  low + (high - low) * Math.max(0, Math.sin(((m - 360) / 1440) * 2 * Math.PI)) ** 2;

describe('Insights detection (pure)', () => {
  it('thresholds: at least 10 in a window; twice the normal peak over the window; end at half', () => {
    expect(startThreshold(0)).toBe(10);
    expect(startThreshold(10)).toBe(100);
    expect(endThreshold(10)).toBe(50);
    expect(baselinePeak([5, 1, 9, 3])).toBe(1);
    expect(baselinePeak([5, 1, 9])).toBe(0);
    expect(BASELINE_MINUTES).toBe(10_080);
  });

  it.each([
    ['steady 5/min', () => 5],
    ['steady 300/min', () => 300],
    ['low volume 0.01/min', () => 0.01],
    ['very low volume (a few calls a week)', () => 0.0005],
  ])('never fires on %s traffic', (_name, rate) => {
    for (let seed = 1; seed <= 5; seed++) expect(simulate(rate, seed).transitions).toEqual([]);
  });

  it('never fires on a daily cycle (night ~0, day peak 40/min), nor on a busier day of that cycle', () => {
    for (let seed = 1; seed <= 5; seed++) {
      expect(simulate(dailyCycle(0.05, 40), seed).transitions).toEqual([]);
      // The judged day is 30% busier than the baseline week: still normal.
      expect(simulate((m, d) => dailyCycle(0.05, 40)(m) * (d === 7 ? 1.3 : 1), seed).transitions).toEqual([]);
    }
  });

  it('never fires on bursty but normal traffic: an hourly cron burst, a daily batch job', () => {
    const hourly = (m: number) => (m % 60 === 7 ? 150 : 1);
    const daily = (m: number) => (m >= 180 && m < 182 ? 400 : 2);
    for (let seed = 1; seed <= 5; seed++) {
      expect(simulate(hourly, seed).transitions).toEqual([]);
      expect(simulate(daily, seed).transitions).toEqual([]);
    }
  });

  it('one Start and one End for a burst on a daily cycle, at the burst minutes', () => {
    const burst = (m: number) => (m >= 600 && m < 610 ? 400 : 0);
    const { transitions, open } = simulate(dailyCycle(0.05, 40), 3, burst);
    expect(open).toBeNull();
    expect(transitions.map((t) => t.state)).toEqual(['Start', 'End']);
    const [start, end] = transitions;
    expect(start.startedAt.toISOString()).toBe('2026-03-10T10:00:00.000Z');
    expect(end.state === 'End' && end.endedAt.toISOString()).toBe('2026-03-10T10:10:00.000Z');
  });

  it('fires on a small burst where traffic is normally near zero (low volume is judged against the floor)', () => {
    const burst = (m: number) => (m === 200 ? 20 : 0);
    const { transitions } = simulate(() => 0.001, 2, burst);
    expect(transitions.map((t) => t.state)).toEqual(['Start', 'End']);
    expect(transitions[0].startedAt.toISOString()).toBe('2026-03-10T03:20:00.000Z');
    expect(transitions[0].state === 'Start' && transitions[0].sum).toBe(20);
  });

  it('judging a day in chunks gives the same transitions as in one go (state carried across runs)', () => {
    const counts = new Array(1440 + WINDOW_MINUTES - 1).fill(1);
    for (let m = 100; m < 130; m++) counts[m + WINDOW_MINUTES - 1] = 50;
    const baseline = { day: DAY, total: 10_080, peak: 1 };
    const whole = scanSeries({ from: DAY, to: new Date(DAY.getTime() + 1440 * 60_000), counts, baseline, open: null });
    let open: OpenInsight | null = null;
    const chunked: Transition[] = [];
    for (let start = 0; start < 1440; start += 7) {
      const end = Math.min(1440, start + 7);
      const r = scanSeries({
        from: new Date(DAY.getTime() + start * 60_000),
        to: new Date(DAY.getTime() + end * 60_000),
        counts: counts.slice(start, end + WINDOW_MINUTES - 1),
        baseline,
        open,
      });
      chunked.push(...r.transitions);
      open = r.open;
    }
    expect(chunked).toEqual(whole.transitions);
    expect(whole.transitions).toHaveLength(2);
  });
});
