import { useEffect, useState } from 'react';
import { GET_QUERY_RESULTS } from '../../api/documents';
import { ApiError, gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { ChartView, kindOfView, numericColumns } from '../lake/chart-view';
import { ResultsTable } from '../lake/results-table';
import { type ResultPage, toPage } from '../lake/use-lake-query';
import { viewProperty, type Widget, WIDGET_RUNNING } from './dashboard-model';

/** One widget: its title, its query's status in the latest refresh, and that query's rows as its chart (or a table). */
export function WidgetCard({ widget }: { widget: Widget }) {
  const title = viewProperty(widget, 'Title') ?? widget.queryAlias;
  const kind = kindOfView(viewProperty(widget, 'View'));
  const [page, setPage] = useState<ResultPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const finished = widget.queryStatus === 'FINISHED' && widget.queryId;

  useEffect(() => {
    setPage(null);
    setError(null);
    if (!finished) return;
    let cancelled = false;
    gql<{ getQueryResults: { queryResultRows: unknown; nextToken: string | null; queryStatistics: { totalResultsCount: number } } }>(
      GET_QUERY_RESULTS,
      { input: { queryId: widget.queryId, maxQueryResults: 100 } },
    ).then(
      ({ getQueryResults: r }) => !cancelled && setPage(toPage(r.queryResultRows, r.nextToken, r.queryStatistics.totalResultsCount)),
      (err) => !cancelled && setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [widget.queryId, widget.queryStatus]);

  const numeric = page ? numericColumns(page.columns, page.rows) : [];
  const valueColumn = viewProperty(widget, 'YAxis') ?? numeric[numeric.length - 1];
  const labelColumn = viewProperty(widget, 'XAxis') ?? page?.columns.find((c) => !numeric.includes(c)) ?? page?.columns[0];
  const chartable = page && kind && valueColumn && labelColumn && page.columns.includes(valueColumn) && page.columns.includes(labelColumn);

  return (
    <article className="widget" aria-label={`Widget ${title}`} data-testid={`widget-${widget.queryAlias}`}>
      <h3>{title}</h3>
      <p className="muted" data-testid={`widget-status-${widget.queryAlias}`}>
        {widget.queryStatus ?? 'Not refreshed yet'}
        {widget.queryStatus && WIDGET_RUNNING.has(widget.queryStatus) ? '…' : ''}
      </p>
      {widget.queryStatus && !WIDGET_RUNNING.has(widget.queryStatus) && widget.queryStatus !== 'FINISHED' && (
        <ErrorMessage error={new ApiError(widget.queryStatus, `The widget's query ${widget.queryId ?? ''} did not finish.`)} />
      )}
      <ErrorMessage error={error} />
      {page && page.rows.length === 0 && <p>The query returned no rows.</p>}
      {page && page.rows.length > 0 && chartable && (
        <ChartView
          kind={kind}
          labelColumn={labelColumn}
          valueColumn={valueColumn}
          rows={page.rows}
          testId={`widget-chart-${widget.queryAlias}`}
        />
      )}
      {page && page.rows.length > 0 && !chartable && <ResultsTable columns={page.columns} rows={page.rows} />}
      <details>
        <summary>Query</summary>
        <pre className="record-json" tabIndex={0} aria-label={`Query of ${title}`}>
          {widget.queryStatement}
        </pre>
      </details>
    </article>
  );
}
