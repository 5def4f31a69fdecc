import { type FormEvent, useState } from 'react';
import { CREATE_ACCOUNT, LIST_ACCOUNTS, REMOVE_ACCOUNT } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { Pager } from './resource-parts';
import { useFormError } from './use-form-error';
import { useTokenPages } from './use-token-pages';

export interface OrganizationAccount {
  id: string;
  arn: string;
  name: string;
  email: string;
  status: string;
  joinedMethod: string;
  joinedTimestamp: string;
}

/** The organization's accounts (management account or delegated administrator), 20 a page: create a member, remove one. */
export function OrganizationAccountsSection() {
  const [accountName, setAccountName] = useState('');
  const [email, setEmail] = useState('');
  const [rowErrors, setRowErrors] = useState<Record<string, unknown>>({});
  const form = useFormError<'accountName' | 'email'>('account', [
    [/accountName/, 'accountName'],
    [/email|DuplicateAccount/i, 'email'],
  ]);
  const pages = useTokenPages<OrganizationAccount>(async (nextToken) => {
    const { listAccounts } = await gql<{ listAccounts: { accounts: OrganizationAccount[]; nextToken: string | null } }>(LIST_ACCOUNTS, {
      input: { maxResults: 20, nextToken },
    });
    return { items: listAccounts.accounts, next: listAccounts.nextToken };
  });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    form.clear();
    try {
      await gql(CREATE_ACCOUNT, { input: { accountName, email } });
      setAccountName('');
      setEmail('');
      pages.restart();
    } catch (err) {
      form.fail(err);
    }
  };
  const remove = async (accountId: string) => {
    setRowErrors((r) => ({ ...r, [accountId]: null }));
    try {
      await gql(REMOVE_ACCOUNT, { input: { accountId } });
      pages.reload();
    } catch (err) {
      setRowErrors((r) => ({ ...r, [accountId]: err }));
    }
  };

  return (
    <>
      <form className="trail-form" onSubmit={create} aria-label="Create account">
        <ErrorMessage error={form.errorOf('form')} />
        <div className="filter-row">
          <label>
            Account name
            <input value={accountName} onChange={(e) => setAccountName(e.target.value)} required {...form.fieldProps('accountName')} />
          </label>
          <ErrorMessage error={form.errorOf('accountName')} id={form.errorId('accountName')} />
          <label>
            Email address
            <input value={email} onChange={(e) => setEmail(e.target.value)} required spellCheck={false} {...form.fieldProps('email')} />
          </label>
          <ErrorMessage error={form.errorOf('email')} id={form.errorId('email')} />
          <button type="submit">Create account</button>
        </div>
      </form>
      <ErrorMessage error={pages.error} />
      {pages.items === null && !pages.error && <p role="status">Loading…</p>}
      {pages.items && (
        <div className="table-wrap">
          <table className="data" aria-label="Organization accounts">
            <thead>
              <tr>
                <th scope="col">Account ID</th>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Status</th>
                <th scope="col">Joined</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((a) => (
                <tr key={a.id} data-account={a.name}>
                  <td>{a.id}</td>
                  <td>{a.name}</td>
                  <td>{a.email}</td>
                  <td>{a.status}</td>
                  <td>
                    {a.joinedMethod} {a.joinedTimestamp}
                  </td>
                  <td>
                    <button type="button" className="secondary" onClick={() => void remove(a.id)}>
                      Remove {a.name} from the organization
                    </button>
                    <ErrorMessage error={rowErrors[a.id]} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        label="Organization accounts"
        pageNumber={pages.pageNumber}
        hasNext={pages.hasNext}
        onNext={pages.next}
        onPrevious={pages.previous}
      />
    </>
  );
}
