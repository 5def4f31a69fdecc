import type { ReactNode } from 'react';

/** Previous / Next page for a list paged by the API, with the page number announced. */
export function Pager({
  label,
  pageNumber,
  hasNext,
  onNext,
  onPrevious,
}: {
  label: string;
  pageNumber: number;
  hasNext: boolean;
  onNext(): void;
  onPrevious(): void;
}) {
  if (pageNumber === 1 && !hasNext) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="secondary" disabled={pageNumber === 1} onClick={onPrevious}>
        Previous page
      </button>
      <span role="status">Page {pageNumber}</span>
      <button type="button" className="secondary" disabled={!hasNext} onClick={onNext}>
        Next page
      </button>
    </nav>
  );
}

/** A resource's attributes as a definition list (label → value; empty values show a dash). */
export function Details({ label, rows }: { label: string; rows: Array<[string, ReactNode]> }) {
  return (
    <dl className="details" aria-label={label}>
      {rows.map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{value === null || value === undefined || value === '' ? '—' : value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A JSON document (policy, trust policy), formatted and focusable so it can be scrolled by keyboard. */
export function JsonBlock({ label, json }: { label: string; json: string }) {
  let text = json;
  try {
    text = JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    /* shown as stored */
  }
  return (
    <pre className="record-json" tabIndex={0} aria-label={label}>
      {text}
    </pre>
  );
}

/** The panel below a list that shows one item (its details and actions). */
export function DetailPanel({ title, onClose, children }: { title: string; onClose(): void; children: ReactNode }) {
  return (
    <section className="trail-panel" aria-label={title}>
      <h2>{title}</h2>
      {children}
      <button type="button" className="secondary" onClick={onClose}>
        Close details
      </button>
    </section>
  );
}
