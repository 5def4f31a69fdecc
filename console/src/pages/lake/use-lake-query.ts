import { useCallback, useEffect, useRef, useState } from 'react';
import { CANCEL_QUERY, DESCRIBE_QUERY, GET_QUERY_RESULTS, START_QUERY } from '../../api/documents';
import { gql } from '../../api/graphql-client';

export interface QueryState {
  queryId: string;
  status: string;
  queryString?: string;
  waitReason?: string | null;
  errorMessage?: string | null;
  statistics?: { eventsMatched: number; eventsScanned: number; bytesScanned: number; executionTimeInMillis: number };
}

export interface ResultPage {
  columns: string[];
  rows: Array<Record<string, string | null>>;
  nextToken: string | null;
  totalResultsCount: number;
}

const RUNNING = new Set(['QUEUED', 'RUNNING']);
const POLL_MS = 500;

/** CloudTrail's row shape (a list of single-key objects per row) as column names and records. */
export function toPage(raw: unknown, nextToken: string | null, total: number): ResultPage {
  const list = Array.isArray(raw) ? (raw as Array<Array<Record<string, string | null>>>) : [];
  const columns = list[0]?.map((cell) => Object.keys(cell)[0]) ?? [];
  const rows = list.map((row) => Object.assign({}, ...row) as Record<string, string | null>);
  return { columns, rows, nextToken, totalResultsCount: total };
}

/** startQuery → describeQuery polling (status, statistics) → getQueryResults pages; cancel. */
export function useLakeQuery() {
  const [query, setQuery] = useState<QueryState | null>(null);
  const [page, setPage] = useState<ResultPage | null>(null);
  const [error, setError] = useState<unknown>(null);
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const loadResults = useCallback(async (queryId: string, nextToken: string | null = null) => {
    const { getQueryResults: r } = await gql<{
      getQueryResults: { queryResultRows: unknown; nextToken: string | null; queryStatistics: { totalResultsCount: number } };
    }>(GET_QUERY_RESULTS, { input: { queryId, maxQueryResults: 100, nextToken } });
    setPage(toPage(r.queryResultRows, r.nextToken, r.queryStatistics.totalResultsCount));
  }, []);

  const poll = useCallback(
    async (queryId: string) => {
      try {
        const { describeQuery: d } = await gql<{
          describeQuery: QueryState & { queryStatus: string; queryStatistics: QueryState['statistics'] };
        }>(DESCRIBE_QUERY, { input: { queryId } });
        setQuery({
          queryId,
          status: d.queryStatus,
          queryString: d.queryString,
          waitReason: d.waitReason,
          errorMessage: d.errorMessage,
          statistics: d.queryStatistics,
        });
        if (RUNNING.has(d.queryStatus)) timer.current = window.setTimeout(() => void poll(queryId), POLL_MS);
        else if (d.queryStatus === 'FINISHED') await loadResults(queryId);
      } catch (err) {
        setError(err);
      }
    },
    [loadResults],
  );

  const run = useCallback(
    async (statement: string) => {
      window.clearTimeout(timer.current);
      setError(null);
      setPage(null);
      setQuery(null);
      try {
        const { startQuery } = await gql<{ startQuery: { queryId: string } }>(START_QUERY, { input: { queryStatement: statement } });
        setQuery({ queryId: startQuery.queryId, status: 'QUEUED' });
        await poll(startQuery.queryId);
      } catch (err) {
        setError(err);
      }
    },
    [poll],
  );

  /** Shows an earlier query of the history: its status, statistics and results. */
  const open = useCallback(
    async (queryId: string) => {
      window.clearTimeout(timer.current);
      setError(null);
      setPage(null);
      setQuery({ queryId, status: 'QUEUED' });
      await poll(queryId);
    },
    [poll],
  );

  const cancel = useCallback(async () => {
    if (!query) return;
    try {
      const { cancelQuery } = await gql<{ cancelQuery: { queryStatus: string } }>(CANCEL_QUERY, { input: { queryId: query.queryId } });
      setQuery((q) => (q ? { ...q, status: cancelQuery.queryStatus } : q));
    } catch (err) {
      setError(err);
    }
  }, [query]);

  const nextPage = useCallback(async () => {
    if (!query || !page?.nextToken) return;
    try {
      await loadResults(query.queryId, page.nextToken);
    } catch (err) {
      setError(err);
    }
  }, [query, page, loadResults]);

  return { query, page, error, run, open, cancel, nextPage, running: !!query && RUNNING.has(query.status) };
}
