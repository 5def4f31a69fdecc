import { useEffect, useState } from 'react';
import { LIST_TRAILS, TRAIL_STATUS } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';

interface Trail {
  name: string;
  trailARN: string;
  homeRegion: string;
  s3BucketName: string;
  isMultiRegionTrail: boolean;
  isOrganizationTrail: boolean;
  logFileValidationEnabled: boolean;
  kmsKeyId: string | null;
}

interface TrailStatus {
  isLogging: boolean;
  latestDeliveryTime: string | null;
  latestDeliveryError: string | null;
  latestDigestDeliveryTime: string | null;
  latestDigestDeliveryError: string | null;
}

type StatusCell = { status: TrailStatus } | { error: unknown };

/** Trails seen from the region, each with its logging and delivery status. */
export function TrailsPage() {
  const [trails, setTrails] = useState<Trail[] | null>(null);
  const [statuses, setStatuses] = useState<Record<string, StatusCell>>({});
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    gql<{ describeTrails: { trailList: Trail[] } }>(LIST_TRAILS).then(
      ({ describeTrails }) => {
        if (cancelled) return;
        setTrails(describeTrails.trailList);
        for (const t of describeTrails.trailList) {
          gql<{ getTrailStatus: TrailStatus }>(TRAIL_STATUS, { input: { name: t.trailARN } }).then(
            ({ getTrailStatus }) => !cancelled && setStatuses((s) => ({ ...s, [t.trailARN]: { status: getTrailStatus } })),
            (err) => !cancelled && setStatuses((s) => ({ ...s, [t.trailARN]: { error: err } })),
          );
        }
      },
      (err) => !cancelled && setError(err),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  return (
    <>
      <h1>Trails</h1>
      <ErrorMessage error={error} />
      {trails === null && !error && <p role="status">Loading…</p>}
      {trails && (
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
              </tr>
            </thead>
            <tbody>
              {trails.map((t) => {
                const cell = statuses[t.trailARN];
                const status = cell && 'status' in cell ? cell.status : null;
                return (
                  <tr key={t.trailARN}>
                    <td title={t.trailARN}>{t.name}</td>
                    <td>{t.homeRegion}</td>
                    <td>{t.isMultiRegionTrail ? 'Yes' : 'No'}</td>
                    <td>{t.s3BucketName}</td>
                    <td>
                      {cell && 'error' in cell ? (
                        <ErrorMessage error={cell.error} />
                      ) : status ? (
                        status.isLogging ? (
                          'Logging'
                        ) : (
                          'Stopped'
                        )
                      ) : (
                        '…'
                      )}
                    </td>
                    <td>{status?.latestDeliveryTime ?? '—'}</td>
                    <td>{status?.latestDeliveryError ?? '—'}</td>
                    <td>
                      {!t.logFileValidationEnabled
                        ? 'Validation off'
                        : status?.latestDigestDeliveryError
                          ? `Error: ${status.latestDigestDeliveryError}`
                          : (status?.latestDigestDeliveryTime ?? '—')}
                    </td>
                  </tr>
                );
              })}
              {trails.length === 0 && (
                <tr>
                  <td colSpan={8}>No trails in this region.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
