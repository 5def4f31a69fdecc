import { type FormEvent, useEffect, useState } from 'react';
import { ATTRIBUTE_KEYS, ATTRIBUTE_LABELS, type AttributeKey, type HistoryFilter, RELATIVE_RANGES } from './history-filter';

/** Time range, any number of lookup attributes (ANDed), read-only and Insights: applied on submit. */
export function FilterForm({ filter, onApply }: { filter: HistoryFilter; onApply(filter: HistoryFilter): void }) {
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);
  const set = (patch: Partial<HistoryFilter>) => setDraft((d) => ({ ...d, ...patch }));
  const setAttribute = (i: number, patch: Partial<{ key: AttributeKey; value: string }>) =>
    set({ attributes: draft.attributes.map((a, j) => (j === i ? { ...a, ...patch } : a)) });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(draft);
  };

  return (
    <form className="filters" onSubmit={submit} aria-label="Event history filter">
      <div className="filter-row">
        <label>
          Time range
          <select name="range" value={draft.range} onChange={(e) => set({ range: e.target.value })}>
            {RELATIVE_RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
            <option value="custom">Custom range</option>
          </select>
        </label>
        {draft.range === 'custom' && (
          <>
            <label>
              From
              <input type="datetime-local" name="start" step={1} value={draft.start} onChange={(e) => set({ start: e.target.value })} />
            </label>
            <label>
              To
              <input type="datetime-local" name="end" step={1} value={draft.end} onChange={(e) => set({ end: e.target.value })} />
            </label>
          </>
        )}
        <label>
          Read-only
          <select name="readOnly" value={draft.readOnly} onChange={(e) => set({ readOnly: e.target.value })}>
            <option value="">Any</option>
            <option value="true">Read-only events</option>
            <option value="false">Write events</option>
          </select>
        </label>
        <label className="inline">
          <input type="checkbox" name="insights" checked={draft.insights} onChange={(e) => set({ insights: e.target.checked })} /> Insights
          events
        </label>
      </div>
      <fieldset className="attributes">
        <legend>Lookup attributes (all must match)</legend>
        {draft.attributes.map((a, i) => (
          <div className="filter-row" key={i}>
            <label>
              Attribute {i + 1}
              <select
                value={a.key}
                onChange={(e) => setAttribute(i, { key: e.target.value as AttributeKey })}
                data-testid={`attribute-key-${i}`}
              >
                {ATTRIBUTE_KEYS.map((k) => (
                  <option key={k} value={k}>
                    {ATTRIBUTE_LABELS[k]}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Value {i + 1}
              <input
                value={a.value}
                onChange={(e) => setAttribute(i, { value: e.target.value })}
                spellCheck={false}
                data-testid={`attribute-value-${i}`}
              />
            </label>
            <button type="button" className="secondary" onClick={() => set({ attributes: draft.attributes.filter((_, j) => j !== i) })}>
              Remove attribute {i + 1}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="secondary"
          onClick={() => set({ attributes: [...draft.attributes, { key: 'Username', value: '' }] })}
        >
          Add attribute
        </button>
      </fieldset>
      <div className="filter-row">
        <button type="submit">Apply filter</button>
      </div>
    </form>
  );
}
