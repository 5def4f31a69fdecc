import { CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useRef, useState } from 'react';
import { INSIGHTS_METRIC_DATA } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import type { Insight } from './insight-list';

Chart.register(LineController, LineElement, PointElement, CategoryScale, LinearScale, Legend, Tooltip);

const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The call-rate (or error-rate) curve per minute around an insight, against its baseline. */
export function InsightChart({ insight }: { insight: Insight }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [series, setSeries] = useState<{ timestamps: string[]; values: number[] } | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    setSeries(null);
    setError(null);
    const start = Date.parse(insight.startTime) - 60 * MINUTE;
    const end = Math.min(Date.now(), (insight.endTime ? Date.parse(insight.endTime) : Date.now()) + 60 * MINUTE);
    gql<{ listInsightsMetricData: { timestamps: string[]; values: number[] } }>(INSIGHTS_METRIC_DATA, {
      input: {
        eventSource: insight.eventSource,
        eventName: insight.eventName,
        insightType: insight.insightType,
        ...(insight.errorCode ? { errorCode: insight.errorCode } : {}),
        period: 60,
        dataType: 'FillWithZeros',
        startTime: iso(start),
        endTime: iso(end),
      },
    }).then(
      (r) => !cancelled && setSeries(r.listInsightsMetricData),
      (err) => !cancelled && setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [insight]);

  useEffect(() => {
    if (!canvas.current || !series) return;
    const labels = series.timestamps.map((t) => t.slice(11, 16));
    const datasets = [
      {
        label: insight.insightType === 'ApiErrorRateInsight' ? 'Errors per minute' : 'Calls per minute',
        data: series.values,
        borderColor: '#c7511f',
        backgroundColor: '#c7511f',
        pointRadius: 0,
      },
    ];
    if (insight.baselineAverage !== null) {
      datasets.push({
        label: 'Baseline average',
        data: series.values.map(() => insight.baselineAverage!),
        borderColor: '#1f5fa8',
        backgroundColor: '#1f5fa8',
        pointRadius: 0,
      });
    }
    const chart = new Chart(canvas.current, {
      type: 'line',
      data: { labels, datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false },
    });
    return () => chart.destroy();
  }, [series, insight]);

  return (
    <section aria-labelledby="insight-chart-heading">
      <h2 id="insight-chart-heading">
        {insight.eventSource} {insight.eventName} · {insight.insightType}
      </h2>
      <ErrorMessage error={error} />
      {!series && !error && <p role="status">Loading the metric data…</p>}
      <div className="chart-box">
        <canvas
          ref={canvas}
          role="img"
          aria-label={`Per-minute ${insight.eventName} rate against the baseline`}
          data-testid="insight-chart"
        />
      </div>
    </section>
  );
}
