import { useState } from 'react';
import { CHART_KINDS, type ChartKind, ChartView, numericColumns, type ResultRow, timeColumns } from './chart-view';
import { SaveToDashboard } from './save-to-dashboard';

/** Bar, line, pie or time series of one result column (values) against another (labels or times); saved to a dashboard as a widget. */
export function ResultChart({ columns, rows, statement }: { columns: string[]; rows: ResultRow[]; statement: string | null }) {
  const numeric = numericColumns(columns, rows);
  const times = timeColumns(columns, rows);
  const [kind, setKind] = useState<ChartKind>('bar');
  const [labelColumn, setLabelColumn] = useState(columns.find((c) => !numeric.includes(c)) ?? columns[0] ?? '');
  const [valueColumn, setValueColumn] = useState(numeric[numeric.length - 1] ?? '');
  const labelChoices = kind === 'timeseries' ? times : columns;
  const label = labelChoices.includes(labelColumn) ? labelColumn : (labelChoices[0] ?? '');

  if (numeric.length === 0) return <p className="muted">No numeric column to chart.</p>;
  return (
    <section className="chart" aria-labelledby="chart-heading">
      <h3 id="chart-heading">Chart</h3>
      <div className="filter-row">
        <label>
          Chart type
          <select value={kind} onChange={(e) => setKind(e.target.value as ChartKind)} data-testid="chart-kind">
            {CHART_KINDS.filter((k) => k.kind !== 'timeseries' || times.length > 0).map((k) => (
              <option key={k.kind} value={k.kind}>
                {k.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          {kind === 'timeseries' ? 'Time' : 'Labels'}
          <select value={label} onChange={(e) => setLabelColumn(e.target.value)} data-testid="chart-label-column">
            {labelChoices.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Values
          <select value={valueColumn} onChange={(e) => setValueColumn(e.target.value)}>
            {numeric.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ChartView kind={kind} labelColumn={label} valueColumn={valueColumn} rows={rows} testId="result-chart" />
      {statement && <SaveToDashboard statement={statement} kind={kind} labelColumn={label} valueColumn={valueColumn} />}
    </section>
  );
}
