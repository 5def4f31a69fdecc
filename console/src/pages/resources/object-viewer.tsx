import { useEffect, useState } from 'react';
import { GET_OBJECT } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { type ObjectContent, readObject } from './log-file';
import { Details } from './resource-parts';

interface StoredObject {
  key: string;
  body: string;
  contentLength: number;
  contentType: string | null;
  contentEncoding: string | null;
  lastModified: string;
  serverSideEncryption: string;
  ssekmsKeyId: string | null;
  metadata: Array<{ key: string; value: string }>;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v);
}

/** A log file's records: CloudTrail's columns, each row opening the record's full JSON. */
function RecordsTable({ records }: { records: Array<Record<string, unknown>> }) {
  return (
    <div className="table-wrap">
      <table className="data" aria-label="Log file records">
        <thead>
          <tr>
            <th scope="col">Event time</th>
            <th scope="col">Event name</th>
            <th scope="col">Event source</th>
            <th scope="col">User</th>
            <th scope="col">Region</th>
            <th scope="col">Error code</th>
            <th scope="col">Record</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r, i) => {
            const identity = (r.userIdentity ?? {}) as Record<string, unknown>;
            return (
              <tr key={str(r.eventID) || i} data-event-id={str(r.eventID)}>
                <td>{str(r.eventTime)}</td>
                <td>{str(r.eventName)}</td>
                <td>{str(r.eventSource)}</td>
                <td>{str(identity.userName ?? identity.arn ?? identity.type)}</td>
                <td>{str(r.awsRegion)}</td>
                <td>{str(r.errorCode) || '—'}</td>
                <td>
                  <details>
                    <summary>JSON of record {i + 1}</summary>
                    <pre className="record-json" tabIndex={0} aria-label={`Record ${i + 1} JSON`}>
                      {JSON.stringify(r, null, 2)}
                    </pre>
                  </details>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** One object of a bucket: its metadata, and its content decompressed in the browser (a log file as records). */
export function ObjectViewer({ bucket, objectKey }: { bucket: string; objectKey: string }) {
  const [object, setObject] = useState<StoredObject | null>(null);
  const [content, setContent] = useState<ObjectContent | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let cancelled = false;
    gql<{ getObject: StoredObject }>(GET_OBJECT, { input: { bucketName: bucket, key: objectKey } })
      .then(async ({ getObject }) => {
        if (cancelled) return;
        setObject(getObject);
        const read = await readObject(getObject.body);
        if (!cancelled) setContent(read);
      })
      .catch((err) => !cancelled && setError(err));
    return () => {
      cancelled = true;
    };
  }, [bucket, objectKey]);

  return (
    <section aria-label={`Object ${objectKey}`} className="object-viewer">
      <h3>{objectKey}</h3>
      <ErrorMessage error={error} />
      {!object && !error && <p role="status">Loading object…</p>}
      {object && (
        <Details
          label="Object metadata"
          rows={[
            ['Size (bytes)', object.contentLength],
            ['Last modified', object.lastModified],
            ['Content type', object.contentType],
            ['Content encoding', object.contentEncoding],
            ['Server-side encryption', object.serverSideEncryption],
            ['KMS key', object.ssekmsKeyId],
            ...object.metadata.map((m): [string, string] => [`x-amz-meta-${m.key}`, m.value]),
          ]}
        />
      )}
      {content?.kind === 'records' && (
        <>
          <p data-testid="record-count">
            {content.records.length} record{content.records.length === 1 ? '' : 's'}
          </p>
          <RecordsTable records={content.records} />
        </>
      )}
      {content?.kind === 'json' && (
        <pre className="record-json" tabIndex={0} aria-label="Object JSON">
          {JSON.stringify(content.value, null, 2)}
        </pre>
      )}
      {content?.kind === 'text' && (
        <pre className="record-json" tabIndex={0} aria-label="Object text">
          {content.text}
        </pre>
      )}
      {content?.kind === 'binary' && <p>Binary content, {content.size} bytes: not shown.</p>}
    </section>
  );
}
