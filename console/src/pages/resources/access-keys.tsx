import { useState } from 'react';
import { CREATE_ACCESS_KEY, DELETE_ACCESS_KEY, LIST_ACCESS_KEYS } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { Link } from '../../components/link';
import { useLoaded } from './use-loaded';

interface AccessKeyMetadata {
  accessKeyId: string;
  userName: string;
  status: string;
  createDate: string;
}

/**
 * A user's access keys (IAM allows two; no user name: the caller's own): create one, its secret
 * shown once; delete one (its sessions end at once).
 */
export function AccessKeys({ userName }: { userName?: string }) {
  const owner = userName ?? 'you';
  const keys = useLoaded(
    async () =>
      (await gql<{ listAccessKeys: { accessKeyMetadata: AccessKeyMetadata[] } }>(LIST_ACCESS_KEYS, { input: { userName } })).listAccessKeys
        .accessKeyMetadata,
  );
  const [created, setCreated] = useState<{ accessKeyId: string; secretAccessKey: string } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const create = async () => {
    setError(null);
    try {
      const { createAccessKey } = await gql<{ createAccessKey: { accessKey: { accessKeyId: string; secretAccessKey: string } } }>(
        CREATE_ACCESS_KEY,
        { input: { userName } },
      );
      setCreated(createAccessKey.accessKey);
      keys.reload();
    } catch (err) {
      setError(err);
    }
  };
  const remove = async (accessKeyId: string) => {
    setError(null);
    try {
      await gql(DELETE_ACCESS_KEY, { input: { userName, accessKeyId } });
      if (created?.accessKeyId === accessKeyId) setCreated(null);
      keys.reload();
    } catch (err) {
      setError(err);
    }
  };

  return (
    <section aria-label={`Access keys of ${owner}`}>
      <h3>Access keys</h3>
      <ErrorMessage error={keys.error} />
      {keys.value && (
        <table className="data" aria-label={`Access keys of ${owner}`}>
          <thead>
            <tr>
              <th scope="col">Access key ID</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {keys.value.map((k) => (
              <tr key={k.accessKeyId} data-access-key={k.accessKeyId}>
                <td>{k.accessKeyId}</td>
                <td>{k.status}</td>
                <td>{k.createDate}</td>
                <td>
                  <button type="button" className="secondary" onClick={() => void remove(k.accessKeyId)}>
                    Delete access key {k.accessKeyId}
                  </button>
                </td>
              </tr>
            ))}
            {keys.value.length === 0 && (
              <tr>
                <td colSpan={4}>No access keys.</td>
              </tr>
            )}
          </tbody>
        </table>
      )}
      <div className="filter-row">
        <button type="button" className="secondary" onClick={() => void create()}>
          Create access key
        </button>
        <ErrorMessage error={error} />
      </div>
      {created && (
        <div className="notice" role="status" data-testid="new-access-key">
          New access key <code>{created.accessKeyId}</code>, secret <code data-testid="new-secret">{created.secretAccessKey}</code>: copy
          the secret now, it is not shown again.
        </div>
      )}
    </section>
  );
}

/** The Access keys kind: the caller's own keys; other users' keys are in their details under IAM users. */
export function AccessKeysSection() {
  return (
    <>
      <p className="muted">
        Your own access keys. The keys of another user are in that user&apos;s details under <Link to="/resources/users">IAM users</Link>.
      </p>
      <AccessKeys />
    </>
  );
}
