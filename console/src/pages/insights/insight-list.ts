import type { HistoryEventNode } from '../history/event-row';

/** One insight: its Start event and, once over, its End event (paired by sharedEventID). */
export interface Insight {
  sharedEventId: string;
  eventSource: string;
  eventName: string;
  insightType: string;
  errorCode: string | null;
  startTime: string;
  endTime: string | null;
  baselineAverage: number | null;
  insightAverage: number | null;
}

type Rec = Record<string, any>;

export function insightsFromEvents(nodes: HistoryEventNode[]): Insight[] {
  const byId = new Map<string, Insight>();
  for (const node of nodes) {
    let record: Rec;
    try {
      record = JSON.parse(node.cloudTrailEvent) as Rec;
    } catch {
      continue;
    }
    const details = record.insightDetails as Rec | undefined;
    if (!details) continue;
    const id = String(record.sharedEventID ?? node.eventId);
    const insight = byId.get(id) ?? {
      sharedEventId: id,
      eventSource: String(details.eventSource ?? node.eventSource),
      eventName: String(details.eventName ?? node.eventName),
      insightType: String(details.insightType ?? ''),
      errorCode: typeof details.errorCode === 'string' ? details.errorCode : null,
      startTime: node.eventTime,
      endTime: null,
      baselineAverage: null,
      insightAverage: null,
    };
    const stats = details.insightContext?.statistics as Rec | undefined;
    if (details.state === 'End') insight.endTime = node.eventTime;
    else insight.startTime = node.eventTime;
    // The End event's statistics cover the whole insight; the Start event's only its beginning.
    if (stats && (details.state === 'End' || insight.baselineAverage === null)) {
      insight.baselineAverage = typeof stats.baseline?.average === 'number' ? stats.baseline.average : null;
      insight.insightAverage = typeof stats.insight?.average === 'number' ? stats.insight.average : null;
    }
    byId.set(id, insight);
  }
  return [...byId.values()].sort((a, b) => b.startTime.localeCompare(a.startTime));
}
