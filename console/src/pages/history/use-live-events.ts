import { createClient } from 'graphql-ws';
import { useEffect, useState } from 'react';
import { LIVE_EVENTS } from '../../api/documents';
import { ApiError, authHeaders, reportSessionEnded } from '../../api/graphql-client';
import { type EventRow, rowFromRecord } from './event-row';

interface LiveEvent {
  eventId: string;
  eventTime: string;
  eventName: string;
  eventSource: string;
  cloudTrailEvent: string;
}

export type LiveStatus = 'off' | 'connecting' | 'live' | 'closed';

/** While `on`, streams the account's new events of the region (graphql-ws on /graphql) to `onEvent`. */
export function useLiveEvents(on: boolean, onEvent: (row: EventRow) => void): { status: LiveStatus; error: unknown } {
  const [status, setStatus] = useState<LiveStatus>('off');
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (!on) {
      setStatus('off');
      return;
    }
    setError(null);
    setStatus('connecting');
    const headers = authHeaders();
    const client = createClient({
      url: `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/graphql`,
      connectionParams: { authorization: headers.authorization ?? '', ...(headers['x-region'] ? { 'x-region': headers['x-region'] } : {}) },
      retryAttempts: 3,
      on: {
        connected: () => setStatus('live'),
        closed: (event) => {
          const code = (event as { code?: number }).code;
          // 4403: the server refused the session (expired or revoked) when the socket opened.
          if (code === 4403) reportSessionEnded();
          setStatus('closed');
        },
      },
    });
    const stop = client.subscribe<{ events: LiveEvent }>(
      { query: LIVE_EVENTS },
      {
        next: (value) => {
          const first = value.errors?.[0] as { message: string; extensions?: { code?: string } } | undefined;
          if (first) setError(new ApiError(first.extensions?.code ?? 'InternalFailure', first.message));
          const e = value.data?.events;
          if (e) onEvent(rowFromRecord(e.cloudTrailEvent, e));
        },
        error: (err) => {
          if (Array.isArray(err)) {
            const first = err[0] as { message: string; extensions?: { code?: string } };
            setError(new ApiError(first?.extensions?.code ?? 'InternalFailure', first?.message ?? 'The live stream failed.'));
          } else if (!(err instanceof CloseEvent)) setError(err);
          setStatus('closed');
        },
        complete: () => setStatus('closed'),
      },
    );
    return () => {
      stop();
      void client.dispose();
    };
    // onEvent is read through a ref by the caller; reconnecting on each render would lose events.
  }, [on]);

  return { status, error };
}
