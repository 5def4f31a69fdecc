import { type FormEvent, useEffect, useState } from 'react';
import { CREATE_DASHBOARD, GET_DASHBOARD, LIST_DASHBOARDS, UPDATE_DASHBOARD } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { Link } from '../../components/link';
import { type Dashboard, dashboardName, viewValue, widgetInput } from '../dashboards/dashboard-model';
import { useFormError } from '../resources/use-form-error';
import { type ChartKind, viewOfKind } from './chart-view';

const NEW = '';

/**
 * Saves the chart as a widget: its query statement with the chart's view (kind, label and value
 * columns, title) as viewProperties, into a new custom dashboard or appended to an existing one.
 */
export function SaveToDashboard(props: { statement: string; kind: ChartKind; labelColumn: string; valueColumn: string }) {
  const { statement, kind, labelColumn, valueColumn } = props;
  const [names, setNames] = useState<string[]>([]);
  const [target, setTarget] = useState(NEW);
  const [newName, setNewName] = useState('');
  const [title, setTitle] = useState('');
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<{ name: string; widgets: number } | null>(null);
  // A refused or taken name is the name field's; anything else (a widget's query, the quota) the form's.
  const errors = useFormError<'name'>('save-dashboard', [[/^\w+: Dashboard name|already exists/, 'name']]);

  useEffect(() => {
    let cancelled = false;
    gql<{ listDashboards: { dashboards: Array<{ dashboardArn: string }> } }>(LIST_DASHBOARDS, { input: { type: 'CUSTOM' } }).then(
      (r) => !cancelled && setNames(r.listDashboards.dashboards.map((d) => dashboardName(d.dashboardArn))),
      (err) => !cancelled && errors.fail(err, 'form'),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setSaved(null);
    errors.clear();
    const widget = {
      queryStatement: statement,
      queryParameters: null,
      viewProperties: [
        { key: 'Title', value: viewValue(title) || viewValue(`${valueColumn} by ${labelColumn}`) || 'Chart' },
        { key: 'View', value: viewOfKind(kind) },
        { key: 'XAxis', value: labelColumn },
        { key: 'YAxis', value: valueColumn },
      ],
    };
    try {
      let dashboard: Dashboard;
      if (target === NEW) {
        dashboard = (await gql<{ createDashboard: Dashboard }>(CREATE_DASHBOARD, { input: { name: newName.trim(), widgets: [widget] } }))
          .createDashboard;
        setNames((n) => [...n, dashboard.name].sort());
        setTarget(dashboard.name);
      } else {
        const { getDashboard } = await gql<{ getDashboard: Dashboard }>(GET_DASHBOARD, { input: { dashboardId: target } });
        dashboard = (
          await gql<{ updateDashboard: Dashboard }>(UPDATE_DASHBOARD, {
            input: { dashboardId: target, widgets: [...getDashboard.widgets.map(widgetInput), widget] },
          })
        ).updateDashboard;
      }
      setSaved({ name: dashboard.name, widgets: dashboard.widgets.length });
    } catch (err) {
      errors.fail(err, target === NEW ? undefined : 'form');
    } finally {
      setSaving(false);
    }
  };

  return (
    <form className="save-dashboard" aria-label="Save chart to a dashboard" onSubmit={(e) => void save(e)}>
      <div className="filter-row">
        <label>
          Dashboard
          <select value={target} onChange={(e) => setTarget(e.target.value)} data-testid="save-dashboard-target">
            <option value={NEW}>New dashboard…</option>
            {names.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {target === NEW && (
          <label>
            New dashboard name
            <input value={newName} onChange={(e) => setNewName(e.target.value)} required {...errors.fieldProps('name')} />
          </label>
        )}
        <label>
          Widget title
          <input value={title} onChange={(e) => setTitle(e.target.value)} placeholder={`${valueColumn} by ${labelColumn}`} />
        </label>
        <button type="submit" disabled={saving}>
          Save chart to dashboard
        </button>
      </div>
      <ErrorMessage error={errors.errorOf('name')} id={errors.errorId('name')} />
      <ErrorMessage error={errors.errorOf('form')} id={errors.errorId('form')} />
      {saved && (
        <p role="status" data-testid="save-dashboard-status">
          Saved to {saved.name} ({saved.widgets} {saved.widgets === 1 ? 'widget' : 'widgets'}).{' '}
          <Link to={`/dashboards?name=${encodeURIComponent(saved.name)}`}>Open dashboard {saved.name}</Link>
        </p>
      )}
    </form>
  );
}
