import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PieController,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'react';

// Only the pieces used: the rest of Chart.js stays out of the bundle.
Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  PieController,
  ArcElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);

export type ChartKind = 'bar' | 'line' | 'pie' | 'timeseries';
export type ResultRow = Record<string, string | null>;

export const CHART_KINDS: Array<{ kind: ChartKind; label: string; view: string }> = [
  { kind: 'bar', label: 'Bar', view: 'BarChart' },
  { kind: 'line', label: 'Line', view: 'LineChart' },
  { kind: 'pie', label: 'Pie', view: 'PieChart' },
  { kind: 'timeseries', label: 'Time series', view: 'TimeSeries' },
];

/** A widget's `View` property as a chart kind; null for a table (or a view the console does not draw). */
export const kindOfView = (view: string | undefined): ChartKind | null => CHART_KINDS.find((k) => k.view === view)?.kind ?? null;
export const viewOfKind = (kind: ChartKind): string => CHART_KINDS.find((k) => k.kind === kind)!.view;

const COLORS = ['#1f5fa8', '#c7511f', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457', '#5d4037', '#455a64'];

/** A Lake timestamp ("2026-03-01 10:00:00.000", UTC) or an ISO-8601 time as epoch ms; NaN when it is neither. */
export function timeOf(value: string | null): number {
  if (value === null || !/^\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d+)?)?)?(Z|[+-]\d\d:?\d\d)?$/.test(value)) return Number.NaN;
  const iso = value.replace(' ', 'T');
  return Date.parse(/(Z|[+-]\d\d:?\d\d)$/.test(iso) || iso.length === 10 ? iso : `${iso}Z`);
}

export const numericColumns = (columns: string[], rows: ResultRow[]) =>
  columns.filter((c) => rows.length > 0 && rows.every((r) => r[c] === null || (r[c] !== '' && !Number.isNaN(Number(r[c])))));
export const timeColumns = (columns: string[], rows: ResultRow[]) =>
  columns.filter((c) => rows.length > 0 && rows.every((r) => !Number.isNaN(timeOf(r[c]))));

const isoMinute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

function configFor(kind: ChartKind, labelColumn: string, valueColumn: string, rows: ResultRow[]): ChartConfiguration {
  const options = { responsive: true, maintainAspectRatio: false, animation: false as const };
  if (kind === 'timeseries') {
    // Points at their times on a linear axis (no date adapter needed): gaps in time show as gaps.
    const points = rows
      .map((r) => ({ x: timeOf(r[labelColumn]), y: Number(r[valueColumn] ?? 0) }))
      .filter((p) => !Number.isNaN(p.x))
      .sort((a, b) => a.x - b.x);
    return {
      type: 'line',
      data: { datasets: [{ label: valueColumn, data: points, borderColor: COLORS[0], backgroundColor: COLORS[0] }] },
      options: {
        ...options,
        plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => isoMinute(items[0].parsed.x ?? 0) } } },
        scales: { x: { type: 'linear', ticks: { callback: (v) => isoMinute(Number(v)), maxTicksLimit: 8 } } },
      },
    };
  }
  const labels = rows.map((r) => r[labelColumn] ?? '(null)');
  return {
    type: kind,
    data: {
      labels,
      datasets: [
        {
          label: valueColumn,
          data: rows.map((r) => Number(r[valueColumn] ?? 0)),
          backgroundColor: kind === 'pie' ? labels.map((_, i) => COLORS[i % COLORS.length]) : COLORS[0],
          borderColor: COLORS[0],
        },
      ],
    },
    options: { ...options, plugins: { legend: { display: kind === 'pie' } } },
  };
}

/** One chart of a result: `valueColumn` against `labelColumn` (a time column for a time series). */
export function ChartView(props: { kind: ChartKind; labelColumn: string; valueColumn: string; rows: ResultRow[]; testId?: string }) {
  const { kind, labelColumn, valueColumn, rows } = props;
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current || !valueColumn) return;
    const chart = new Chart(canvas.current, configFor(kind, labelColumn, valueColumn, rows));
    return () => chart.destroy();
  }, [kind, labelColumn, valueColumn, rows]);
  const kindLabel = CHART_KINDS.find((k) => k.kind === kind)?.label ?? kind;
  return (
    <div className="chart-box">
      <canvas ref={canvas} role="img" aria-label={`${kindLabel} chart of ${valueColumn} by ${labelColumn}`} data-testid={props.testId} />
    </div>
  );
}
