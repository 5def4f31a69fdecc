import { useEffect, useState } from 'react';
import { LOOKUP_EVENTS } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import type { HistoryEventNode } from '../history/event-row';
import { InsightChart } from './insight-chart';
import { type Insight, insightsFromEvents } from './insight-list';

const MAX_PAGES = 10;

interface LookupPage {
  lookupEvents: { edges: Array<{ node: HistoryEventNode }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

/** Open and past Insights of the region (its Insights events), each with its metric curve. */
export default function InsightsPage() {
  const [insights, setInsights] = useState<Insight[] | null>(null);
  const [selected, setSelected] = useState<Insight | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const nodes: HistoryEventNode[] = [];
      let after: string | null = null;
      // lookupEvents pages hold at most 50; MAX_PAGES of them cover the recent Insights.
      for (let page = 0; page < MAX_PAGES; page++) {
        const r: LookupPage = await gql<LookupPage>(LOOKUP_EVENTS, { input: { eventCategory: 'insight' }, first: 50, after });
        nodes.push(...r.lookupEvents.edges.map((e) => e.node));
        after = r.lookupEvents.pageInfo.hasNextPage ? r.lookupEvents.pageInfo.endCursor : null;
        if (!after) break;
      }
      if (!cancelled) setInsights(insightsFromEvents(nodes));
    })().catch((err) => !cancelled && setError(err));
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <>
      <h1>Insights</h1>
      <ErrorMessage error={error} />
      {insights === null && !error && <p role="status">Loading…</p>}
      {insights && (
        <div className="table-wrap">
          <table className="data" aria-label="Insights">
            <thead>
              <tr>
                <th scope="col">API</th>
                <th scope="col">Type</th>
                <th scope="col">State</th>
                <th scope="col">Start</th>
                <th scope="col">End</th>
                <th scope="col">Baseline average</th>
                <th scope="col">Insight average</th>
              </tr>
            </thead>
            <tbody>
              {insights.map((i) => (
                <tr key={i.sharedEventId} className={selected?.sharedEventId === i.sharedEventId ? 'selected' : ''}>
                  <td>
                    <button type="button" className="link-button" onClick={() => setSelected(i)}>
                      {i.eventSource} {i.eventName}
                    </button>
                  </td>
                  <td>
                    {i.insightType}
                    {i.errorCode ? ` (${i.errorCode})` : ''}
                  </td>
                  <td>{i.endTime ? 'Past' : 'Open'}</td>
                  <td>{i.startTime}</td>
                  <td>{i.endTime ?? '—'}</td>
                  <td>{i.baselineAverage ?? '—'}</td>
                  <td>{i.insightAverage ?? '—'}</td>
                </tr>
              ))}
              {insights.length === 0 && (
                <tr>
                  <td colSpan={7}>No Insights in this region in the last 90 days (turn Insights on for a trail or event data store).</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {selected && <InsightChart insight={selected} />}
    </>
  );
}
