import { type FormEvent, useState } from 'react';
import { ATTACH_USER_POLICY, CREATE_USER, LIST_USERS } from '../../api/documents';
import { gql } from '../../api/graphql-client';
import { ErrorMessage } from '../../components/error-message';
import { AccessKeys } from './access-keys';
import { AttachPolicy } from './attach-policy';
import { Details, DetailPanel, Pager } from './resource-parts';
import { useFormError } from './use-form-error';
import { useTokenPages } from './use-token-pages';

interface IamUser {
  userName: string;
  userId: string;
  arn: string;
  path: string;
  createDate: string;
}

/** IAM users of the account, paged by marker: create one; a user's details hold its access keys and policy attachment. */
export function IamUsersSection() {
  const [selected, setSelected] = useState<IamUser | null>(null);
  const [userName, setUserName] = useState('');
  const [path, setPath] = useState('');
  const form = useFormError<'userName' | 'path'>('user', [
    [/userName|EntityAlreadyExists|LimitExceeded/, 'userName'],
    [/path/, 'path'],
  ]);
  const pages = useTokenPages<IamUser>(async (marker) => {
    const { listUsers } = await gql<{ listUsers: { users: IamUser[]; isTruncated: boolean; marker: string | null } }>(LIST_USERS, {
      input: { maxItems: 50, marker },
    });
    return { items: listUsers.users, next: listUsers.isTruncated ? listUsers.marker : null };
  });

  const create = async (e: FormEvent) => {
    e.preventDefault();
    form.clear();
    try {
      const { createUser } = await gql<{ createUser: IamUser }>(CREATE_USER, { input: { userName, path: path || undefined } });
      setUserName('');
      setSelected(createUser);
      pages.reload();
    } catch (err) {
      form.fail(err);
    }
  };

  return (
    <>
      <form className="trail-form" onSubmit={create} aria-label="Create user">
        <ErrorMessage error={form.errorOf('form')} />
        <div className="filter-row">
          <label>
            User name
            <input
              value={userName}
              onChange={(e) => setUserName(e.target.value)}
              required
              spellCheck={false}
              {...form.fieldProps('userName')}
            />
          </label>
          <ErrorMessage error={form.errorOf('userName')} id={form.errorId('userName')} />
          <label>
            Path (optional)
            <input value={path} onChange={(e) => setPath(e.target.value)} placeholder="/" spellCheck={false} {...form.fieldProps('path')} />
          </label>
          <ErrorMessage error={form.errorOf('path')} id={form.errorId('path')} />
          <button type="submit">Create user</button>
        </div>
      </form>
      <ErrorMessage error={pages.error} />
      {pages.items === null && !pages.error && <p role="status">Loading…</p>}
      {pages.items && (
        <div className="table-wrap">
          <table className="data" aria-label="IAM users">
            <thead>
              <tr>
                <th scope="col">User name</th>
                <th scope="col">Path</th>
                <th scope="col">ARN</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((u) => (
                <tr key={u.userId} className={selected?.userId === u.userId ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="link-button" onClick={() => setSelected(u)}>
                      {u.userName}
                    </button>
                  </td>
                  <td>{u.path}</td>
                  <td>{u.arn}</td>
                  <td>{u.createDate}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager label="IAM users" pageNumber={pages.pageNumber} hasNext={pages.hasNext} onNext={pages.next} onPrevious={pages.previous} />
      {selected && (
        <DetailPanel title={`User ${selected.userName}`} onClose={() => setSelected(null)}>
          <Details
            label={`Attributes of ${selected.userName}`}
            rows={[
              ['ARN', selected.arn],
              ['User ID', selected.userId],
              ['Path', selected.path],
              ['Created', selected.createDate],
            ]}
          />
          <AccessKeys key={selected.userName} userName={selected.userName} />
          <AttachPolicy
            key={`attach-${selected.userName}`}
            principal={selected.userName}
            attach={(policyArn) => gql(ATTACH_USER_POLICY, { input: { userName: selected.userName, policyArn } })}
          />
        </DetailPanel>
      )}
    </>
  );
}
