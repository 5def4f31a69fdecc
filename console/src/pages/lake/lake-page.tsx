import { useEffect, useMemo, useRef, useState } from 'react';
import { GET_EVENT_DATA_STORE, LIST_EVENT_DATA_STORES } from '../../api/documents';
import { ApiError, gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { downloadResultsCsv } from './download-results';
import { QueryHistory } from './query-history';
import { ResultChart } from './result-chart';
import { ResultsTable } from './results-table';
import { SqlEditor } from './sql-editor';
import { useLakeQuery } from './use-lake-query';

interface Store {
  eventDataStoreArn: string;
  name: string;
  status: string;
  retentionPeriod: number;
  multiRegionEnabled: boolean;
  organizationEnabled: boolean;
  advancedEventSelectors: Array<{ name: string | null }>;
}

const storeId = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);

const SAMPLES = [
  {
    label: 'Events by name',
    sql: (id: string) => `SELECT eventName, count(*) AS events FROM ${id} GROUP BY eventName ORDER BY events DESC LIMIT 20`,
  },
  {
    label: 'Failed calls',
    sql: (id: string) =>
      `SELECT eventTime, eventName, errorCode, userIdentity.arn FROM ${id} WHERE errorCode IS NOT NULL ORDER BY eventTime DESC LIMIT 100`,
  },
  {
    label: 'Top source IPs',
    sql: (id: string) => `SELECT sourceIPAddress, count(*) AS calls FROM ${id} GROUP BY sourceIPAddress ORDER BY calls DESC LIMIT 10`,
  },
];

/** CloudTrail Lake: stores, a SQL editor, running queries with progress, results and a chart. */
export default function LakePage() {
  const [stores, setStores] = useState<Store[] | null>(null);
  const [storesError, setStoresError] = useState<unknown>(null);
  const [statement, setStatement] = useState('');
  const lake = useLakeQuery();
  // A query opened from the history brings its statement into the editor.
  const opened = useRef(false);
  useEffect(() => {
    if (opened.current && lake.query?.queryString) {
      opened.current = false;
      setStatement(lake.query.queryString);
    }
  }, [lake.query?.queryString]);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const { listEventDataStores } = await gql<{ listEventDataStores: { eventDataStores: Array<{ eventDataStoreArn: string }> } }>(
        LIST_EVENT_DATA_STORES,
      );
      const full = await Promise.all(
        listEventDataStores.eventDataStores.map((s) =>
          gql<{ getEventDataStore: Store }>(GET_EVENT_DATA_STORE, { input: { eventDataStore: s.eventDataStoreArn } }).then(
            (r) => r.getEventDataStore,
          ),
        ),
      );
      if (!cancelled) setStores(full);
    })().catch((err) => !cancelled && setStoresError(err));
    return () => {
      cancelled = true;
    };
  }, []);

  const ids = useMemo(() => (stores ?? []).map((s) => storeId(s.eventDataStoreArn)), [stores]);
  const firstId = ids[0] ?? '<event data store id>';
  const run = () => {
    if (statement.trim() && !lake.running) void lake.run(statement);
  };
  const stats = lake.query?.statistics;

  return (
    <>
      <h1>Lake</h1>
      <section aria-labelledby="stores-heading">
        <h2 id="stores-heading">Event data stores</h2>
        <ErrorMessage error={storesError} />
        {stores === null && !storesError && <p role="status">Loading…</p>}
        {stores && (
          <div className="table-wrap">
            <table className="data" aria-label="Event data stores">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">ID</th>
                  <th scope="col">Status</th>
                  <th scope="col">Retention (days)</th>
                  <th scope="col">Selectors</th>
                  <th scope="col">Scope</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {stores.map((s) => (
                  <tr key={s.eventDataStoreArn}>
                    <td>{s.name}</td>
                    <td>
                      <code>{storeId(s.eventDataStoreArn)}</code>
                    </td>
                    <td>{s.status}</td>
                    <td>{s.retentionPeriod}</td>
                    <td>{s.advancedEventSelectors.map((a) => a.name ?? 'unnamed').join(', ') || 'All management events'}</td>
                    <td>
                      {[s.multiRegionEnabled ? 'Multi-region' : 'One region', s.organizationEnabled ? 'organization' : '']
                        .filter(Boolean)
                        .join(', ')}
                    </td>
                    <td>
                      <button
                        type="button"
                        className="secondary"
                        onClick={() => setStatement(SAMPLES[0].sql(storeId(s.eventDataStoreArn)))}
                      >
                        Query {s.name}
                      </button>
                    </td>
                  </tr>
                ))}
                {stores.length === 0 && (
                  <tr>
                    <td colSpan={7}>No event data stores in this region.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="editor-heading">
        <h2 id="editor-heading">Query</h2>
        <div className="filter-row">
          <label>
            Sample query
            <select value="" onChange={(e) => e.target.value !== '' && setStatement(SAMPLES[Number(e.target.value)].sql(firstId))}>
              <option value="">Choose a sample…</option>
              {SAMPLES.map((s, i) => (
                <option key={s.label} value={i}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <p className="label" aria-hidden="true">
          SQL (Ctrl+Enter runs; completion offers store ids and columns)
        </p>
        <SqlEditor value={statement} onChange={setStatement} storeIds={ids} onRun={run} label="SQL query (Ctrl+Enter runs)" />
        <div className="toolbar">
          <button type="button" onClick={run} disabled={lake.running || !statement.trim()}>
            Run query
          </button>
          <button type="button" className="secondary" onClick={() => void lake.cancel()} disabled={!lake.running}>
            Cancel query
          </button>
          <span role="status" data-testid="query-status">
            {lake.query &&
              `${lake.query.status}${lake.query.waitReason ? ` (${lake.query.waitReason})` : ''}${
                stats
                  ? ` · ${stats.executionTimeInMillis} ms · ${stats.bytesScanned} bytes scanned · ${stats.eventsScanned} events scanned`
                  : ''
              }`}
          </span>
        </div>
        <ErrorMessage error={lake.error} />
        {lake.query?.errorMessage && <ErrorMessage error={new ApiError(lake.query.status, lake.query.errorMessage)} />}
      </section>

      <QueryHistory
        storeIds={ids}
        refresh={`${lake.query?.queryId ?? ''}:${lake.running}`}
        onOpen={(queryId) => {
          opened.current = true;
          void lake.open(queryId);
        }}
      />

      {lake.page && (
        <section aria-labelledby="results-heading">
          <h2 id="results-heading">Results</h2>
          <p className="muted">
            {lake.page.totalResultsCount} rows in all; showing {lake.page.rows.length}.
          </p>
          <ResultsTable columns={lake.page.columns} rows={lake.page.rows} />
          <div className="toolbar">
            {lake.page.nextToken && (
              <button type="button" className="secondary" onClick={() => void lake.nextPage()}>
                Next results page
              </button>
            )}
            <button
              type="button"
              className="secondary"
              onClick={() => downloadResultsCsv(lake.page!.columns, lake.page!.rows, lake.query!.queryId)}
            >
              Download results page (CSV)
            </button>
          </div>
          <ResultChart
            key={lake.query?.queryId}
            columns={lake.page.columns}
            rows={lake.page.rows}
            statement={lake.query?.queryString ?? null}
          />
        </section>
      )}
    </>
  );
}
