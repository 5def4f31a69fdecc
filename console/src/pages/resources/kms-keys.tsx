import { type FormEvent, useState } from 'react';
import {
  CANCEL_KEY_DELETION,
  CREATE_KEY,
  DESCRIBE_KEY,
  DISABLE_KEY,
  ENABLE_KEY,
  LIST_KEYS_PAGE,
  SCHEDULE_KEY_DELETION,
} from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { Details, DetailPanel, Pager } from './resource-parts';
import { useFormError } from './use-form-error';
import { useLoaded } from './use-loaded';
import { useTokenPages } from './use-token-pages';

interface KeyItem {
  keyId: string;
  keyArn: string;
}

interface KeyMetadata {
  keyId: string;
  arn: string;
  description: string;
  keyState: string;
  enabled: boolean;
  creationDate: string;
  deletionDate: string | null;
  pendingDeletionWindowInDays: number | null;
  keySpec: string;
  keyUsage: string;
  keyManager: string;
  origin: string;
  multiRegion: boolean;
}

/** A key's metadata and the state changes KMS offers: enable, disable, schedule deletion (7-30 days), cancel it. */
function KeyDetails({ keyId }: { keyId: string }) {
  const key = useLoaded(
    async () => (await gql<{ describeKey: { keyMetadata: KeyMetadata } }>(DESCRIBE_KEY, { input: { keyId } })).describeKey.keyMetadata,
  );
  const [windowDays, setWindowDays] = useState('30');
  const [busy, setBusy] = useState(false);
  const form = useFormError<'window'>(`key-${keyId}`, [[/pendingWindowInDays/, 'window']]);

  const change = async (document: string, input: Record<string, unknown>) => {
    form.clear();
    setBusy(true);
    try {
      await gql(document, { input: { keyId, ...input } });
      key.reload();
    } catch (err) {
      form.fail(err);
    } finally {
      setBusy(false);
    }
  };
  const schedule = (e: FormEvent) => {
    e.preventDefault();
    void change(SCHEDULE_KEY_DELETION, { pendingWindowInDays: Number(windowDays) });
  };

  const k = key.value;
  return (
    <>
      <ErrorMessage error={key.error} />
      {!k && !key.error && <p role="status">Loading…</p>}
      {k && (
        <>
          <Details
            label={`Metadata of key ${k.keyId}`}
            rows={[
              ['ARN', k.arn],
              ['Description', k.description],
              ['State', <span data-testid="key-state">{k.keyState}</span>],
              ['Created', k.creationDate],
              ['Deletion date', k.deletionDate],
              ['Key spec', k.keySpec],
              ['Key usage', k.keyUsage],
              ['Key manager', k.keyManager],
              ['Origin', k.origin],
              ['Multi-Region', k.multiRegion ? 'Yes' : 'No'],
            ]}
          />
          <ErrorMessage error={form.errorOf('form')} />
          <div className="row-actions">
            {k.keyState === 'Enabled' && (
              <button type="button" className="secondary" disabled={busy} onClick={() => void change(DISABLE_KEY, {})}>
                Disable key
              </button>
            )}
            {k.keyState === 'Disabled' && (
              <button type="button" className="secondary" disabled={busy} onClick={() => void change(ENABLE_KEY, {})}>
                Enable key
              </button>
            )}
            {k.keyState === 'PendingDeletion' && (
              <button type="button" className="secondary" disabled={busy} onClick={() => void change(CANCEL_KEY_DELETION, {})}>
                Cancel key deletion
              </button>
            )}
          </div>
          {k.keyState !== 'PendingDeletion' && (
            <form className="filter-row" onSubmit={schedule} aria-label="Schedule key deletion">
              <label>
                Waiting period (days)
                <input
                  type="number"
                  value={windowDays}
                  onChange={(e) => setWindowDays(e.target.value)}
                  required
                  {...form.fieldProps('window')}
                />
              </label>
              <button type="submit" className="secondary" disabled={busy}>
                Schedule key deletion
              </button>
              <ErrorMessage error={form.errorOf('window')} id={form.errorId('window')} />
            </form>
          )}
        </>
      )}
    </>
  );
}

/** Customer managed KMS keys of the region, paged by marker; create one with a description. */
export function KmsKeysSection() {
  const [selected, setSelected] = useState<string | null>(null);
  const [description, setDescription] = useState('');
  const form = useFormError<'description'>('key', [[/description/, 'description']]);
  const pages = useTokenPages<KeyItem>(async (marker) => {
    const { listKeys } = await gql<{ listKeys: { keys: KeyItem[]; nextMarker: string | null; truncated: boolean } }>(LIST_KEYS_PAGE, {
      input: { limit: 50, marker },
    });
    return { items: listKeys.keys, next: listKeys.truncated ? listKeys.nextMarker : null };
  });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    form.clear();
    try {
      const { createKey } = await gql<{ createKey: { keyMetadata: KeyMetadata } }>(CREATE_KEY, { input: { description } });
      setDescription('');
      setSelected(createKey.keyMetadata.keyId);
      pages.reload();
    } catch (err) {
      form.fail(err);
    }
  };

  return (
    <>
      <form className="filter-row" onSubmit={create} aria-label="Create key">
        <label>
          Key description
          <input value={description} onChange={(e) => setDescription(e.target.value)} {...form.fieldProps('description')} />
        </label>
        <button type="submit">Create key</button>
        <ErrorMessage error={form.errorOf('description') ?? form.errorOf('form')} id={form.errorId('description')} />
      </form>
      <ErrorMessage error={pages.error} />
      {pages.items === null && !pages.error && <p role="status">Loading…</p>}
      {pages.items && (
        <div className="table-wrap">
          <table className="data" aria-label="KMS keys">
            <thead>
              <tr>
                <th scope="col">Key ID</th>
                <th scope="col">ARN</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((k) => (
                <tr key={k.keyId} className={selected === k.keyId ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="link-button" onClick={() => setSelected(k.keyId)}>
                      {k.keyId}
                    </button>
                  </td>
                  <td>{k.keyArn}</td>
                </tr>
              ))}
              {pages.items.length === 0 && (
                <tr>
                  <td colSpan={2}>No KMS keys in this region.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      <Pager label="KMS keys" pageNumber={pages.pageNumber} hasNext={pages.hasNext} onNext={pages.next} onPrevious={pages.previous} />
      {selected && (
        <DetailPanel title={`KMS key ${selected}`} onClose={() => setSelected(null)}>
          <KeyDetails key={selected} keyId={selected} />
        </DetailPanel>
      )}
    </>
  );
}
