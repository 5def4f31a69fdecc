import { useCallback, useEffect, useRef, useState } from 'react';

/** One page of a list paged by the API's own token (nextToken, marker or cursor). */
export interface TokenPage<T> {
  items: T[];
  next: string | null;
}

/**
 * A list read one API page at a time: the tokens of the pages already seen are kept, so Previous
 * page re-asks with the token it was reached by instead of holding every row.
 */
export function useTokenPages<T>(fetchPage: (token: string | undefined) => Promise<TokenPage<T>>) {
  const [tokens, setTokens] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<TokenPage<T> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [version, setVersion] = useState(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const token = tokens[tokens.length - 1];

  useEffect(() => {
    let cancelled = false;
    setError(null);
    fetchRef.current(token).then(
      (p) => !cancelled && setPage(p),
      (err) => !cancelled && setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [token, version]);

  return {
    items: page?.items ?? null,
    error,
    pageNumber: tokens.length,
    hasNext: Boolean(page?.next),
    next: () => page?.next && setTokens((t) => [...t, page.next ?? undefined]),
    previous: () => setTokens((t) => (t.length > 1 ? t.slice(0, -1) : t)),
    /** Reads the current page again (after a create or delete). */
    reload: useCallback(() => setVersion((v) => v + 1), []),
    /** Back to the first page (after a create: the new item may sort anywhere). */
    restart: useCallback(() => {
      setTokens([undefined]);
      setVersion((v) => v + 1);
    }, []),
  };
}
