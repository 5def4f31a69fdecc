import { type FormEvent, useState } from 'react';
import { CALLER_IDENTITY, CREATE_SESSION } from '../api/documents';
import { ApiError, gql } from '../api/graphql-client';
import { saveSession } from '../api/session-store';
import { ErrorMessage } from '../components/error-message';

const REASONS: Record<string, string> = {
  expired: 'Your session has ended. Sign in again to return to the page you were on.',
  'signed-out': 'You have signed out.',
};

/** Sign in with an access key (exchanged for a session by createSession) or a pasted session token. */
export function SignInPage({ reason, onSignedIn }: { reason: string | null; onSignedIn(): void }) {
  const [mode, setMode] = useState<'key' | 'token'>('key');
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'key') {
        const { createSession } = await gql<{ createSession: { token: string; expiration: string } }>(
          CREATE_SESSION,
          { input: { accessKeyId: accessKeyId.trim(), secretAccessKey: secret } },
          { token: '' },
        );
        saveSession({ token: createSession.token, expiration: createSession.expiration });
      } else {
        const pasted = token.trim().replace(/^Bearer\s+/i, '');
        if (!pasted) throw new ApiError('ValidationException', 'Paste a session token.');
        // Checked before it is kept: a wrong token stays on this page with its error.
        await gql(CALLER_IDENTITY, {}, { token: pasted });
        saveSession({ token: pasted });
      }
      setSecret('');
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <h1>Sign in to OpenTrail</h1>
      {reason && REASONS[reason] && (
        <p className="notice" role="status">
          {REASONS[reason]}
        </p>
      )}
      <form onSubmit={submit} aria-describedby={error ? 'signin-error' : undefined}>
        <fieldset>
          <legend>Sign in with</legend>
          <label className="inline">
            <input type="radio" name="mode" value="key" checked={mode === 'key'} onChange={() => setMode('key')} /> Access key
          </label>
          <label className="inline">
            <input type="radio" name="mode" value="token" checked={mode === 'token'} onChange={() => setMode('token')} /> Session token
          </label>
        </fieldset>
        {mode === 'key' ? (
          <>
            <label>
              Access key ID
              <input
                name="accessKeyId"
                value={accessKeyId}
                onChange={(e) => setAccessKeyId(e.target.value)}
                autoComplete="username"
                spellCheck={false}
                required
              />
            </label>
            <label>
              Secret access key
              <input
                name="secretAccessKey"
                type="password"
                value={secret}
                onChange={(e) => setSecret(e.target.value)}
                autoComplete="current-password"
                required
              />
            </label>
          </>
        ) : (
          <label>
            Session token
            <textarea name="token" value={token} onChange={(e) => setToken(e.target.value)} rows={4} spellCheck={false} required />
          </label>
        )}
        <ErrorMessage error={error} id="signin-error" />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
