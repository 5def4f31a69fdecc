import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { LOOKUP_EVENTS } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { navigate, useLocation } from '../../app/location';
import { ErrorMessage } from '../../components/error-message';
import { type EventRow, rowFromHistory, rowMatches } from './event-row';
import { EventsTable } from './events-table';
import { ExportButtons } from './export-buttons';
import { FilterForm } from './filter-form';
import { filterFromParams, filterToQuery, type HistoryFilter, lookupInput } from './history-filter';
import { HISTORY_PAGE_SIZE as PAGE_SIZE, type LookupResult, takePrefetchedHistory } from './history-prefetch';
import { RecordPanel } from './record-panel';
import { useLiveEvents } from './use-live-events';

/** Event history: filter (in the URL), keyset pages, a record view, downloads and a live stream. */
export function HistoryPage() {
  const { params } = useLocation();
  const query = params.toString();
  const filter = useMemo(() => filterFromParams(new URLSearchParams(query)), [query]);
  // Applying an unchanged filter still reloads (the URL, hence `filter`, stays the same).
  const [reloads, setReloads] = useState(0);
  // One listing: a filter as applied. Its relative range ("last 24 hours") is pinned when the
  // listing starts: the API refuses a cursor for a query with another start time.
  const listing = `${query}#${reloads}`;
  // The first listing may already be on its way (started beside the identity calls at startup).
  const pinned = useRef<{ listing: string; at: number; prefetched: Promise<LookupResult> | null }>({
    listing: '',
    at: 0,
    prefetched: null,
  });
  // So may a listing the filter form applied: its lookup starts on the click, not after the render.
  const applied = useRef<{ listing: string; at: number; result: Promise<LookupResult> } | null>(null);
  if (pinned.current.listing !== listing) {
    const early =
      applied.current?.listing === listing ? applied.current : pinned.current.listing === '' ? takePrefetchedHistory(query) : null;
    applied.current = null;
    pinned.current = { listing, at: early?.at ?? Date.now(), prefetched: early?.result ?? null };
  }
  const pinnedAt = pinned.current.at;
  // Cursors of the pages before the current one: keyset paging has no page numbers.
  // Keyed by the listing: a new filter starts at its first page in the same render (an
  // effect resetting them would first fetch the new filter with the old filter's cursor).
  const [paging, setPaging] = useState<{ listing: string; cursors: Array<string | null> }>({ listing, cursors: [null] });
  const cursors = paging.listing === listing ? paging.cursors : [null];
  const setCursors = (update: (c: Array<string | null>) => Array<string | null>) =>
    setPaging((p) => ({ listing, cursors: update(p.listing === listing ? p.cursors : [null]) }));
  const [rows, setRows] = useState<EventRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState<EventRow | null>(null);
  const [live, setLive] = useState(false);
  const after = cursors[cursors.length - 1];

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setError(null);
    const early = after === null ? pinned.current.prefetched : null;
    pinned.current.prefetched = null;
    (early ?? gql<LookupResult>(LOOKUP_EVENTS, { input: lookupInput(filter, pinnedAt), first: PAGE_SIZE, after })).then(
      (data) => {
        if (cancelled) return;
        setRows(data.lookupEvents.edges.map((e) => rowFromHistory(e.node)));
        setNext(data.lookupEvents.pageInfo.hasNextPage ? data.lookupEvents.pageInfo.endCursor : null);
        setLoading(false);
      },
      (err) => {
        if (cancelled) return;
        setError(err);
        setRows([]);
        setNext(null);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [filter, after, pinnedAt]);

  // Live rows go on top of the first page only; a later page is a fixed slice of the past.
  const filterRef = useRef(filter);
  filterRef.current = filter;
  const onLive = useCallback((row: EventRow) => {
    const f = filterRef.current;
    if (
      !rowMatches(
        row,
        f.attributes.filter((a) => a.value !== ''),
        f.readOnly,
        f.insights,
      )
    )
      return;
    setRows((current) => (current.some((r) => r.eventId === row.eventId) ? current : [row, ...current]));
  }, []);
  const liveOn = live && cursors.length === 1 && filter.range !== 'custom';
  const stream = useLiveEvents(liveOn, onLive);

  const apply = (f: HistoryFilter) => {
    const search = filterToQuery(f);
    const at = Date.now();
    const result = gql<LookupResult>(LOOKUP_EVENTS, { input: lookupInput(f, at), first: PAGE_SIZE, after: null });
    result.catch(() => undefined);
    // The listing this click makes (the URL's query as the location will read it, the next reload).
    applied.current = { listing: `${new URLSearchParams(search).toString()}#${reloads + 1}`, at, result };
    navigate('/history' + search);
    setReloads((n) => n + 1);
  };
  const onOpen = useCallback((row: EventRow) => setOpen(row), []);

  return (
    <>
      <h1>Event history</h1>
      <FilterForm filter={filter} onApply={apply} />
      <div className="toolbar">
        <label className="inline switch">
          <input type="checkbox" role="switch" checked={live} onChange={(e) => setLive(e.target.checked)} aria-describedby="live-status" />{' '}
          Live
        </label>
        <span id="live-status" className="muted" role="status" data-testid="live-status">
          {live && !liveOn
            ? 'Live needs the first page and a relative time range.'
            : stream.status === 'off'
              ? ''
              : `Live: ${stream.status}`}
        </span>
        <ExportButtons filter={filter} />
      </div>
      <ErrorMessage error={error ?? stream.error} />
      <div className={open ? 'history-split' : ''}>
        <div>
          <EventsTable rows={rows} filter={filter} onOpen={onOpen} selectedId={open?.eventId} />
          <nav className="pager" aria-label="Event pages">
            <button
              type="button"
              className="secondary"
              disabled={cursors.length === 1 || loading}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              Previous page
            </button>
            <span role="status" aria-live="polite">
              {loading ? 'Loading…' : `Page ${cursors.length}, ${rows.length} events`}
            </span>
            <button type="button" className="secondary" disabled={!next || loading} onClick={() => setCursors((c) => [...c, next])}>
              Next page
            </button>
          </nav>
        </div>
        {open && <RecordPanel row={open} onClose={() => setOpen(null)} />}
      </div>
    </>
  );
}
