import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { CREATE_BUCKET, DELETE_BUCKET, LIST_BUCKETS_DETAILS } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { BucketBrowser } from './bucket-browser';
import { DetailPanel } from './resource-parts';
import { useFormError } from './use-form-error';

interface Bucket {
  bucketName: string;
  region: string;
  creationDate: string;
}

/** The account's buckets: create, delete (empty buckets only, as S3), browse keys and open objects. */
export function BucketsSection() {
  const [buckets, setBuckets] = useState<Bucket[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [name, setName] = useState('');
  const [browsing, setBrowsing] = useState<string | null>(null);
  const [rowErrors, setRowErrors] = useState<Record<string, unknown>>({});
  const form = useFormError('bucket', [[/Bucket|bucket/, 'name']]);

  const load = useCallback(() => {
    setError(null);
    gql<{ listBuckets: { buckets: Bucket[] } }>(LIST_BUCKETS_DETAILS).then(
      ({ listBuckets }) => setBuckets(listBuckets.buckets),
      (err) => setError(err),
    );
  }, []);
  useEffect(load, [load]);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    form.clear();
    try {
      await gql(CREATE_BUCKET, { input: { bucketName: name } });
      setName('');
      load();
    } catch (err) {
      form.fail(err);
    }
  };
  const remove = async (bucket: string) => {
    setRowErrors((r) => ({ ...r, [bucket]: null }));
    try {
      await gql(DELETE_BUCKET, { input: { bucketName: bucket } });
      if (browsing === bucket) setBrowsing(null);
      load();
    } catch (err) {
      setRowErrors((r) => ({ ...r, [bucket]: err }));
    }
  };

  return (
    <>
      <form className="filter-row" onSubmit={create} aria-label="Create bucket">
        <label>
          Bucket name
          <input value={name} onChange={(e) => setName(e.target.value)} required spellCheck={false} {...form.fieldProps('name')} />
        </label>
        <button type="submit">Create bucket</button>
        <ErrorMessage error={form.errorOf('name') ?? form.errorOf('form')} id={form.errorId('name')} />
      </form>
      <ErrorMessage error={error} />
      {buckets === null && !error && <p role="status">Loading…</p>}
      {buckets && (
        <div className="table-wrap">
          <table className="data" aria-label="Buckets">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Region</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((b) => (
                <tr key={b.bucketName} data-bucket={b.bucketName}>
                  <td>{b.bucketName}</td>
                  <td>{b.region}</td>
                  <td>{b.creationDate}</td>
                  <td>
                    <div className="row-actions">
                      <button type="button" className="secondary" onClick={() => setBrowsing(b.bucketName)}>
                        Browse {b.bucketName}
                      </button>
                      <button type="button" className="secondary" onClick={() => void remove(b.bucketName)}>
                        Delete {b.bucketName}
                      </button>
                    </div>
                    <ErrorMessage error={rowErrors[b.bucketName]} />
                  </td>
                </tr>
              ))}
              {buckets.length === 0 && (
                <tr>
                  <td colSpan={4}>No buckets in this account.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      {browsing && (
        <DetailPanel title={`Bucket ${browsing}`} onClose={() => setBrowsing(null)}>
          <BucketBrowser key={browsing} bucket={browsing} />
        </DetailPanel>
      )}
    </>
  );
}
