import { useCallback, useEffect, useRef, useState } from 'react';
import { LIST_TRAILS, START_LOGGING, STOP_LOGGING, TRAIL_STATUS } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../components/error-message';
import { SelectorsEditor } from './selectors-editor';
import { TrailForm } from './trail-form';
import type { Trail, TrailStatus } from './trail-model';
import { type StatusCell, type TrailAction, TrailsTable } from './trails-table';
import { ValidationPanel } from './validation-panel';

type Panel = { kind: 'create' } | { kind: 'edit' | 'selectors' | 'validate'; trail: Trail } | null;

/** Trails seen from the region, each with its logging and delivery status; create, edit, selectors, start/stop, validation. */
export function TrailsPage() {
  const { region } = useSession();
  const [trails, setTrails] = useState<Trail[] | null>(null);
  const [statuses, setStatuses] = useState<Record<string, StatusCell>>({});
  const [error, setError] = useState<unknown>(null);
  const [panel, setPanel] = useState<Panel>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionErrors, setActionErrors] = useState<Record<string, unknown>>({});
  const mounted = useRef(true);

  const loadStatus = useCallback((t: Trail) => {
    gql<{ getTrailStatus: TrailStatus }>(TRAIL_STATUS, { input: { name: t.trailARN } }).then(
      ({ getTrailStatus }) => mounted.current && setStatuses((s) => ({ ...s, [t.trailARN]: { status: getTrailStatus } })),
      (err) => mounted.current && setStatuses((s) => ({ ...s, [t.trailARN]: { error: err } })),
    );
  }, []);

  const load = useCallback(() => {
    setError(null);
    gql<{ describeTrails: { trailList: Trail[] } }>(LIST_TRAILS).then(
      ({ describeTrails }) => {
        if (!mounted.current) return;
        setTrails(describeTrails.trailList);
        describeTrails.trailList.forEach(loadStatus);
      },
      (err) => mounted.current && setError(err),
    );
  }, [loadStatus]);

  useEffect(() => {
    mounted.current = true;
    load();
    return () => {
      mounted.current = false;
    };
  }, [load]);

  const toggleLogging = async (t: Trail, start: boolean) => {
    setBusy(t.trailARN);
    setActionErrors((e) => ({ ...e, [t.trailARN]: null }));
    try {
      await gql(start ? START_LOGGING : STOP_LOGGING, { input: { name: t.trailARN } });
      loadStatus(t);
    } catch (err) {
      setActionErrors((e) => ({ ...e, [t.trailARN]: err }));
    } finally {
      setBusy(null);
    }
  };

  const onAction = (t: Trail, action: TrailAction) => {
    if (action === 'start' || action === 'stop') void toggleLogging(t, action === 'start');
    else setPanel({ kind: action, trail: t });
  };

  return (
    <>
      <h1>Trails</h1>
      <div className="toolbar">
        <button type="button" onClick={() => setPanel({ kind: 'create' })}>
          Create trail
        </button>
        <button type="button" className="secondary" onClick={load}>
          Refresh
        </button>
      </div>
      <ErrorMessage error={error} />
      {trails === null && !error && <p role="status">Loading…</p>}
      {trails && (
        <TrailsTable trails={trails} statuses={statuses} region={region} busy={busy} actionErrors={actionErrors} onAction={onAction} />
      )}
      {panel && (
        <section className="trail-panel" aria-label="Trail details">
          {(panel.kind === 'create' || panel.kind === 'edit') && (
            <TrailForm
              key={panel.kind === 'edit' ? panel.trail.trailARN : 'new'}
              trail={panel.kind === 'edit' ? panel.trail : null}
              onCancel={() => setPanel(null)}
              onDone={(saved) => {
                setPanel({ kind: 'selectors', trail: saved });
                load();
              }}
            />
          )}
          {panel.kind === 'selectors' && (
            <>
              <h2>Event selectors of {panel.trail.name}</h2>
              <SelectorsEditor key={panel.trail.trailARN} trail={panel.trail} onSaved={load} />
            </>
          )}
          {panel.kind === 'validate' && <ValidationPanel key={panel.trail.trailARN} trail={panel.trail} />}
          <button type="button" className="secondary" onClick={() => setPanel(null)}>
            Close panel
          </button>
        </section>
      )}
    </>
  );
}
