import { useEffect, useState } from 'react';

/** A minimal history-API router: the console's pages and filters live in the URL, so reloads and links keep them. */

export const BASE = '/console';

export interface ConsoleLocation {
  /** Path below /console, e.g. "/history". */
  page: string;
  params: URLSearchParams;
}

function current(): ConsoleLocation {
  const path = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '/';
  return { page: path === '' ? '/' : path, params: new URLSearchParams(window.location.search) };
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** Console-relative href ("/history?x=1") → absolute path. */
export function href(to: string): string {
  return BASE + to;
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const target = href(to);
  if (target === window.location.pathname + window.location.search) return;
  if (opts.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  listeners.forEach((l) => l());
}

/** The current page and query, re-rendering on navigation. */
export function useLocation(): ConsoleLocation {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return loc;
}

/** The current console-relative path with its query (what sign-in returns to). */
export function currentTarget(): string {
  const loc = current();
  const query = loc.params.toString();
  return loc.page + (query ? `?${query}` : '');
}
