import { MINUTE_MS } from './insight-series';

/**
 * The statistical test of Insights, pure so that its behaviour on steady, cyclic, bursty and
 * low-volume traffic is unit-tested (docs/adr/0002-insights-detection.md has the reasoning).
 *
 * Baseline of a series for a UTC day D: the per-minute counts of the 7 whole days before D (10,080
 * minutes, zeros included). From it we keep the mean (for the event's statistics) and the
 * **peak**: the 4th-largest per-minute count of the week. The peak is the level normal traffic
 * reached in at least four distinct minutes of the week, so a daily cycle's busy hours, a cron
 * burst that recurs daily, or one-off spikes of up to three minutes are all "normal" for it.
 *
 * Detection runs on a sliding window of the last WINDOW_MINUTES minutes. With B = WINDOW × peak:
 *   start threshold  S = max(MIN_WINDOW_COUNT, 2·B, B + 5·√(B+1))
 *   end threshold    E = S / 2
 * An insight starts at the first window whose sum reaches S and ends at the first window whose sum
 * falls below E (hysteresis: no flapping around one threshold).
 */
export const WINDOW_MINUTES = 5;
/** A window needs at least this many calls (or errors) to be unusual at all: low volumes never fire on noise. */
export const MIN_WINDOW_COUNT = 10;
/** The peak is the PEAK_RANK-th largest per-minute count of the baseline week. */
export const PEAK_RANK = 4;

export interface Baseline {
  /** UTC day the baseline belongs to (its week is the 7 days before). */
  day: Date;
  /** Sum over the baseline week. */
  total: number;
  /** The PEAK_RANK-th largest per-minute count of the week (0 when fewer minutes had any). */
  peak: number;
}

export function startThreshold(peak: number): number {
  const base = WINDOW_MINUTES * peak;
  return Math.max(MIN_WINDOW_COUNT, 2 * base, base + 5 * Math.sqrt(base + 1));
}

export function endThreshold(peak: number): number {
  return startThreshold(peak) / 2;
}

/** An insight that has started and not ended. Times are minute starts. */
export interface OpenInsight {
  startedAt: Date;
  lastHot: Date;
  baseline: Baseline;
}

export type Transition =
  | {
      state: 'Start';
      startedAt: Date;
      /** last minute of the window that crossed S */ detectedAt: Date;
      baseline: Baseline;
      sum: number;
      minutes: number;
    }
  | { state: 'End'; startedAt: Date; /** the minute after the last unusual one */ endedAt: Date; baseline: Baseline };

export interface ScanInput {
  /** First minute to judge (inclusive), a minute start. */
  from: Date;
  /** Last minute to judge is the one before this. */
  to: Date;
  /** Counts of minutes from − (WINDOW_MINUTES − 1) up to `to` (exclusive), one entry per minute. */
  counts: number[];
  /** The baseline of the day [from, to) lies in (for a new insight). */
  baseline: Baseline;
  open: OpenInsight | null;
}

/** Judges minutes [from, to) of one series; returns Start/End transitions and the open insight left. */
export function scanSeries(input: ScanInput): { transitions: Transition[]; open: OpenInsight | null } {
  const { counts, baseline } = input;
  const offset = WINDOW_MINUTES - 1;
  const minutes = Math.round((input.to.getTime() - input.from.getTime()) / MINUTE_MS);
  if (counts.length !== minutes + offset) throw new Error(`scanSeries: ${counts.length} counts for ${minutes} minutes`);
  const at = (i: number) => new Date(input.from.getTime() + (i - offset) * MINUTE_MS);
  const transitions: Transition[] = [];
  let open = input.open;
  let window = 0;
  for (let i = 0; i < offset; i++) window += counts[i];
  for (let i = offset; i < counts.length; i++) {
    window += counts[i];
    if (i > offset) window -= counts[i - WINDOW_MINUTES];
    if (!open) {
      if (window >= startThreshold(baseline.peak)) {
        // The insight starts at the first minute of the window above the normal peak (one exists:
        // a window sum ≥ 2·WINDOW·peak cannot come from minutes all ≤ peak, unless peak = 0 where
        // any non-zero minute qualifies).
        let first = i - offset;
        while (first < i && counts[first] <= baseline.peak) first++;
        let sum = 0;
        for (let k = first; k <= i; k++) sum += counts[k];
        transitions.push({ state: 'Start', startedAt: at(first), detectedAt: at(i), baseline, sum, minutes: i - first + 1 });
        let lastHot = first;
        for (let k = first; k <= i; k++) if (counts[k] > baseline.peak) lastHot = k;
        open = { startedAt: at(first), lastHot: at(lastHot), baseline };
      }
    } else {
      if (counts[i] > open.baseline.peak) open = { ...open, lastHot: at(i) };
      if (window < endThreshold(open.baseline.peak)) {
        transitions.push({
          state: 'End',
          startedAt: open.startedAt,
          endedAt: new Date(open.lastHot.getTime() + MINUTE_MS),
          baseline: open.baseline,
        });
        open = null;
      }
    }
  }
  return { transitions, open };
}

/** The PEAK_RANK-th largest of `nonZero` counts over a week of `minutes` minutes (zeros implied). */
export function baselinePeak(nonZero: number[]): number {
  if (nonZero.length < PEAK_RANK) return 0;
  const sorted = [...nonZero].sort((a, b) => b - a);
  return sorted[PEAK_RANK - 1];
}
