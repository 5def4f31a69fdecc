import { type FormEvent, useState } from 'react';
import { ATTACH_ROLE_POLICY, CREATE_ROLE, LIST_ROLES } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { useSession } from '../../app/session';
import { ErrorMessage } from '../../components/error-message';
import { AttachPolicy } from './attach-policy';
import { Details, DetailPanel, JsonBlock, Pager } from './resource-parts';
import { useFormError } from './use-form-error';
import { useTokenPages } from './use-token-pages';

interface IamRole {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  createDate: string;
  description: string;
  maxSessionDuration: number;
  assumeRolePolicyDocument: string;
}

/** The trust policy a new role starts from: principals of this account may assume it. */
function accountTrustPolicy(account: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' }],
    },
    null,
    2,
  );
}

type Field = 'roleName' | 'trust' | 'duration' | 'description';

/** IAM roles of the account, paged by marker: create one with its trust policy; a role's details show it and attach policies. */
export function IamRolesSection() {
  const { identity } = useSession();
  const [selected, setSelected] = useState<IamRole | null>(null);
  const [roleName, setRoleName] = useState('');
  const [description, setDescription] = useState('');
  const [duration, setDuration] = useState('3600');
  const [trust, setTrust] = useState(() => accountTrustPolicy(identity.account));
  const form = useFormError<Field>('role', [
    [/roleName|EntityAlreadyExists|LimitExceeded/, 'roleName'],
    [/MalformedPolicyDocument|assumeRolePolicyDocument|[Pp]olicy/, 'trust'],
    [/maxSessionDuration/, 'duration'],
    [/description/, 'description'],
  ]);
  const pages = useTokenPages<IamRole>(async (marker) => {
    const { listRoles } = await gql<{ listRoles: { roles: IamRole[]; isTruncated: boolean; marker: string | null } }>(LIST_ROLES, {
      input: { maxItems: 50, marker },
    });
    return { items: listRoles.roles, next: listRoles.isTruncated ? listRoles.marker : null };
  });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    form.clear();
    try {
      const { createRole } = await gql<{ createRole: IamRole }>(CREATE_ROLE, {
        input: { roleName, description: description || undefined, maxSessionDuration: Number(duration), assumeRolePolicyDocument: trust },
      });
      setRoleName('');
      setSelected(createRole);
      pages.reload();
    } catch (err) {
      form.fail(err);
    }
  };

  return (
    <>
      <form className="trail-form" onSubmit={create} aria-label="Create role">
        <ErrorMessage error={form.errorOf('form')} />
        <div className="filter-row">
          <label>
            Role name
            <input
              value={roleName}
              onChange={(e) => setRoleName(e.target.value)}
              required
              spellCheck={false}
              {...form.fieldProps('roleName')}
            />
          </label>
          <ErrorMessage error={form.errorOf('roleName')} id={form.errorId('roleName')} />
          <label>
            Description (optional)
            <input value={description} onChange={(e) => setDescription(e.target.value)} {...form.fieldProps('description')} />
          </label>
          <ErrorMessage error={form.errorOf('description')} id={form.errorId('description')} />
          <label>
            Maximum session duration (seconds)
            <input type="number" value={duration} onChange={(e) => setDuration(e.target.value)} required {...form.fieldProps('duration')} />
          </label>
          <ErrorMessage error={form.errorOf('duration')} id={form.errorId('duration')} />
        </div>
        <label>
          Trust policy (JSON)
          <textarea value={trust} onChange={(e) => setTrust(e.target.value)} rows={8} spellCheck={false} {...form.fieldProps('trust')} />
        </label>
        <ErrorMessage error={form.errorOf('trust')} id={form.errorId('trust')} />
        <button type="submit">Create role</button>
      </form>
      <ErrorMessage error={pages.error} />
      {pages.items === null && !pages.error && <p role="status">Loading…</p>}
      {pages.items && (
        <div className="table-wrap">
          <table className="data" aria-label="IAM roles">
            <thead>
              <tr>
                <th scope="col">Role name</th>
                <th scope="col">Path</th>
                <th scope="col">Description</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((r) => (
                <tr key={r.roleId} className={selected?.roleId === r.roleId ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="link-button" onClick={() => setSelected(r)}>
                      {r.roleName}
                    </button>
                  </td>
                  <td>{r.path}</td>
                  <td>{r.description || '—'}</td>
                  <td>{r.createDate}</td>
                </tr>
              ))}
              {pages.items.length === 0 && (
                <tr>
                  <td colSpan={4}>No roles in this account.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
      <Pager label="IAM roles" pageNumber={pages.pageNumber} hasNext={pages.hasNext} onNext={pages.next} onPrevious={pages.previous} />
      {selected && (
        <DetailPanel title={`Role ${selected.roleName}`} onClose={() => setSelected(null)}>
          <Details
            label={`Attributes of ${selected.roleName}`}
            rows={[
              ['ARN', selected.arn],
              ['Role ID', selected.roleId],
              ['Path', selected.path],
              ['Maximum session duration (s)', selected.maxSessionDuration],
              ['Created', selected.createDate],
            ]}
          />
          <h3>Trust policy</h3>
          <JsonBlock label={`Trust policy of ${selected.roleName}`} json={selected.assumeRolePolicyDocument} />
          <AttachPolicy
            key={`attach-${selected.roleName}`}
            principal={selected.roleName}
            attach={(policyArn) => gql(ATTACH_ROLE_POLICY, { input: { roleName: selected.roleName, policyArn } })}
          />
        </DetailPanel>
      )}
    </>
  );
}
