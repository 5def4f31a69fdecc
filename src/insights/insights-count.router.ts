import type { PoolClient } from 'pg';
import type { OutboxBatch } from '../events/event.repository';
import { batchEvents, type EventDestinationRouter } from '../events/outbox.service';
import {
  type AttributionRow,
  type CountableEvent,
  type CountRow,
  type InsightTrail,
  insightCountingRepository as repo,
} from './insight-counting.repository';
import { floorHour, floorMinute, type InsightType } from './insight-series';

/** Which Insights types are enabled for management events of `region` by any of the trails. */
export function enabledTypes(trails: InsightTrail[], region: string): Set<InsightType> {
  const out = new Set<InsightType>();
  for (const t of trails) {
    if (!t.isMultiRegionTrail && t.homeRegion !== region) continue;
    for (const s of t.insightSelectors) {
      // Management-event Insights only, by scope (ADR 0002): a selector with EventCategories
      // [Data] is accepted as CloudTrail accepts it, but data events are never counted.
      if ((s.EventCategories ?? ['Management']).includes('Management')) out.add(s.InsightType);
    }
  }
  return out;
}

export interface BatchCounts {
  counts: CountRow[];
  attributions: AttributionRow[];
  /** Earliest minute counted per region. */
  earliest: Map<string, Date>;
}

/**
 * Aggregates one batch into per-minute series counts and per-hour attribution counts. Pure. Call rate
 * counts write management calls (readOnly not true); error rate counts any management call with
 * an errorCode, per code (spec §10). Counts land in the minute of the eventTime, so backdated
 * events count where they belong.
 */
export function countBatch(trails: InsightTrail[], events: CountableEvent[]): BatchCounts {
  const counts = new Map<string, CountRow>();
  const attributions = new Map<string, AttributionRow>();
  const earliest = new Map<string, Date>();
  const typesByRegion = new Map<string, Set<InsightType>>();
  const add = (row: Omit<CountRow, 'count'>, e: CountableEvent) => {
    const series = `${row.region}\u0000${row.eventSource}\u0000${row.eventName}\u0000${row.insightType}\u0000${row.errorCode}`;
    const key = `${series}\u0000${row.minute.getTime()}`;
    const c = counts.get(key);
    if (c) c.count++;
    else counts.set(key, { ...row, count: 1 });
    const hour = floorHour(row.minute);
    const hourKey = `${series}\u0000${hour.getTime()}`;
    const values: Array<[string, string]> = [
      ['userIdentityArn', e.userIdentityArn ?? 'null'],
      ['userAgent', e.userAgent ?? 'null'],
      ['errorCode', e.errorCode ?? 'null'],
    ];
    for (const [attribute, value] of values) {
      const akey = `${hourKey}\u0000${attribute}\u0000${value}`;
      const a = attributions.get(akey);
      if (a) a.count++;
      else attributions.set(akey, { ...row, minute: hour, attribute, value, count: 1 });
    }
  };
  for (const e of events) {
    let types = typesByRegion.get(e.region);
    if (!types) typesByRegion.set(e.region, (types = enabledTypes(trails, e.region)));
    if (types.size === 0) continue;
    const minute = floorMinute(e.eventTime);
    const base = { region: e.region, eventSource: e.eventSource, eventName: e.eventName, minute };
    let counted = false;
    if (types.has('ApiCallRateInsight') && e.readOnly !== true) {
      add({ ...base, insightType: 'ApiCallRateInsight', errorCode: '' }, e);
      counted = true;
    }
    if (types.has('ApiErrorRateInsight') && e.errorCode) {
      add({ ...base, insightType: 'ApiErrorRateInsight', errorCode: e.errorCode }, e);
      counted = true;
    }
    if (counted) {
      const first = earliest.get(e.region);
      if (!first || minute < first) earliest.set(e.region, minute);
    }
  }
  // Sorted by key: concurrent routing transactions then lock shared rows in the same order and
  // cannot deadlock on each other's upserts.
  const sorted = <T>(m: Map<string, T>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  return {
    counts: sorted(counts),
    attributions: sorted(attributions),
    earliest: new Map([...earliest.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/**
 * The counting step of Insights: inside the exactly-once routing transaction, each new management
 * event of an account covered by a logging trail with Insights adds to its per-minute series.
 * Accounts without Insights cost one indexed lookup; their events are not even read by it.
 */
export class InsightsCountRouter implements EventDestinationRouter {
  readonly name = 'insights';

  async route(client: PoolClient, batch: OutboxBatch): Promise<void> {
    const trails = await repo.insightTrailsCovering(client, batch.accountId);
    if (trails.length === 0) return;
    // The batch's read is shared with the other routers (the trail router has usually done it).
    const events = (await batchEvents(client, batch)).filter((e) => e.eventCategory === 'Management');
    const counted = countBatch(trails, events);
    if (counted.counts.length === 0) return;
    await repo.addCounts(client, batch.accountId, counted.counts);
    await repo.addAttributions(client, batch.accountId, counted.attributions);
    await repo.touchRegions(client, batch.accountId, counted.earliest);
  }
}
