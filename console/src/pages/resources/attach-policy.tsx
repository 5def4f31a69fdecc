import { type FormEvent, useState } from 'react';
import { LIST_POLICIES } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { useLoaded } from './use-loaded';

export interface ManagedPolicy {
  policyName: string;
  arn: string;
  path: string;
  description: string;
  attachmentCount: number;
  isAttachable: boolean;
  defaultVersionId: string;
  policyDocument: string;
}

export async function listPolicies(): Promise<ManagedPolicy[]> {
  return (await gql<{ listPolicies: { policies: ManagedPolicy[] } }>(LIST_POLICIES)).listPolicies.policies;
}

/** Attaches a managed policy to a user or role (`attach` sends the operation). */
export function AttachPolicy({ principal, attach }: { principal: string; attach(policyArn: string): Promise<unknown> }) {
  const policies = useLoaded(listPolicies);
  const [policyArn, setPolicyArn] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [attached, setAttached] = useState<string | null>(null);
  const errorId = `attach-${principal}-error`;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setAttached(null);
    try {
      await attach(policyArn);
      setAttached(policyArn);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="filter-row" onSubmit={submit} aria-label={`Attach a policy to ${principal}`}>
      <label>
        Managed policy
        <select
          value={policyArn}
          onChange={(e) => setPolicyArn(e.target.value)}
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? errorId : undefined}
        >
          <option value="">{policies.value === null ? 'Loading policies…' : 'Choose a policy'}</option>
          {(policies.value ?? [])
            .filter((p) => p.isAttachable)
            .map((p) => (
              <option key={p.arn} value={p.arn}>
                {p.policyName}
              </option>
            ))}
        </select>
      </label>
      <button type="submit" className="secondary">
        Attach policy
      </button>
      <ErrorMessage error={error ?? policies.error} id={errorId} />
      {attached && <span role="status">Attached {attached}.</span>}
    </form>
  );
}
