import { useEffect, useRef, useState } from 'react';
import type { EventRow } from './event-row';

/** The full record as formatted JSON, copyable; Escape or Close returns focus to the table. */
export function RecordPanel({ row, onClose }: { row: EventRow; onClose(): void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState('');
  let text: string;
  try {
    text = JSON.stringify(JSON.parse(row.cloudTrailEvent), null, 2);
  } catch {
    text = row.cloudTrailEvent;
  }
  useEffect(() => heading.current?.focus(), [row.eventId]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('The browser refused clipboard access; select the text and copy it.');
    }
  };

  return (
    <section
      className="record-panel"
      aria-labelledby="record-heading"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div className="record-head">
        <h2 id="record-heading" tabIndex={-1} ref={heading}>
          {row.eventName} <span className="muted">{row.eventTime}</span>
        </h2>
        <button type="button" className="secondary" onClick={copy}>
          Copy JSON
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Close record
        </button>
      </div>
      <p className="muted" role="status">
        {copied}
      </p>
      <pre className="record-json" data-testid="record-json" tabIndex={0} aria-label="Event record JSON">
        {text}
      </pre>
    </section>
  );
}
