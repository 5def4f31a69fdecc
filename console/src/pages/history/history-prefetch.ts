import { LOOKUP_EVENTS } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { loadRegion, loadSession } from '../../api/session-store';
import { BASE } from '../../app/location';
import type { HistoryEventNode } from './event-row';
import { filterFromParams, lookupInput } from './history-filter';

export const HISTORY_PAGE_SIZE = 50;

export interface LookupResult {
  lookupEvents: {
    edges: Array<{ cursor: string; node: HistoryEventNode }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

let prefetched: { query: string; token: string; region: string; at: number; result: Promise<LookupResult> } | null = null;

/**
 * A first visit to the event history with a stored session starts its first lookup at once, beside
 * the identity calls, instead of after them (measured: ~250 ms of a first visit was the lookup
 * waiting for getCallerIdentity and listRegions). The page takes it over if it opens on the same
 * filter; a session the server refuses ends there as it would on the page's own call.
 */
export function prefetchHistory(): void {
  const path = window.location.pathname;
  const token = loadSession()?.token;
  if (!token || !(path === BASE || path === `${BASE}/` || path === `${BASE}/history`)) return;
  const query = new URLSearchParams(window.location.search).toString();
  const at = Date.now();
  const result = gql<LookupResult>(LOOKUP_EVENTS, {
    input: lookupInput(filterFromParams(new URLSearchParams(query)), at),
    first: HISTORY_PAGE_SIZE,
    after: null,
  });
  result.catch(() => undefined);
  prefetched = { query, token, region: loadRegion(), at, result };
}

/**
 * The prefetched first page for `query` (once), with the time its relative range was pinned at;
 * none if the session or region changed since (a refused session signed in again, a region switch).
 */
export function takePrefetchedHistory(query: string): { at: number; result: Promise<LookupResult> } | null {
  const p = prefetched;
  prefetched = null;
  return p && p.query === query && p.token === loadSession()?.token && p.region === loadRegion() ? p : null;
}
