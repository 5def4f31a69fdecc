import { useState } from 'react';
import { CREATE_BUCKET, PUT_BUCKET_POLICY } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { recommendedBucketPolicy } from './trail-model';

/** Creates a bucket of the account. Inside the trail form, so no form of its own: Enter in the name creates. */
export function NewBucket({ onCreated, onError }: { onCreated(name: string): void; onError(err: unknown): void }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setBusy(true);
    try {
      const { createBucket } = await gql<{ createBucket: { bucketName: string } }>(CREATE_BUCKET, { input: { bucketName: name } });
      onCreated(createBucket.bucketName);
      setName('');
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="inline-action">
      <label>
        New bucket name
        <input
          value={name}
          spellCheck={false}
          onChange={(e) => setName(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              if (name) void create();
            }
          }}
        />
      </label>
      <button type="button" className="secondary" disabled={!name || busy} onClick={() => void create()}>
        Create bucket
      </button>
    </div>
  );
}

/**
 * CloudTrail's recommended policy for this trail and bucket, shown as JSON and applied with one
 * action (putBucketPolicy replaces the bucket's policy).
 */
export function BucketPolicyOffer({
  bucket,
  prefix,
  account,
  trailArn,
  onApplied,
  onError,
}: {
  bucket: string;
  prefix: string;
  account: string;
  trailArn: string;
  onApplied(): void;
  onError(err: unknown): void;
}) {
  const policy = recommendedBucketPolicy(bucket, prefix, account, trailArn);
  const [appliedPolicy, setAppliedPolicy] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const apply = async () => {
    setBusy(true);
    try {
      await gql(PUT_BUCKET_POLICY, { input: { bucketName: bucket, policy } });
      setAppliedPolicy(policy);
      onApplied();
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="policy-offer" open>
      <summary>Recommended bucket policy for this trail</summary>
      <p className="muted">
        Lets CloudTrail check the bucket ACL and write log files under AWSLogs/{account}/, only for {trailArn} (aws:SourceArn). Applying it
        replaces the bucket&apos;s current policy.
      </p>
      <pre className="record-json" data-testid="recommended-policy" tabIndex={0} aria-label="Recommended bucket policy JSON">
        {policy}
      </pre>
      <div className="filter-row">
        <button type="button" className="secondary" disabled={busy} onClick={() => void apply()}>
          Apply recommended policy to {bucket}
        </button>
        {appliedPolicy === policy && <span role="status">Policy applied to {bucket}.</span>}
      </div>
    </details>
  );
}
