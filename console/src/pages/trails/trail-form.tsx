import { type FormEvent, useEffect, useState } from 'react';
import { CREATE_TRAIL, LIST_ALIASES, LIST_BUCKETS, LIST_KEYS, UPDATE_TRAIL } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../components/error-message';
import { BucketPolicyOffer, NewBucket } from './bucket-actions';
import { fieldOfError, type Trail, type TrailField, trailArnFor } from './trail-model';

interface KmsChoice {
  keyArn: string;
  label: string;
}

async function loadKeys(): Promise<KmsChoice[]> {
  const [{ listKeys }, { listAliases }] = await Promise.all([
    gql<{ listKeys: { keys: Array<{ keyId: string; keyArn: string }> } }>(LIST_KEYS),
    gql<{ listAliases: { aliases: Array<{ aliasName: string; targetKeyId: string }> } }>(LIST_ALIASES),
  ]);
  return listKeys.keys.map((k) => {
    const aliases = listAliases.aliases.filter((a) => a.targetKeyId === k.keyId).map((a) => a.aliasName);
    return { keyArn: k.keyArn, label: aliases.length ? `${aliases.join(', ')} (${k.keyId})` : k.keyId };
  });
}

/** Create a trail (trail = null) or edit one: bucket (existing or new, with the recommended policy), prefix, KMS key, options. */
export function TrailForm({ trail, onDone, onCancel }: { trail: Trail | null; onDone(trail: Trail): void; onCancel(): void }) {
  const { identity, region } = useSession();
  const [name, setName] = useState(trail?.name ?? '');
  const [bucket, setBucket] = useState(trail?.s3BucketName ?? '');
  const [prefix, setPrefix] = useState(trail?.s3KeyPrefix ?? '');
  const [kmsKeyId, setKmsKeyId] = useState(trail?.kmsKeyId ?? '');
  const [multiRegion, setMultiRegion] = useState(trail?.isMultiRegionTrail ?? true);
  const [validation, setValidation] = useState(trail?.logFileValidationEnabled ?? true);
  const [globalEvents, setGlobalEvents] = useState(trail?.includeGlobalServiceEvents ?? true);
  const [buckets, setBuckets] = useState<string[] | null>(null);
  const [keys, setKeys] = useState<KmsChoice[] | null>(null);
  const [error, setError] = useState<{ error: unknown; field: TrailField } | null>(null);
  const [saving, setSaving] = useState(false);

  const fail = (err: unknown, field = fieldOfError(err)) => setError({ error: err, field });
  const errorOf = (field: TrailField) => (error?.field === field ? error.error : null);
  const describedBy = (field: TrailField) => (error?.field === field ? `trail-${field}-error` : undefined);

  useEffect(() => {
    let cancelled = false;
    gql<{ listBuckets: { buckets: Array<{ bucketName: string }> } }>(LIST_BUCKETS).then(
      ({ listBuckets }) => !cancelled && setBuckets(listBuckets.buckets.map((b) => b.bucketName)),
      (err) => !cancelled && fail(err, 'bucket'),
    );
    loadKeys().then(
      (k) => !cancelled && setKeys(k),
      (err) => !cancelled && fail(err, 'kms'),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  // The ARN the trail has (or will have: created in the console's region) names it in the bucket policy.
  const trailArn = trail?.trailARN ?? (name ? trailArnFor(region, identity.account, name) : '');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaving(true);
    setError(null);
    try {
      const saved = trail
        ? (
            await gql<{ updateTrail: Trail }>(UPDATE_TRAIL, {
              input: {
                name: trail.trailARN,
                s3BucketName: bucket,
                // An empty string clears an optional setting (updateTrail's rule).
                s3KeyPrefix: prefix,
                kmsKeyId,
                isMultiRegionTrail: multiRegion,
                includeGlobalServiceEvents: globalEvents,
                enableLogFileValidation: validation,
              },
            })
          ).updateTrail
        : (
            await gql<{ createTrail: Trail }>(CREATE_TRAIL, {
              input: {
                name,
                s3BucketName: bucket,
                s3KeyPrefix: prefix || undefined,
                kmsKeyId: kmsKeyId || undefined,
                isMultiRegionTrail: multiRegion,
                includeGlobalServiceEvents: globalEvents,
                enableLogFileValidation: validation,
              },
            })
          ).createTrail;
      onDone(saved);
    } catch (err) {
      fail(err);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form onSubmit={submit} className="trail-form" aria-label={trail ? `Edit trail ${trail.name}` : 'Create trail'}>
      <h2>{trail ? `Edit trail ${trail.name}` : 'Create trail'}</h2>
      <ErrorMessage error={errorOf('form')} />
      <div className="filter-row">
        <label>
          Trail name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            readOnly={trail !== null}
            required
            spellCheck={false}
            aria-invalid={error?.field === 'name' || undefined}
            aria-describedby={describedBy('name')}
          />
        </label>
        <ErrorMessage error={errorOf('name')} id="trail-name-error" />
      </div>
      <fieldset>
        <legend>Log bucket</legend>
        <div className="filter-row">
          <label>
            S3 bucket
            <select
              value={bucket}
              onChange={(e) => setBucket(e.target.value)}
              aria-invalid={error?.field === 'bucket' || undefined}
              aria-describedby={describedBy('bucket')}
            >
              <option value="">{buckets === null ? 'Loading buckets…' : 'Choose a bucket'}</option>
              {(buckets ?? []).concat(bucket && buckets && !buckets.includes(bucket) ? [bucket] : []).map((b) => (
                <option key={b} value={b}>
                  {b}
                </option>
              ))}
            </select>
          </label>
          <NewBucket
            onCreated={(created) => {
              setBuckets((list) => [...(list ?? []), created]);
              setBucket(created);
              setError(null);
            }}
            onError={(err) => fail(err, 'bucket')}
          />
        </div>
        <ErrorMessage error={errorOf('bucket')} id="trail-bucket-error" />
        <div className="filter-row">
          <label>
            S3 key prefix (optional)
            <input
              value={prefix}
              onChange={(e) => setPrefix(e.target.value)}
              spellCheck={false}
              aria-invalid={error?.field === 'prefix' || undefined}
              aria-describedby={describedBy('prefix')}
            />
          </label>
          <ErrorMessage error={errorOf('prefix')} id="trail-prefix-error" />
        </div>
        {bucket && trailArn && (
          <BucketPolicyOffer
            bucket={bucket}
            prefix={prefix}
            account={identity.account}
            trailArn={trailArn}
            onApplied={() => setError(null)}
            onError={(err) => fail(err, 'bucket')}
          />
        )}
      </fieldset>
      <div className="filter-row">
        <label>
          KMS key for log files
          <select
            value={kmsKeyId}
            onChange={(e) => setKmsKeyId(e.target.value)}
            aria-invalid={error?.field === 'kms' || undefined}
            aria-describedby={describedBy('kms')}
          >
            <option value="">None (server-side encryption only)</option>
            {(keys ?? [])
              .concat(kmsKeyId && keys && !keys.some((k) => k.keyArn === kmsKeyId) ? [{ keyArn: kmsKeyId, label: kmsKeyId }] : [])
              .map((k) => (
                <option key={k.keyArn} value={k.keyArn}>
                  {k.label}
                </option>
              ))}
          </select>
        </label>
        <ErrorMessage error={errorOf('kms')} id="trail-kms-error" />
      </div>
      <div className="filter-row">
        <label className="inline">
          <input type="checkbox" checked={multiRegion} onChange={(e) => setMultiRegion(e.target.checked)} />
          Multi-Region trail
        </label>
        <label className="inline">
          <input type="checkbox" checked={globalEvents} onChange={(e) => setGlobalEvents(e.target.checked)} />
          Include global service events
        </label>
        <label className="inline">
          <input type="checkbox" checked={validation} onChange={(e) => setValidation(e.target.checked)} />
          Log file validation
        </label>
      </div>
      <div className="filter-row">
        <button type="submit" disabled={saving}>
          {saving ? 'Saving…' : trail ? 'Save trail' : 'Create trail'}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
