import { useCallback, useEffect, useRef, useState } from 'react';
import { GET_DASHBOARD, LIST_DASHBOARDS, LIST_EVENT_DATA_STORES, START_DASHBOARD_REFRESH } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { navigate, useLocation } from '../../app/location';
import { ErrorMessage } from '../../components/error-message';
import { type Dashboard, dashboardName, WIDGET_RUNNING } from './dashboard-model';
import { WidgetCard } from './widget-card';

const POLL_MS = 1000;
const WINDOWS = [
  { value: '1h', label: 'Last hour', seconds: 3600 },
  { value: '24h', label: 'Last 24 hours', seconds: 86_400 },
  { value: '7d', label: 'Last 7 days', seconds: 7 * 86_400 },
  { value: '30d', label: 'Last 30 days', seconds: 30 * 86_400 },
];
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Lake dashboards: the list, and one dashboard's widgets as charts with a refresh that runs their queries. */
export default function DashboardsPage() {
  const { params } = useLocation();
  const open = params.get('name');
  const [list, setList] = useState<Array<{ dashboardArn: string; type: string }> | null>(null);
  const [listError, setListError] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const all: Array<{ dashboardArn: string; type: string }> = [];
      let nextToken: string | null = null;
      do {
        const r: { listDashboards: { dashboards: typeof all; nextToken: string | null } } = await gql(LIST_DASHBOARDS, {
          input: { nextToken },
        });
        all.push(...r.listDashboards.dashboards);
        nextToken = r.listDashboards.nextToken;
      } while (nextToken);
      if (!cancelled) setList(all);
    })().catch((err) => !cancelled && setListError(err));
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <>
      <h1>Dashboards</h1>
      <section aria-labelledby="dashboards-heading">
        <h2 id="dashboards-heading">Lake dashboards</h2>
        <ErrorMessage error={listError} />
        {list === null && !listError && <p role="status">Loading…</p>}
        {list && (
          <div className="table-wrap">
            <table className="data" aria-label="Dashboards">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((d) => {
                  const name = dashboardName(d.dashboardArn);
                  return (
                    <tr key={d.dashboardArn} aria-current={name === open ? 'true' : undefined}>
                      <td>{name}</td>
                      <td>{d.type}</td>
                      <td>
                        <button
                          type="button"
                          className="secondary"
                          onClick={() => navigate(`/dashboards?name=${encodeURIComponent(name)}`)}
                        >
                          Open {name}
                        </button>
                      </td>
                    </tr>
                  );
                })}
                {list.length === 0 && (
                  <tr>
                    <td colSpan={3}>No dashboards in this region. Save a Lake chart to a dashboard to start one.</td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {open && <DashboardView key={open} name={open} />}
    </>
  );
}

function DashboardView({ name }: { name: string }) {
  const [dashboard, setDashboard] = useState<Dashboard | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [refreshError, setRefreshError] = useState<unknown>(null);
  const [windowValue, setWindowValue] = useState('24h');
  const [stores, setStores] = useState<Array<{ eventDataStoreArn: string; name: string }>>([]);
  const [store, setStore] = useState('');
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  // Reloads the dashboard, and again while a widget's query of the latest refresh runs.
  const load = useCallback(async () => {
    window.clearTimeout(timer.current);
    try {
      const { getDashboard } = await gql<{ getDashboard: Dashboard }>(GET_DASHBOARD, { input: { dashboardId: name } });
      setDashboard(getDashboard);
      setError(null);
      if (getDashboard.widgets.some((w) => w.queryStatus && WIDGET_RUNNING.has(w.queryStatus)))
        timer.current = window.setTimeout(() => void load(), POLL_MS);
    } catch (err) {
      setError(err);
    }
  }, [name]);
  useEffect(() => void load(), [load]);

  const managed = dashboard?.type === 'MANAGED';
  useEffect(() => {
    if (!managed) return;
    gql<{ listEventDataStores: { eventDataStores: Array<{ eventDataStoreArn: string; name: string }> } }>(LIST_EVENT_DATA_STORES).then(
      (r) => {
        setStores(r.listEventDataStores.eventDataStores);
        setStore((s) => s || (r.listEventDataStores.eventDataStores[0]?.eventDataStoreArn.split('/').pop() ?? ''));
      },
      setRefreshError,
    );
  }, [managed]);

  const refresh = async () => {
    setRefreshError(null);
    const seconds = WINDOWS.find((w) => w.value === windowValue)!.seconds;
    const now = Date.now();
    const values = [
      { key: '$StartTime$', value: iso(now - seconds * 1000) },
      { key: '$EndTime$', value: iso(now) },
      ...(managed && store ? [{ key: '$EventDataStoreId$', value: store }] : []),
    ];
    try {
      await gql(START_DASHBOARD_REFRESH, { input: { dashboardId: name, queryParameterValues: values } });
    } catch (err) {
      setRefreshError(err);
    }
    await load();
  };

  const running = dashboard?.widgets.some((w) => w.queryStatus && WIDGET_RUNNING.has(w.queryStatus)) ?? false;
  return (
    <section aria-labelledby="dashboard-heading" className="dashboard">
      <h2 id="dashboard-heading">Dashboard {name}</h2>
      <ErrorMessage error={error} />
      {dashboard && (
        <>
          <p className="muted" data-testid="dashboard-summary">
            {dashboard.type} · {dashboard.widgets.length} {dashboard.widgets.length === 1 ? 'widget' : 'widgets'} ·{' '}
            {dashboard.lastRefreshId ? `last refresh ${dashboard.lastRefreshId}` : 'never refreshed'}
          </p>
          <div className="toolbar">
            <label>
              Refresh window
              <select value={windowValue} onChange={(e) => setWindowValue(e.target.value)}>
                {WINDOWS.map((w) => (
                  <option key={w.value} value={w.value}>
                    {w.label}
                  </option>
                ))}
              </select>
            </label>
            {managed && (
              <label>
                Event data store
                <select value={store} onChange={(e) => setStore(e.target.value)}>
                  {stores.map((s) => (
                    <option key={s.eventDataStoreArn} value={s.eventDataStoreArn.split('/').pop()}>
                      {s.name}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <button type="button" onClick={() => void refresh()} disabled={running}>
              Refresh dashboard
            </button>
            <span role="status" data-testid="dashboard-refresh-status">
              {running ? 'Refreshing…' : ''}
            </span>
          </div>
          <ErrorMessage error={refreshError} />
          {dashboard.lastRefreshFailureReason && (
            <p className="error" role="alert" data-testid="dashboard-failure">
              Last refresh failed: {dashboard.lastRefreshFailureReason}
            </p>
          )}
          <div className="widgets">
            {dashboard.widgets.map((w) => (
              <WidgetCard key={w.queryAlias} widget={w} />
            ))}
          </div>
        </>
      )}
    </section>
  );
}
