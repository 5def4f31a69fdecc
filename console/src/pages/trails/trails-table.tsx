import { ErrorMessage } from '../../components/error-message';
import type { Trail, TrailStatus } from './trail-model';

export type StatusCell = { status: TrailStatus } | { error: unknown };

export type TrailAction = 'edit' | 'selectors' | 'validate' | 'start' | 'stop';

/** Trails with their logging and delivery status, and the actions on each (those of a shadow trail are its home region's). */
export function TrailsTable({
  trails,
  statuses,
  region,
  busy,
  actionErrors,
  onAction,
}: {
  trails: Trail[];
  statuses: Record<string, StatusCell>;
  region: string;
  busy: string | null;
  actionErrors: Record<string, unknown>;
  onAction(trail: Trail, action: TrailAction): void;
}) {
  return (
    <div className="table-wrap">
      <table className="data" aria-label="Trails">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Home region</th>
            <th scope="col">Multi-region</th>
            <th scope="col">Bucket</th>
            <th scope="col">Logging</th>
            <th scope="col">Last delivery</th>
            <th scope="col">Last error</th>
            <th scope="col">Digest</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {trails.map((t) => {
            const cell = statuses[t.trailARN];
            const status = cell && 'status' in cell ? cell.status : null;
            const home = t.homeRegion === region;
            return (
              <tr key={t.trailARN} data-trail={t.name}>
                <td title={t.trailARN}>{t.name}</td>
                <td>{t.homeRegion}</td>
                <td>{t.isMultiRegionTrail ? 'Yes' : 'No'}</td>
                <td>{t.s3BucketName}</td>
                <td data-testid={`logging-${t.name}`}>
                  {cell && 'error' in cell ? <ErrorMessage error={cell.error} /> : status ? status.isLogging ? 'Logging' : 'Stopped' : '…'}
                </td>
                <td data-testid={`delivery-${t.name}`}>{status?.latestDeliveryTime ?? '—'}</td>
                <td>{status?.latestDeliveryError ?? '—'}</td>
                <td data-testid={`digest-${t.name}`}>
                  {!t.logFileValidationEnabled
                    ? 'Validation off'
                    : status?.latestDigestDeliveryError
                      ? `Error: ${status.latestDigestDeliveryError}`
                      : (status?.latestDigestDeliveryTime ?? '—')}
                </td>
                <td>
                  <div className="row-actions">
                    {home && status && (
                      <button
                        type="button"
                        className="secondary"
                        disabled={busy === t.trailARN}
                        onClick={() => onAction(t, status.isLogging ? 'stop' : 'start')}
                      >
                        {status.isLogging ? `Stop logging ${t.name}` : `Start logging ${t.name}`}
                      </button>
                    )}
                    {home && (
                      <>
                        <button type="button" className="secondary" onClick={() => onAction(t, 'edit')}>
                          Edit {t.name}
                        </button>
                        <button type="button" className="secondary" onClick={() => onAction(t, 'selectors')}>
                          Event selectors of {t.name}
                        </button>
                      </>
                    )}
                    <button type="button" className="secondary" onClick={() => onAction(t, 'validate')}>
                      Validate {t.name}
                    </button>
                  </div>
                  <ErrorMessage error={actionErrors[t.trailARN]} />
                </td>
              </tr>
            );
          })}
          {trails.length === 0 && (
            <tr>
              <td colSpan={9}>No trails in this region.</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
