import { type FormEvent, useEffect, useState } from 'react';
import { GET_EVENT_SELECTORS, PUT_EVENT_SELECTORS } from '../../api/documents';
import { ApiError, gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import {
  ADVANCED_FIELDS,
  type AdvancedDraft,
  type ApiSelectors,
  type BasicDraft,
  DATA_RESOURCE_TYPES,
  draftFromApi,
  newAdvanced,
  newBasic,
  OPERATORS,
  type Operator,
  putInput,
  type SelectorsDraft,
  selectorOfError,
} from './selector-model';
import type { Trail } from './trail-model';

/**
 * Basic or advanced event selectors of one trail. Validation is the API's: a refused
 * putEventSelectors shows its code and message next to the selector it names.
 */
export function SelectorsEditor({ trail, onSaved }: { trail: Trail; onSaved(): void }) {
  const [draft, setDraft] = useState<SelectorsDraft | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [saveError, setSaveError] = useState<{ error: unknown; selector: number } | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    let cancelled = false;
    gql<{ getEventSelectors: ApiSelectors }>(GET_EVENT_SELECTORS, { input: { trailName: trail.trailARN } }).then(
      ({ getEventSelectors }) => !cancelled && setDraft(draftFromApi(getEventSelectors)),
      (err) => !cancelled && setLoadError(err),
    );
    return () => {
      cancelled = true;
    };
  }, [trail.trailARN]);

  if (loadError) return <ErrorMessage error={loadError} />;
  if (!draft) return <p role="status">Loading selectors…</p>;

  const change = (next: SelectorsDraft) => {
    setDraft(next);
    setSaved(false);
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setSaveError(null);
    try {
      const { putEventSelectors } = await gql<{ putEventSelectors: ApiSelectors }>(PUT_EVENT_SELECTORS, {
        input: putInput(trail.trailARN, draft),
      });
      setDraft(draftFromApi(putEventSelectors));
      setSaved(true);
      onSaved();
    } catch (err) {
      const selector = err instanceof ApiError && err.code === 'InvalidEventSelectorsException' ? selectorOfError(err.message, draft) : -1;
      setSaveError({ error: err, selector });
    } finally {
      setSaving(false);
    }
  };
  const errorFor = (i: number) => (saveError && saveError.selector === i ? saveError.error : null);

  return (
    <form onSubmit={submit} aria-label={`Event selectors of ${trail.name}`} className="selectors-editor">
      <fieldset>
        <legend>Selector kind</legend>
        <label className="inline">
          <input
            type="radio"
            name="selector-mode"
            checked={draft.mode === 'basic'}
            onChange={() => change({ mode: 'basic', basic: [newBasic()] })}
          />
          Basic event selectors
        </label>
        <label className="inline">
          <input
            type="radio"
            name="selector-mode"
            checked={draft.mode === 'advanced'}
            onChange={() => change({ mode: 'advanced', advanced: [newAdvanced(1)] })}
          />
          Advanced event selectors
        </label>
      </fieldset>
      <ErrorMessage error={errorFor(-1)} id="selectors-error" />
      <datalist id="advanced-fields">
        {ADVANCED_FIELDS.map((f) => (
          <option key={f} value={f} />
        ))}
      </datalist>
      {draft.mode === 'basic'
        ? draft.basic.map((s, i) => (
            <BasicSelector
              key={i}
              index={i}
              selector={s}
              error={errorFor(i)}
              onChange={(next) => change({ mode: 'basic', basic: draft.basic.map((b, j) => (j === i ? next : b)) })}
              onRemove={() => change({ mode: 'basic', basic: draft.basic.filter((_, j) => j !== i) })}
            />
          ))
        : draft.advanced.map((s, i) => (
            <AdvancedSelector
              key={i}
              index={i}
              selector={s}
              error={errorFor(i)}
              onChange={(next) => change({ mode: 'advanced', advanced: draft.advanced.map((a, j) => (j === i ? next : a)) })}
              onRemove={() => change({ mode: 'advanced', advanced: draft.advanced.filter((_, j) => j !== i) })}
            />
          ))}
      <div className="filter-row">
        <button
          type="button"
          className="secondary"
          onClick={() =>
            change(
              draft.mode === 'basic'
                ? { mode: 'basic', basic: [...draft.basic, newBasic()] }
                : { mode: 'advanced', advanced: [...draft.advanced, newAdvanced(draft.advanced.length + 1)] },
            )
          }
        >
          Add selector
        </button>
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : 'Save selectors'}
        </button>
        {saved && <span role="status">Selectors saved.</span>}
      </div>
    </form>
  );
}

function BasicSelector({
  index,
  selector,
  error,
  onChange,
  onRemove,
}: {
  index: number;
  selector: BasicDraft;
  error: unknown;
  onChange(next: BasicDraft): void;
  onRemove(): void;
}) {
  const n = index + 1;
  const set = (patch: Partial<BasicDraft>) => onChange({ ...selector, ...patch });
  const setResource = (j: number, patch: Partial<{ type: string; values: string }>) =>
    set({ dataResources: selector.dataResources.map((d, k) => (k === j ? { ...d, ...patch } : d)) });
  const errorId = `basic-selector-${n}-error`;
  return (
    <fieldset className="selector" data-testid={`basic-selector-${n}`} aria-describedby={error ? errorId : undefined}>
      <legend>Event selector {n}</legend>
      <ErrorMessage error={error} id={errorId} />
      <div className="filter-row">
        <label>
          Read/write events of selector {n}
          <select value={selector.readWriteType} onChange={(e) => set({ readWriteType: e.target.value })}>
            <option value="All">All</option>
            <option value="ReadOnly">Read-only</option>
            <option value="WriteOnly">Write-only</option>
          </select>
        </label>
        <label className="inline">
          <input
            type="checkbox"
            checked={selector.includeManagementEvents}
            onChange={(e) => set({ includeManagementEvents: e.target.checked })}
          />
          Management events
        </label>
        <label className="inline">
          <input type="checkbox" checked={selector.excludeKms} onChange={(e) => set({ excludeKms: e.target.checked })} />
          Exclude AWS KMS events
        </label>
        <label className="inline">
          <input type="checkbox" checked={selector.excludeRdsData} onChange={(e) => set({ excludeRdsData: e.target.checked })} />
          Exclude RDS Data API events
        </label>
      </div>
      {selector.dataResources.map((d, j) => (
        <div className="filter-row" key={j}>
          <label>
            Data resource type {j + 1} of selector {n}
            <select value={d.type} onChange={(e) => setResource(j, { type: e.target.value })}>
              {DATA_RESOURCE_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label>
            ARNs or prefixes (one per line) for data resource {j + 1} of selector {n}
            <textarea rows={2} cols={50} spellCheck={false} value={d.values} onChange={(e) => setResource(j, { values: e.target.value })} />
          </label>
          <button
            type="button"
            className="secondary"
            onClick={() => set({ dataResources: selector.dataResources.filter((_, k) => k !== j) })}
          >
            Remove data resource {j + 1} of selector {n}
          </button>
        </div>
      ))}
      <div className="filter-row">
        <button
          type="button"
          className="secondary"
          onClick={() => set({ dataResources: [...selector.dataResources, { type: 'AWS::S3::Object', values: 'arn:aws:s3' }] })}
        >
          Add data resource to selector {n}
        </button>
        <button type="button" className="secondary" onClick={onRemove}>
          Remove selector {n}
        </button>
      </div>
    </fieldset>
  );
}

function AdvancedSelector({
  index,
  selector,
  error,
  onChange,
  onRemove,
}: {
  index: number;
  selector: AdvancedDraft;
  error: unknown;
  onChange(next: AdvancedDraft): void;
  onRemove(): void;
}) {
  const n = index + 1;
  const setCondition = (j: number, patch: Partial<AdvancedDraft['conditions'][number]>) =>
    onChange({ ...selector, conditions: selector.conditions.map((c, k) => (k === j ? { ...c, ...patch } : c)) });
  const errorId = `advanced-selector-${n}-error`;
  return (
    <fieldset className="selector" data-testid={`advanced-selector-${n}`} aria-describedby={error ? errorId : undefined}>
      <legend>Advanced event selector {n}</legend>
      <ErrorMessage error={error} id={errorId} />
      <label>
        Name of selector {n}
        <input value={selector.name} maxLength={1000} onChange={(e) => onChange({ ...selector, name: e.target.value })} />
      </label>
      {selector.conditions.map((c, j) => (
        <div className="filter-row" key={j}>
          <label>
            Field {j + 1} of selector {n}
            <input list="advanced-fields" spellCheck={false} value={c.field} onChange={(e) => setCondition(j, { field: e.target.value })} />
          </label>
          <label>
            Operator {j + 1} of selector {n}
            <select value={c.operator} onChange={(e) => setCondition(j, { operator: e.target.value as Operator })}>
              {OPERATORS.map((op) => (
                <option key={op.value} value={op.value}>
                  {op.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Values (one per line) {j + 1} of selector {n}
            <textarea
              rows={2}
              cols={40}
              spellCheck={false}
              value={c.values}
              onChange={(e) => setCondition(j, { values: e.target.value })}
            />
          </label>
          <button
            type="button"
            className="secondary"
            onClick={() => onChange({ ...selector, conditions: selector.conditions.filter((_, k) => k !== j) })}
          >
            Remove condition {j + 1} of selector {n}
          </button>
        </div>
      ))}
      <div className="filter-row">
        <button
          type="button"
          className="secondary"
          onClick={() =>
            onChange({ ...selector, conditions: [...selector.conditions, { field: 'eventName', operator: 'equals', values: '' }] })
          }
        >
          Add condition to selector {n}
        </button>
        <button type="button" className="secondary" onClick={onRemove}>
          Remove selector {n}
        </button>
      </div>
    </fieldset>
  );
}
