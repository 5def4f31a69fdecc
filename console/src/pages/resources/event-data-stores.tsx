import { type FormEvent, useState } from 'react';
import {
  CREATE_EVENT_DATA_STORE,
  DELETE_EVENT_DATA_STORE,
  GET_EVENT_DATA_STORE_DETAILS,
  LIST_EVENT_DATA_STORES_PAGE,
} from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { Details, DetailPanel, Pager } from './resource-parts';
import { useFormError } from './use-form-error';
import { useLoaded } from './use-loaded';
import { useTokenPages } from './use-token-pages';

interface StoreItem {
  eventDataStoreArn: string;
  name: string;
}

interface Store extends StoreItem {
  status: string;
  retentionPeriod: number;
  multiRegionEnabled: boolean;
  organizationEnabled: boolean;
  terminationProtectionEnabled: boolean;
  billingMode: string;
  kmsKeyId: string | null;
  createdTimestamp: string;
  updatedTimestamp: string;
  advancedEventSelectors: Array<{ name: string | null; fieldSelectors: Array<{ field: string; equals: string[] | null }> }>;
}

// What the store collects: CloudTrail events (the default selector), or integration events for channels.
const CATEGORIES = {
  Management: 'Management events',
  ActivityAuditLog: 'Events from integrations (channels)',
} as const;

type Field = 'name' | 'retention';

/** Creates a store: name, what it collects, retention and protection (CloudTrail's defaults preselected). */
function CreateStoreForm({ onCreated }: { onCreated(store: Store): void }) {
  const [name, setName] = useState('');
  const [category, setCategory] = useState<keyof typeof CATEGORIES>('Management');
  const [retention, setRetention] = useState('366');
  const [protection, setProtection] = useState(true);
  const [multiRegion, setMultiRegion] = useState(true);
  const [busy, setBusy] = useState(false);
  const form = useFormError<Field>('store', [
    [/name|AlreadyExists/i, 'name'],
    [/retention/i, 'retention'],
  ]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    form.clear();
    setBusy(true);
    try {
      const { createEventDataStore } = await gql<{ createEventDataStore: Store }>(CREATE_EVENT_DATA_STORE, {
        input: {
          name,
          retentionPeriod: Number(retention),
          terminationProtectionEnabled: protection,
          multiRegionEnabled: category === 'ActivityAuditLog' ? false : multiRegion,
          advancedEventSelectors: [{ name: CATEGORIES[category], fieldSelectors: [{ field: 'eventCategory', equals: [category] }] }],
        },
      });
      setName('');
      onCreated(createEventDataStore);
    } catch (err) {
      form.fail(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="trail-form" aria-label="Create event data store">
      <h2>Create event data store</h2>
      <ErrorMessage error={form.errorOf('form')} />
      <div className="filter-row">
        <label>
          Event data store name
          <input value={name} onChange={(e) => setName(e.target.value)} required spellCheck={false} {...form.fieldProps('name')} />
        </label>
        <ErrorMessage error={form.errorOf('name')} id={form.errorId('name')} />
      </div>
      <div className="filter-row">
        <label>
          Events collected
          <select value={category} onChange={(e) => setCategory(e.target.value as keyof typeof CATEGORIES)}>
            {Object.entries(CATEGORIES).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Retention period (days)
          <input
            type="number"
            value={retention}
            onChange={(e) => setRetention(e.target.value)}
            required
            {...form.fieldProps('retention')}
          />
        </label>
        <ErrorMessage error={form.errorOf('retention')} id={form.errorId('retention')} />
      </div>
      <div className="filter-row">
        <label className="inline">
          <input type="checkbox" checked={protection} onChange={(e) => setProtection(e.target.checked)} />
          Termination protection
        </label>
        {category === 'Management' && (
          <label className="inline">
            <input type="checkbox" checked={multiRegion} onChange={(e) => setMultiRegion(e.target.checked)} />
            All Regions
          </label>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create event data store'}
        </button>
      </div>
    </form>
  );
}

/** One store's settings and selectors, with its delete action (refused while termination protection is on). */
function StoreDetails({ arn, onDeleted }: { arn: string; onDeleted(): void }) {
  const { value: store, error } = useLoaded(async () => {
    const { getEventDataStore } = await gql<{ getEventDataStore: Store }>(GET_EVENT_DATA_STORE_DETAILS, { input: { eventDataStore: arn } });
    return getEventDataStore;
  });
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const remove = async () => {
    setDeleteError(null);
    try {
      await gql(DELETE_EVENT_DATA_STORE, { input: { eventDataStore: arn } });
      onDeleted();
    } catch (err) {
      setDeleteError(err);
    }
  };
  return (
    <>
      <ErrorMessage error={error} />
      {!store && !error && <p role="status">Loading…</p>}
      {store && (
        <>
          <Details
            label={`Settings of ${store.name}`}
            rows={[
              ['ARN', store.eventDataStoreArn],
              ['Status', <span data-testid="store-status">{store.status}</span>],
              ['Retention (days)', store.retentionPeriod],
              ['Billing mode', store.billingMode],
              ['All Regions', store.multiRegionEnabled ? 'Yes' : 'No'],
              ['Organization', store.organizationEnabled ? 'Yes' : 'No'],
              ['Termination protection', store.terminationProtectionEnabled ? 'On' : 'Off'],
              ['KMS key', store.kmsKeyId],
              ['Created', store.createdTimestamp],
              [
                'Selectors',
                store.advancedEventSelectors
                  .map(
                    (s) =>
                      `${s.name ?? 'Unnamed'}: ${s.fieldSelectors.map((f) => `${f.field} = ${(f.equals ?? []).join(', ')}`).join('; ')}`,
                  )
                  .join(' | '),
              ],
            ]}
          />
          {store.status !== 'PENDING_DELETION' && (
            <div className="filter-row">
              <button
                type="button"
                className="secondary"
                onClick={() => void remove()}
                aria-describedby={deleteError ? 'store-delete-error' : undefined}
              >
                Delete event data store {store.name}
              </button>
              <ErrorMessage error={deleteError} id="store-delete-error" />
            </div>
          )}
        </>
      )}
    </>
  );
}

/** Event data stores of the region (CloudTrail Lake), paged by nextToken. */
export function EventDataStoresSection() {
  const [selected, setSelected] = useState<StoreItem | null>(null);
  const [creating, setCreating] = useState(false);
  const pages = useTokenPages<StoreItem>(async (nextToken) => {
    const { listEventDataStores } = await gql<{ listEventDataStores: { eventDataStores: StoreItem[]; nextToken: string | null } }>(
      LIST_EVENT_DATA_STORES_PAGE,
      { input: { maxResults: 50, nextToken } },
    );
    return { items: listEventDataStores.eventDataStores, next: listEventDataStores.nextToken };
  });

  return (
    <>
      <div className="toolbar">
        <button type="button" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          New event data store
        </button>
        <button type="button" className="secondary" onClick={pages.reload}>
          Refresh
        </button>
      </div>
      {creating && (
        <CreateStoreForm
          onCreated={(store) => {
            setCreating(false);
            setSelected(store);
            pages.restart();
          }}
        />
      )}
      <ErrorMessage error={pages.error} />
      {pages.items === null && !pages.error && <p role="status">Loading…</p>}
      {pages.items && (
        <div className="table-wrap">
          <table className="data" aria-label="Event data stores">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ARN</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((s) => (
                <tr key={s.eventDataStoreArn} className={selected?.eventDataStoreArn === s.eventDataStoreArn ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="link-button" onClick={() => setSelected(s)}>
                      {s.name}
                    </button>
                  </td>
                  <td>{s.eventDataStoreArn}</td>
                </tr>
              ))}
              {pages.items.length === 0 && (
                <tr>
                  <td colSpan={2}>No event data stores in this region.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Event data stores"
        pageNumber={pages.pageNumber}
        hasNext={pages.hasNext}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
      {selected && (
        <DetailPanel title={`Event data store ${selected.name}`} onClose={() => setSelected(null)}>
          <StoreDetails
            key={selected.eventDataStoreArn}
            arn={selected.eventDataStoreArn}
            onDeleted={() => {
              setSelected(null);
              pages.reload();
            }}
          />
        </DetailPanel>
      )}
    </>
  );
}
