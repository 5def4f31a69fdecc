import { type FormEvent, useState } from 'react';
import { DEREGISTER_DELEGATED_ADMIN, LIST_DELEGATED_ADMINISTRATORS, REGISTER_DELEGATED_ADMIN } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import type { OrganizationAccount } from './organization-accounts';
import { useFormError } from './use-form-error';
import { useLoaded } from './use-loaded';

interface DelegatedAdministrator extends OrganizationAccount {
  delegationEnabledDate: string;
}

/** CloudTrail's delegated administrators of the organization (at most 3): register a member account, deregister one. */
export function DelegatedAdministratorsSection() {
  const admins = useLoaded(
    async () =>
      (await gql<{ listDelegatedAdministrators: { delegatedAdministrators: DelegatedAdministrator[] } }>(LIST_DELEGATED_ADMINISTRATORS))
        .listDelegatedAdministrators.delegatedAdministrators,
  );
  const [memberAccountId, setMemberAccountId] = useState('');
  const [rowErrors, setRowErrors] = useState<Record<string, unknown>>({});
  const form = useFormError<'account'>('delegated', [[/Account|account/, 'account']]);

  const register = async (e: FormEvent) => {
    e.preventDefault();
    form.clear();
    try {
      await gql(REGISTER_DELEGATED_ADMIN, { input: { memberAccountId } });
      setMemberAccountId('');
      admins.reload();
    } catch (err) {
      form.fail(err);
    }
  };
  const deregister = async (id: string) => {
    setRowErrors((r) => ({ ...r, [id]: null }));
    try {
      await gql(DEREGISTER_DELEGATED_ADMIN, { input: { delegatedAdminAccountId: id } });
      admins.reload();
    } catch (err) {
      setRowErrors((r) => ({ ...r, [id]: err }));
    }
  };

  return (
    <>
      <form className="filter-row" onSubmit={register} aria-label="Register delegated administrator">
        <label>
          Member account ID
          <input
            value={memberAccountId}
            onChange={(e) => setMemberAccountId(e.target.value)}
            required
            inputMode="numeric"
            spellCheck={false}
            {...form.fieldProps('account')}
          />
        </label>
        <button type="submit">Register delegated administrator</button>
        <ErrorMessage error={form.errorOf('account') ?? form.errorOf('form')} id={form.errorId('account')} />
      </form>
      <ErrorMessage error={admins.error} />
      {admins.value === null && !admins.error && <p role="status">Loading…</p>}
      {admins.value && (
        <div className="table-wrap">
          <table className="data" aria-label="Delegated administrators">
            <thead>
              <tr>
                <th scope="col">Account ID</th>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Delegated since</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {admins.value.map((a) => (
                <tr key={a.id} data-account={a.name}>
                  <td>{a.id}</td>
                  <td>{a.name}</td>
                  <td>{a.email}</td>
                  <td>{a.delegationEnabledDate}</td>
                  <td>
                    <button type="button" className="secondary" onClick={() => void deregister(a.id)}>
                      Deregister {a.name}
                    </button>
                    <ErrorMessage error={rowErrors[a.id]} />
                  </td>
                </tr>
              ))}
              {admins.value.length === 0 && (
                <tr>
                  <td colSpan={5}>No delegated administrators.</td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
