import { useState } from 'react';
import { ApiError, authHeaders } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { type HistoryFilter, lookupInput } from './history-filter';

/** Downloads the filter's whole slice through GET /event-history/export (streamed by the server). */
export function ExportButtons({ filter }: { filter: HistoryFilter }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState('');
  const input = lookupInput(filter);

  const download = async (format: 'csv' | 'json') => {
    setError(null);
    setBusy(format);
    try {
      const params = new URLSearchParams({ format });
      if (input.startTime) params.set('startTime', input.startTime);
      if (input.endTime) params.set('endTime', input.endTime);
      if (input.eventCategory) params.set('eventCategory', input.eventCategory);
      // Every lookup attribute, as repeated attributeKey/attributeValue pairs: the endpoint ANDs them as lookupEvents does.
      for (const attribute of input.lookupAttributes) {
        params.append('attributeKey', attribute.attributeKey);
        params.append('attributeValue', attribute.attributeValue);
      }
      const res = await fetch(`/event-history/export?${params.toString()}`, { headers: authHeaders(), credentials: 'same-origin' });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { errors?: Array<{ message: string; extensions?: { code?: string } }> } | null;
        const first = body?.errors?.[0];
        throw new ApiError(first?.extensions?.code ?? `HTTP${res.status}`, first?.message ?? res.statusText);
      }
      const blob = await res.blob();
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? `event-history.${format}`;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err);
    } finally {
      setBusy('');
    }
  };

  return (
    <div className="export">
      <button type="button" className="secondary" disabled={busy !== ''} onClick={() => download('csv')}>
        {busy === 'csv' ? 'Downloading…' : 'Download CSV'}
      </button>
      <button type="button" className="secondary" disabled={busy !== ''} onClick={() => download('json')}>
        {busy === 'json' ? 'Downloading…' : 'Download JSON'}
      </button>
      <ErrorMessage error={error} />
    </div>
  );
}
