import { useEffect, useState } from 'react';
import { LIST_QUERIES } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';

interface QuerySummary {
  queryId: string;
  queryStatus: string;
  creationTime: string;
}

/** The last 7 days' queries of a store, newest first; one opens its status and results. */
export function QueryHistory({ storeIds, refresh, onOpen }: { storeIds: string[]; refresh: string; onOpen(queryId: string): void }) {
  const [store, setStore] = useState(storeIds[0] ?? '');
  const [queries, setQueries] = useState<QuerySummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!store && storeIds[0]) setStore(storeIds[0]);
  }, [store, storeIds]);

  useEffect(() => {
    if (!store) return;
    let cancelled = false;
    setError(null);
    gql<{ listQueries: { queries: QuerySummary[] } }>(LIST_QUERIES, { input: { eventDataStore: store, maxResults: 20 } }).then(
      (r) => !cancelled && setQueries(r.listQueries.queries),
      (err) => !cancelled && setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [store, refresh]);

  if (storeIds.length === 0) return null;
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">Query history</h2>
      <label>
        Event data store
        <select value={store} onChange={(e) => setStore(e.target.value)}>
          {storeIds.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <ErrorMessage error={error} />
      {queries && (
        <ul className="query-history" data-testid="query-history">
          {queries.map((q) => (
            <li key={q.queryId}>
              <button type="button" className="link-button" onClick={() => onOpen(q.queryId)}>
                {q.creationTime} · {q.queryStatus} · {q.queryId}
              </button>
            </li>
          ))}
          {queries.length === 0 && <li>No queries in the last 7 days.</li>}
        </ul>
      )}
    </section>
  );
}
