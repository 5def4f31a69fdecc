import { type FormEvent, useState } from 'react';
import { CREATE_CHANNEL, DELETE_CHANNEL, GET_CHANNEL, LIST_CHANNELS, LIST_EVENT_DATA_STORES_PAGE } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { Details, DetailPanel, Pager } from './resource-parts';
import { useFormError } from './use-form-error';
import { useLoaded } from './use-loaded';
import { useTokenPages } from './use-token-pages';

interface ChannelItem {
  channelArn: string;
  name: string;
}

interface Channel extends ChannelItem {
  source: string;
  destinations: Array<{ type: string; location: string }>;
  ingestionStatus: {
    latestIngestionSuccessTime: string | null;
    latestIngestionSuccessEventID: string | null;
    latestIngestionErrorCode: string | null;
    latestIngestionAttemptTime: string | null;
  } | null;
}

type Field = 'name' | 'source' | 'destination';

/** Creates a channel into one event data store of the region (the API accepts only ActivityAuditLog stores). */
function CreateChannelForm({ onCreated }: { onCreated(channel: ChannelItem): void }) {
  const [name, setName] = useState('');
  const [source, setSource] = useState('Custom');
  const [destination, setDestination] = useState('');
  const [busy, setBusy] = useState(false);
  const stores = useLoaded(async () => {
    const { listEventDataStores } = await gql<{
      listEventDataStores: { eventDataStores: Array<{ eventDataStoreArn: string; name: string }> };
    }>(LIST_EVENT_DATA_STORES_PAGE, { input: { maxResults: 1000 } });
    return listEventDataStores.eventDataStores;
  });
  const form = useFormError<Field>('channel', [
    [/ChannelAlreadyExists|ChannelMaxLimit|name/i, 'name'],
    [/source/i, 'source'],
    [/EventDataStore|destination|location|Category/i, 'destination'],
  ]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    form.clear();
    setBusy(true);
    try {
      const { createChannel } = await gql<{ createChannel: ChannelItem }>(CREATE_CHANNEL, {
        input: { name, source, destinations: [{ type: 'EVENT_DATA_STORE', location: destination }] },
      });
      setName('');
      onCreated(createChannel);
    } catch (err) {
      form.fail(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} className="trail-form" aria-label="Create channel">
      <h2>Create channel</h2>
      <ErrorMessage error={form.errorOf('form')} />
      <div className="filter-row">
        <label>
          Channel name
          <input value={name} onChange={(e) => setName(e.target.value)} required spellCheck={false} {...form.fieldProps('name')} />
        </label>
        <ErrorMessage error={form.errorOf('name')} id={form.errorId('name')} />
        <label>
          Source
          <input value={source} onChange={(e) => setSource(e.target.value)} required spellCheck={false} {...form.fieldProps('source')} />
        </label>
        <ErrorMessage error={form.errorOf('source')} id={form.errorId('source')} />
      </div>
      <div className="filter-row">
        <label>
          Destination event data store
          <select value={destination} onChange={(e) => setDestination(e.target.value)} required {...form.fieldProps('destination')}>
            <option value="">{stores.value === null ? 'Loading event data stores…' : 'Choose an event data store'}</option>
            {(stores.value ?? []).map((s) => (
              <option key={s.eventDataStoreArn} value={s.eventDataStoreArn}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <ErrorMessage error={form.errorOf('destination') ?? stores.error} id={form.errorId('destination')} />
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create channel'}
        </button>
      </div>
    </form>
  );
}

function ChannelDetails({ arn, onDeleted }: { arn: string; onDeleted(): void }) {
  const { value: channel, error } = useLoaded(
    async () => (await gql<{ getChannel: Channel }>(GET_CHANNEL, { input: { channel: arn } })).getChannel,
  );
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const remove = async () => {
    setDeleteError(null);
    try {
      await gql(DELETE_CHANNEL, { input: { channel: arn } });
      onDeleted();
    } catch (err) {
      setDeleteError(err);
    }
  };
  return (
    <>
      <ErrorMessage error={error} />
      {!channel && !error && <p role="status">Loading…</p>}
      {channel && (
        <>
          <Details
            label={`Settings of ${channel.name}`}
            rows={[
              ['ARN', channel.channelArn],
              ['Source', channel.source],
              ['Destinations', channel.destinations.map((d) => `${d.type} ${d.location}`).join(', ')],
              ['Latest ingestion', channel.ingestionStatus?.latestIngestionSuccessTime],
              ['Latest ingested event', channel.ingestionStatus?.latestIngestionSuccessEventID],
              ['Latest ingestion error', channel.ingestionStatus?.latestIngestionErrorCode],
            ]}
          />
          <div className="filter-row">
            <button type="button" className="secondary" onClick={() => void remove()}>
              Delete channel {channel.name}
            </button>
            <ErrorMessage error={deleteError} />
          </div>
        </>
      )}
    </>
  );
}

/** Channels of the region (integrations delivering events into ActivityAuditLog stores), paged by nextToken. */
export function ChannelsSection() {
  const [selected, setSelected] = useState<ChannelItem | null>(null);
  const [creating, setCreating] = useState(false);
  const pages = useTokenPages<ChannelItem>(async (nextToken) => {
    const { listChannels } = await gql<{ listChannels: { channels: ChannelItem[]; nextToken: string | null } }>(LIST_CHANNELS, {
      input: { maxResults: 50, nextToken },
    });
    return { items: listChannels.channels, next: listChannels.nextToken };
  });

  return (
    <>
      <div className="toolbar">
        <button type="button" onClick={() => setCreating((c) => !c)} aria-expanded={creating}>
          New channel
        </button>
        <button type="button" className="secondary" onClick={pages.reload}>
          Refresh
        </button>
      </div>
      {creating && (
        <CreateChannelForm
          onCreated={(channel) => {
            setCreating(false);
            setSelected(channel);
            pages.restart();
          }}
        />
      )}
      <ErrorMessage error={pages.error} />
      {pages.items === null && !pages.error && <p role="status">Loading…</p>}
      {pages.items && (
        <div className="table-wrap">
          <table className="data" aria-label="Channels">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">ARN</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((c) => (
                <tr key={c.channelArn} className={selected?.channelArn === c.channelArn ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="link-button" onClick={() => setSelected(c)}>
                      {c.name}
                    </button>
                  </td>
                  <td>{c.channelArn}</td>
                </tr>
              ))}
              {pages.items.length === 0 && (
                <tr>
                  <td colSpan={2}>No channels in this region.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      <Pager label="Channels" pageNumber={pages.pageNumber} hasNext={pages.hasNext} onNext={pages.next} onPrevious={pages.previous} />
      {selected && (
        <DetailPanel title={`Channel ${selected.name}`} onClose={() => setSelected(null)}>
          <ChannelDetails
            key={selected.channelArn}
            arn={selected.channelArn}
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
