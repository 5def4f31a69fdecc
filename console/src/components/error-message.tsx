import { ApiError } from '../api/graphql-client';

/** An API error as CloudTrail shows it: code, then message. Announced to screen readers. */
export function ErrorMessage({ error, id }: { error: unknown; id?: string }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error" role="alert" id={id}>
      <strong className="error-code">{code}</strong>: <span className="error-text">{message}</span>
    </div>
  );
}
