import { Link } from '../../components/link';
import { AccessKeysSection } from './access-keys';
import { BucketsSection } from './buckets';
import { ChannelsSection } from './channels';
import { DelegatedAdministratorsSection } from './delegated-administrators';
import { EventDataStoresSection } from './event-data-stores';
import { IamPoliciesSection } from './iam-policies';
import { IamRolesSection } from './iam-roles';
import { IamUsersSection } from './iam-users';
import { KmsKeysSection } from './kms-keys';
import { OrganizationAccountsSection } from './organization-accounts';

/** The resource kinds, each at /resources/<path>. */
const KINDS = [
  { path: 'event-data-stores', label: 'Event data stores', Section: EventDataStoresSection },
  { path: 'channels', label: 'Channels', Section: ChannelsSection },
  { path: 'buckets', label: 'Buckets', Section: BucketsSection },
  { path: 'kms-keys', label: 'KMS keys', Section: KmsKeysSection },
  { path: 'users', label: 'IAM users', Section: IamUsersSection },
  { path: 'roles', label: 'IAM roles', Section: IamRolesSection },
  { path: 'policies', label: 'IAM policies', Section: IamPoliciesSection },
  { path: 'access-keys', label: 'Access keys', Section: AccessKeysSection },
  { path: 'accounts', label: 'Organization accounts', Section: OrganizationAccountsSection },
  { path: 'delegated-administrators', label: 'Delegated administrators', Section: DelegatedAdministratorsSection },
];

/** Resources: one section per kind, chosen by the path below /resources (default: event data stores). */
export default function ResourcesPage({ page }: { page: string }) {
  const current = KINDS.find((k) => page === `/resources/${k.path}`) ?? KINDS[0];
  const { Section } = current;
  return (
    <div className="resources">
      <nav aria-label="Resource kinds" className="resource-nav">
        <ul>
          {KINDS.map((k) => (
            <li key={k.path}>
              <Link to={`/resources/${k.path}`} aria-current={k === current ? 'page' : undefined}>
                {k.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="resource-body">
        <h1>{current.label}</h1>
        {/* Keyed by kind: a section's state (selection, page) does not leak into the next one. */}
        <Section key={current.path} />
      </div>
    </div>
  );
}
