import { type FormEvent, useEffect, useState } from 'react';
import { VALIDATE_LOGS } from '../../api/documents';
import { ApiError, gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import type { Trail } from './trail-model';

interface ValidationResult {
  valid: boolean;
  summary: string;
  validDigests: number;
  invalidDigests: number;
  validBackfillDigests: number;
  invalidBackfillDigests: number;
  validLogFiles: number;
  invalidLogFiles: number;
  results: Array<{ kind: string; backfill: boolean; valid: boolean; line: string }>;
}

/** `<input type="datetime-local">` value (local time, seconds) for an instant. */
function localInput(t: number): string {
  const d = new Date(t - new Date(t).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 19);
}

const toIso = (local: string) => (local ? new Date(local).toISOString().replace(/\.\d{3}Z$/, 'Z') : undefined);

/**
 * `aws cloudtrail validate-logs` for a time range through the validateLogs query: its verdict
 * lines and summary as the CLI prints them. The query is one request, so progress is its elapsed
 * time; a range that is too large is refused by the API (InvalidTimeRangeException) next to the range.
 */
export function ValidationPanel({ trail }: { trail: Trail }) {
  const [start, setStart] = useState(() => localInput(Date.now() - 3600_000));
  const [end, setEnd] = useState(() => localInput(Date.now() + 60_000));
  const [hashEverything, setHashEverything] = useState(false);
  const [running, setRunning] = useState<number | null>(null);
  const [elapsed, setElapsed] = useState(0);
  const [result, setResult] = useState<ValidationResult | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    if (running === null) return;
    const timer = setInterval(() => setElapsed(Math.floor((Date.now() - running) / 1000)), 250);
    return () => clearInterval(timer);
  }, [running]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setResult(null);
    setError(null);
    setElapsed(0);
    setRunning(Date.now());
    try {
      const { validateLogs } = await gql<{ validateLogs: ValidationResult }>(VALIDATE_LOGS, {
        input: { trailArn: trail.trailARN, startTime: toIso(start), endTime: toIso(end), cloudTrailHashesOnly: hashEverything },
      });
      setResult(validateLogs);
    } catch (err) {
      setError(err);
    } finally {
      setRunning(null);
    }
  };
  const rangeError = error instanceof ApiError && error.code === 'InvalidTimeRangeException' ? error : null;
  const failures = result?.results.filter((r) => !r.valid || r.kind === 'GAP') ?? [];

  return (
    <form onSubmit={submit} aria-label={`Validate log files of ${trail.name}`} className="validation-panel">
      <h2>Validate log files of {trail.name}</h2>
      {!trail.logFileValidationEnabled && (
        <p className="notice">Log file validation is off for this trail: only digests written while it was on can be validated.</p>
      )}
      <div className="filter-row">
        <label>
          Start time
          <input
            type="datetime-local"
            step={1}
            required
            value={start}
            onChange={(e) => setStart(e.target.value)}
            aria-invalid={rangeError ? true : undefined}
            aria-describedby={rangeError ? 'validation-range-error' : undefined}
          />
        </label>
        <label>
          End time
          <input
            type="datetime-local"
            step={1}
            value={end}
            onChange={(e) => setEnd(e.target.value)}
            aria-invalid={rangeError ? true : undefined}
            aria-describedby={rangeError ? 'validation-range-error' : undefined}
          />
        </label>
        <label className="inline">
          <input type="checkbox" checked={hashEverything} onChange={(e) => setHashEverything(e.target.checked)} />
          Inflate and hash every log file, as the AWS CLI does
        </label>
        <button type="submit" disabled={running !== null}>
          Validate log files
        </button>
      </div>
      <ErrorMessage error={rangeError} id="validation-range-error" />
      {!rangeError && <ErrorMessage error={error} />}
      {running !== null && (
        <div className="progress">
          <progress aria-label="Validating log files" />
          <span role="status">Validating digests and log files… {elapsed} s</span>
        </div>
      )}
      {result && (
        <section aria-label="Validation result" data-testid="validation-result">
          <p className={result.valid ? 'verdict valid' : 'verdict invalid'} role="status" data-testid="validation-verdict">
            {result.valid ? 'All digests and log files are valid.' : 'INVALID digests or log files found.'}
          </p>
          <table className="data verdicts" aria-label="Validation verdicts">
            <thead>
              <tr>
                <th scope="col">Files</th>
                <th scope="col">Valid</th>
                <th scope="col">INVALID</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Digest files</th>
                <td>{result.validDigests}</td>
                <td>{result.invalidDigests}</td>
              </tr>
              <tr>
                <th scope="row">Backfill digest files</th>
                <td>{result.validBackfillDigests}</td>
                <td>{result.invalidBackfillDigests}</td>
              </tr>
              <tr>
                <th scope="row">Log files</th>
                <td>{result.validLogFiles}</td>
                <td>{result.invalidLogFiles}</td>
              </tr>
            </tbody>
          </table>
          {failures.length > 0 && (
            <>
              <h3>Failures and gaps</h3>
              <pre className="record-json" tabIndex={0} aria-label="Failures and gaps" data-testid="validation-failures">
                {failures.map((r) => r.line).join('\n')}
              </pre>
            </>
          )}
          <h3>Summary (as the AWS CLI prints it)</h3>
          <pre className="record-json" tabIndex={0} aria-label="Validation summary" data-testid="validation-summary">
            {result.summary}
          </pre>
          {result.results.length > 0 && (
            <details>
              <summary>Every file checked ({result.results.length})</summary>
              <pre className="record-json" tabIndex={0} aria-label="Every file checked" data-testid="validation-lines">
                {result.results.map((r) => r.line).join('\n')}
              </pre>
            </details>
          )}
        </section>
      )}
    </form>
  );
}
