import { type FormEvent, useState } from 'react';
import { LIST_OBJECTS } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { ObjectViewer } from './object-viewer';
import { Pager } from './resource-parts';
import { useTokenPages } from './use-token-pages';

interface BucketObject {
  key: string;
  size: number;
  lastModified: string;
}

const PAGE_SIZE = 50;

/** The keys of one bucket under a prefix, a page at a time; a key opens as its content (a log file as records). */
export function BucketBrowser({ bucket }: { bucket: string }) {
  const [draft, setDraft] = useState('');
  const [prefix, setPrefix] = useState('');
  const [open, setOpen] = useState<string | null>(null);
  const pages = useTokenPages<BucketObject>(async (after) => {
    const { listObjects } = await gql<{
      listObjects: { edges: Array<{ node: BucketObject }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    }>(LIST_OBJECTS, { input: { bucketName: bucket, prefix: prefix || undefined }, first: PAGE_SIZE, after });
    return { items: listObjects.edges.map((e) => e.node), next: listObjects.pageInfo.hasNextPage ? listObjects.pageInfo.endCursor : null };
  });

  const filter = (e: FormEvent) => {
    e.preventDefault();
    setPrefix(draft);
    setOpen(null);
    pages.restart();
  };
  // The "folders" of a key: each one filters the list to the keys under it.
  const folders = prefix.split('/').slice(0, -1);

  return (
    <div className="bucket-browser">
      <form className="filter-row" onSubmit={filter} aria-label={`Filter keys of ${bucket}`}>
        <label>
          Key prefix
          <input value={draft} onChange={(e) => setDraft(e.target.value)} spellCheck={false} />
        </label>
        <button type="submit">List keys</button>
      </form>
      {prefix && (
        <nav aria-label="Prefix" className="breadcrumbs">
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setDraft('');
              setPrefix('');
              pages.restart();
            }}
          >
            {bucket}
          </button>
          {folders.map((f, i) => {
            const to = `${folders.slice(0, i + 1).join('/')}/`;
            return (
              <span key={to}>
                {' / '}
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setDraft(to);
                    setPrefix(to);
                    pages.restart();
                  }}
                >
                  {f}
                </button>
              </span>
            );
          })}
        </nav>
      )}
      <ErrorMessage error={pages.error} />
      {pages.items === null && !pages.error && <p role="status">Loading keys…</p>}
      {pages.items && (
        <div className="table-wrap">
          <table className="data" aria-label={`Keys of ${bucket}`}>
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Size (bytes)</th>
                <th scope="col">Last modified</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((o) => (
                <tr key={o.key} className={open === o.key ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="link-button" onClick={() => setOpen(o.key)} aria-pressed={open === o.key}>
                      {o.key}
                    </button>
                  </td>
                  <td>{o.size}</td>
                  <td>{o.lastModified}</td>
                </tr>
              ))}
              {pages.items.length === 0 && (
                <tr>
                  <td colSpan={3}>{prefix ? `No keys under ${prefix}.` : 'The bucket is empty.'}</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label={`Keys of ${bucket}`}
        pageNumber={pages.pageNumber}
        hasNext={pages.hasNext}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
      {open && <ObjectViewer key={open} bucket={bucket} objectKey={open} />}
    </div>
  );
}
