import type { PoolClient } from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Database } from '../db/database';
import { type EventRow, normaliseRecord } from '../events/event-record';
import type { EventWriter } from '../events/event-writer';
import type { JobBulkEnqueuer } from '../jobs/job-queues';
import { QUEUES } from '../jobs/queues';
import { type Baseline, scanSeries, type Transition, WINDOW_MINUTES } from './detection';
import { insightCountingRepository } from './insight-counting.repository';
import { insightDetectionRepository as repo, type RegionState, type SeriesState } from './insight-detection.repository';
import { type AttributionValue, buildInsightRecord, MAX_ATTRIBUTION_VALUES, sharedEventIdOf } from './insight-event';
import { BASELINE_DAYS, BASELINE_MINUTES, DAY_MS, floorDay, floorMinute, MINUTE_MS, parseSeriesId, type SeriesKey } from './insight-series';
import { enabledTypes } from './insights-count.router';

export interface AnalysisResult {
  regions: number;
  /** Minutes judged, summed over regions. */
  minutes: number;
  started: number;
  ended: number;
}

/** Minutes judged per chunk (one read of counts, one state commit). */
const CHUNK_MINUTES = 60;
/** One region catches up at most this much per run (the next run continues where it stopped). */
const MAX_CATCH_UP_MS = DAY_MS;
/**
 * How long judging waits for events still waiting to be routed (Redis down, a backlog): their
 * minutes are not judged before they are counted. A batch that stays unrouted longer than this
 * (a poison batch) no longer holds the account's Insights back; its events count when they
 * arrive but can no longer open an insight.
 */
export const MAX_ROUTING_WAIT_MS = 15 * MINUTE_MS;
/** Per-minute counts serve listInsightsMetricData's hourly points for 90 days (spec §3.4). */
const COUNT_RETENTION_DAYS = 90;
/** Hourly attributions serve the baseline week, also of insights that opened up to a week ago. */
const ATTRIBUTION_RETENTION_DAYS = 15;

/**
 * The Insights detection worker's logic: per (account, region) it judges each complete minute up
 * to a given time against the 7-day baseline (detection.ts) and records Start/End Insights events
 * through the normal event writer, so lookupEvents, trails, data stores and streaming see them
 * like any other event. "Now" is an argument: tests analyse backdated traffic without waiting.
 */
export class InsightsDetectionService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly writer: EventWriter,
    private readonly logger: Logger,
  ) {}

  /**
   * The periodic tick: one `analyze-region` job per counted (account, region), so several worker
   * processes share the regions (a job id per region: BullMQ ignores a duplicate while one waits).
   */
  async fanOut(jobs: JobBulkEnqueuer): Promise<number> {
    const regions = await repo.regions(this.db.pool);
    if (regions.length === 0) return 0;
    await jobs.enqueueBulk(
      QUEUES.insights,
      'analyze-region',
      regions.map((r) => ({ data: { accountId: r.accountId, region: r.region } })),
    );
    return regions.length;
  }

  /** Analyses every counted (account, region) up to `until` (minutes before floor(until)), one after the other. */
  async analyze(until: Date): Promise<AnalysisResult> {
    const total: AnalysisResult = { regions: 0, minutes: 0, started: 0, ended: 0 };
    for (const r of await repo.regions(this.db.pool)) {
      const result = await this.analyzeRegion(r.accountId, r.region, until);
      total.regions++;
      total.minutes += result.minutes;
      total.started += result.started;
      total.ended += result.ended;
    }
    return total;
  }

  /** One (account, region), single-flight across processes (a busy region is skipped, not waited for). */
  async analyzeRegion(accountId: string, region: string, until: Date): Promise<Omit<AnalysisResult, 'regions'>> {
    const result = { minutes: 0, started: 0, ended: 0 };
    const client = await this.db.pool.connect();
    let locked = false;
    try {
      locked = await repo.tryLock(client, accountId, region);
      if (!locked) return result;
      const state = await repo.region(client, accountId, region);
      if (!state) return result;
      // Minutes are judged only once their events are counted: not past the earliest event still
      // waiting to be routed (for at most MAX_ROUTING_WAIT_MS behind `until`).
      const unrouted = await repo.earliestUnrouted(client, accountId);
      const horizon = unrouted && unrouted < until ? new Date(Math.max(unrouted.getTime(), until.getTime() - MAX_ROUTING_WAIT_MS)) : until;
      const end = floorMinute(horizon);
      // Detection starts once a baseline week of counting lies behind: on the 7th day after the
      // day counting began (that first day counts as a baseline day even if it began late).
      let from = state.analyzedThrough ?? new Date(floorDay(state.countingSince).getTime() + BASELINE_DAYS * DAY_MS);
      if (from.getTime() < end.getTime() - MAX_CATCH_UP_MS) from = new Date(end.getTime() - MAX_CATCH_UP_MS);
      const trails = await insightCountingRepository.insightTrailsCovering(client, accountId);
      const types = enabledTypes(trails, region);
      const organizationId = await repo.organizationOf(client, accountId);
      while (from < end) {
        const day = floorDay(from);
        // Chunks of at most an hour within one baseline day: memory stays bounded by
        // (series × CHUNK_MINUTES) counts however long the catch-up, and each chunk commits.
        const to = new Date(Math.min(end.getTime(), day.getTime() + DAY_MS, from.getTime() + CHUNK_MINUTES * MINUTE_MS));
        if (types.size === 0) {
          // Insights off for this region: nothing is generated (spec §10 "Stopping").
          await repo.commitAnalysis(client, accountId, region, [], to);
        } else {
          if (state.baselineDay?.getTime() !== day.getTime()) {
            await repo.storeBaselines(client, accountId, region, day);
            state.baselineDay = day;
          }
          const chunk = await this.analyzeChunk(client, state, organizationId, types, day, from, to);
          result.started += chunk.started;
          result.ended += chunk.ended;
        }
        result.minutes += Math.round((to.getTime() - from.getTime()) / MINUTE_MS);
        from = to;
      }
      await repo.prune(
        client,
        accountId,
        region,
        new Date(end.getTime() - COUNT_RETENTION_DAYS * DAY_MS),
        new Date(end.getTime() - ATTRIBUTION_RETENTION_DAYS * DAY_MS),
      );
      return result;
    } finally {
      if (locked) await repo.unlock(client, accountId, region).catch(() => undefined);
      client.release();
    }
  }

  /** Judges minutes [from, to) of one day; writes the events, then commits the new state and mark. */
  private async analyzeChunk(
    client: PoolClient,
    region: RegionState,
    organizationId: string | null,
    types: Set<string>,
    day: Date,
    from: Date,
    to: Date,
  ): Promise<{ started: number; ended: number }> {
    const { accountId } = region;
    const lead = new Date(from.getTime() - (WINDOW_MINUTES - 1) * MINUTE_MS);
    const counts = await repo.countsInRange(client, accountId, region.region, lead, to);
    const states = await repo.seriesStates(client, accountId, region.region);
    const ids = new Set([...counts.keys(), ...[...states].filter(([, s]) => s.open).map(([id]) => id)]);
    const minutes = Math.round((to.getTime() - lead.getTime()) / MINUTE_MS);
    const changes: Array<{ key: SeriesKey; open: SeriesState['open'] }> = [];
    const events: Array<Record<string, unknown>> = [];
    let started = 0;
    let ended = 0;
    for (const id of [...ids].sort()) {
      const key = parseSeriesId(id);
      if (!types.has(key.insightType)) continue;
      const state = states.get(id);
      const baseline: Baseline =
        state?.baseline && state.baseline.day.getTime() === day.getTime() ? state.baseline : { day, total: 0, peak: 0 };
      const scan = scanSeries({
        from,
        to,
        counts: counts.get(id) ?? new Array<number>(minutes).fill(0),
        baseline,
        open: state?.open ?? null,
      });
      let sharedEventId = state?.open?.sharedEventId ?? null;
      for (const t of scan.transitions) {
        if (t.state === 'Start') {
          sharedEventId = sharedEventIdOf(accountId, region.region, key, t.startedAt);
          started++;
        } else {
          ended++;
        }
        events.push(await this.insightRecord(client, accountId, region.region, key, sharedEventId!, t));
      }
      const after = scan.open ? { ...scan.open, sharedEventId: sharedEventId! } : null;
      if (!sameOpen(state?.open ?? null, after)) changes.push({ key, open: after });
    }
    if (events.length > 0) await this.record(accountId, organizationId, events);
    await repo.commitAnalysis(client, accountId, region.region, changes, to);
    return { started, ended };
  }

  /** The Insights event of one transition, with its statistics and attributions (spec §2.7). */
  private async insightRecord(
    client: PoolClient,
    accountId: string,
    region: string,
    key: SeriesKey,
    sharedEventId: string,
    t: Transition,
  ): Promise<Record<string, unknown>> {
    const windowEnd = t.state === 'Start' ? new Date(t.detectedAt.getTime() + MINUTE_MS) : t.endedAt;
    const duration = Math.round((windowEnd.getTime() - t.startedAt.getTime()) / MINUTE_MS);
    const sum = t.state === 'Start' ? t.sum : await repo.sumRange(client, accountId, region, key, t.startedAt, t.endedAt);
    const baselineFrom = new Date(t.baseline.day.getTime() - BASELINE_DAYS * DAY_MS);
    const insightValues = await repo.windowTopValues(client, accountId, region, key, t.startedAt, windowEnd, MAX_ATTRIBUTION_VALUES);
    const baselineValues = await repo.baselineTopValues(
      client,
      accountId,
      region,
      key,
      baselineFrom,
      t.baseline.day,
      MAX_ATTRIBUTION_VALUES,
    );
    const attributions: Record<string, { insight: AttributionValue[]; baseline: AttributionValue[] }> = {};
    const slot = (a: string) => (attributions[a] ??= { insight: [], baseline: [] });
    for (const v of insightValues) slot(v.attribute).insight.push({ value: v.value, average: v.total / duration });
    for (const v of baselineValues) slot(v.attribute).baseline.push({ value: v.value, average: v.total / BASELINE_MINUTES });
    return buildInsightRecord({
      accountId,
      region,
      series: key,
      state: t.state,
      sharedEventId,
      eventTime: t.state === 'Start' ? t.startedAt : t.endedAt,
      baselineAverage: t.baseline.total / BASELINE_MINUTES,
      insightAverage: sum / duration,
      insightDuration: duration,
      attributions,
    });
  }

  /** Through the one durable write path (events + outbox): trails, data stores and streaming follow. */
  private async record(accountId: string, organizationId: string | null, records: Array<Record<string, unknown>>): Promise<void> {
    const now = new Date();
    const rows: EventRow[] = [];
    for (const raw of records) {
      const normalised = normaliseRecord(raw, { accountId, now, retentionDays: this.config.eventHistoryRetentionDays });
      if ('error' in normalised) {
        // Cannot happen for records built here, short of an insight older than the history window.
        this.logger.error({ error: normalised.error, eventID: raw.eventID }, 'an Insights event was not valid; dropped');
        continue;
      }
      rows.push(normalised.row);
    }
    await this.writer.write({ accountId, organizationId }, rows, 'insights');
  }
}

/** Whether two open-insight states are the same (nothing to store). */
function sameOpen(a: SeriesState['open'], b: SeriesState['open']): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.sharedEventId === b.sharedEventId &&
    a.startedAt.getTime() === b.startedAt.getTime() &&
    a.lastHot.getTime() === b.lastHot.getTime() &&
    a.baseline.day.getTime() === b.baseline.day.getTime() &&
    a.baseline.total === b.baseline.total &&
    a.baseline.peak === b.baseline.peak
  );
}
