import { useState } from 'react';
import { ErrorMessage } from '../../components/error-message';
import { listPolicies, type ManagedPolicy } from './attach-policy';
import { Details, DetailPanel, JsonBlock } from './resource-parts';
import { useLoaded } from './use-loaded';

/** The managed policies (listPolicies is one page: IAM's AWS-managed set is small here); a policy opens as its document. */
export function IamPoliciesSection() {
  const policies = useLoaded(listPolicies);
  const [selected, setSelected] = useState<ManagedPolicy | null>(null);
  return (
    <>
      <ErrorMessage error={policies.error} />
      {policies.value === null && !policies.error && <p role="status">Loading…</p>}
      {policies.value && (
        <div className="table-wrap">
          <table className="data" aria-label="IAM policies">
            <thead>
              <tr>
                <th scope="col">Policy name</th>
                <th scope="col">Description</th>
                <th scope="col">Attachments</th>
              </tr>
            </thead>
            <tbody>
              {policies.value.map((p) => (
                <tr key={p.arn} className={selected?.arn === p.arn ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="link-button" onClick={() => setSelected(p)}>
                      {p.policyName}
                    </button>
                  </td>
                  <td>{p.description || '—'}</td>
                  <td>{p.attachmentCount}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && (
        <DetailPanel title={`Policy ${selected.policyName}`} onClose={() => setSelected(null)}>
          <Details
            label={`Attributes of ${selected.policyName}`}
            rows={[
              ['ARN', selected.arn],
              ['Path', selected.path],
              ['Default version', selected.defaultVersionId],
              ['Attachable', selected.isAttachable ? 'Yes' : 'No'],
              ['Attachments in this account', selected.attachmentCount],
            ]}
          />
          <JsonBlock label={`Document of ${selected.policyName}`} json={selected.policyDocument} />
        </DetailPanel>
      )}
    </>
  );
}
