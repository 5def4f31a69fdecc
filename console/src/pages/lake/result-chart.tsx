import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PieController,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef, useState } from 'react';

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

export type ChartKind = 'bar' | 'line' | 'pie';

const COLORS = ['#1f5fa8', '#c7511f', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457', '#5d4037', '#455a64'];

/** Bar, line or pie of one result column (values) against another (labels). */
export function ResultChart({ columns, rows }: { columns: string[]; rows: Array<Record<string, string | null>> }) {
  const numeric = columns.filter((c) => rows.length > 0 && rows.every((r) => r[c] === null || !Number.isNaN(Number(r[c]))));
  const [kind, setKind] = useState<ChartKind>('bar');
  const [labelColumn, setLabelColumn] = useState(columns.find((c) => !numeric.includes(c)) ?? columns[0] ?? '');
  const [valueColumn, setValueColumn] = useState(numeric[numeric.length - 1] ?? '');
  const canvas = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    if (!canvas.current || !valueColumn) return;
    const labels = rows.map((r) => r[labelColumn] ?? '(null)');
    const data = rows.map((r) => Number(r[valueColumn] ?? 0));
    const chart = new Chart(canvas.current, {
      type: kind,
      data: {
        labels,
        datasets: [
          {
            label: valueColumn,
            data,
            backgroundColor: kind === 'pie' ? labels.map((_, i) => COLORS[i % COLORS.length]) : COLORS[0],
            borderColor: COLORS[0],
          },
        ],
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { display: kind === 'pie' } } },
    });
    return () => chart.destroy();
  }, [kind, labelColumn, valueColumn, rows]);

  if (numeric.length === 0) return <p className="muted">No numeric column to chart.</p>;
  return (
    <section className="chart" aria-labelledby="chart-heading">
      <h3 id="chart-heading">Chart</h3>
      <div className="filter-row">
        <label>
          Chart type
          <select value={kind} onChange={(e) => setKind(e.target.value as ChartKind)} data-testid="chart-kind">
            <option value="bar">Bar</option>
            <option value="line">Line</option>
            <option value="pie">Pie</option>
          </select>
        </label>
        <label>
          Labels
          <select value={labelColumn} onChange={(e) => setLabelColumn(e.target.value)}>
            {columns.map((c) => (
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
      <div className="chart-box">
        <canvas ref={canvas} role="img" aria-label={`${kind} chart of ${valueColumn} by ${labelColumn}`} data-testid="result-chart" />
      </div>
    </section>
  );
}
