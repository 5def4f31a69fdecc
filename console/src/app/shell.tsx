import type { ReactNode } from 'react';
import { Link } from '../components/link';
import { useSession } from './session';

const PAGES = [
  { path: '/history', label: 'Event history' },
  { path: '/lake', label: 'Lake' },
  { path: '/dashboards', label: 'Dashboards' },
  { path: '/insights', label: 'Insights' },
  { path: '/trails', label: 'Trails' },
  { path: '/resources', label: 'Resources' },
];

/** A page's entry is current on its own path and the paths below it (/resources/buckets). */
const isCurrent = (page: string, path: string) => page === path || page.startsWith(`${path}/`) || (page === '/' && path === '/history');

/** Header (identity, region, sign out), navigation and the page. */
export function Shell({ page, children }: { page: string; children: ReactNode }) {
  const { identity, regions, region, setRegion, signOut } = useSession();
  return (
    <>
      <header className="topbar">
        <span className="brand">OpenTrail</span>
        <nav aria-label="Console pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <Link to={p.path} aria-current={isCurrent(page, p.path) ? 'page' : undefined}>
                  {p.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="identity" aria-label="Signed in as">
          <span className="identity-arn" title="Caller ARN" data-testid="caller-arn">
            {identity.arn}
          </span>
          <span className="identity-account">
            Account <span data-testid="caller-account">{identity.account}</span>
          </span>
        </div>
        <label className="region">
          Region{' '}
          <select value={region} onChange={(e) => setRegion(e.target.value)} data-testid="region-select">
            {regions.map((r) => (
              <option key={r.regionName} value={r.regionName}>
                {r.regionName} ({r.description})
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main className="page" id="main">
        {children}
      </main>
    </>
  );
}
