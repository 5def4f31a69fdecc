import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { CALLER_IDENTITY, LIST_REGIONS } from '../api/documents';
import { gql, isSessionEnded, onSessionEnded } from '../api/graphql-client';
import { loadRegion, loadSession, saveRegion, saveSession } from '../api/session-store';
import { ErrorMessage } from '../components/error-message';
import { HistoryPage } from '../pages/history/history-page';
import { SignInPage } from '../pages/sign-in-page';
import { TrailsPage } from '../pages/trails/trails-page';
import { currentTarget, navigate, useLocation } from './location';
import { type Identity, type RegionInfo, SessionContext, type SessionState } from './session';
import { Shell } from './shell';

// The editor and charts are most of the bundle: loaded only when the Lake page opens.
const LakePage = lazy(() => import('../pages/lake/lake-page'));
const DashboardsPage = lazy(() => import('../pages/dashboards/dashboards-page'));
const InsightsPage = lazy(() => import('../pages/insights/insights-page'));
const ResourcesPage = lazy(() => import('../pages/resources/resources-page'));

type Phase =
  | { kind: 'loading' }
  | { kind: 'signed-out' }
  | { kind: 'error'; error: unknown }
  | { kind: 'ready'; identity: Identity; regions: RegionInfo[] };

async function loadIdentity(): Promise<{ identity: Identity; regions: RegionInfo[] }> {
  const [{ getCallerIdentity }, { listRegions }] = await Promise.all([
    gql<{ getCallerIdentity: Identity }>(CALLER_IDENTITY),
    gql<{ listRegions: RegionInfo[] }>(LIST_REGIONS),
  ]);
  return { identity: getCallerIdentity, regions: listRegions };
}

/** Sends the browser to sign-in, remembering where it was (filters included) to come back after. */
function toSignIn(reason?: string): void {
  const loc = currentTarget();
  const params = new URLSearchParams();
  if (!loc.startsWith('/signin')) params.set('next', loc);
  if (reason) params.set('reason', reason);
  navigate(`/signin?${params.toString()}`, { replace: true });
}

export function App() {
  const location = useLocation();
  const [phase, setPhase] = useState<Phase>(() => (loadSession() ? { kind: 'loading' } : { kind: 'signed-out' }));
  const [region, setRegionState] = useState(loadRegion);

  const start = useCallback(() => {
    setPhase({ kind: 'loading' });
    loadIdentity().then(
      (loaded) => setPhase({ kind: 'ready', ...loaded }),
      (error) => {
        if (isSessionEnded(error)) {
          saveSession(null);
          setPhase({ kind: 'signed-out' });
          toSignIn('expired');
        } else setPhase({ kind: 'error', error });
      },
    );
  }, []);

  useEffect(() => {
    if (phase.kind === 'loading') start();
    // Only on mount: later loads are started by sign-in.
  }, []);

  useEffect(
    () =>
      onSessionEnded(() => {
        saveSession(null);
        setPhase({ kind: 'signed-out' });
        toSignIn('expired');
      }),
    [],
  );

  useEffect(() => {
    if (phase.kind === 'signed-out' && location.page !== '/signin') toSignIn();
    if (phase.kind === 'ready' && (location.page === '/' || location.page === '/signin')) navigate('/history', { replace: true });
  }, [phase.kind, location.page]);

  if (phase.kind === 'signed-out' || location.page === '/signin') {
    return (
      <SignInPage
        reason={location.params.get('reason')}
        onSignedIn={() => {
          navigate(location.params.get('next') ?? '/history', { replace: true });
          start();
        }}
      />
    );
  }
  if (phase.kind === 'loading')
    return (
      <p className="loading" role="status">
        Loading…
      </p>
    );
  if (phase.kind === 'error') {
    return (
      <main className="page">
        <h1>OpenTrail console</h1>
        <ErrorMessage error={phase.error} />
        <button type="button" onClick={start}>
          Retry
        </button>
      </main>
    );
  }

  const session: SessionState = {
    identity: phase.identity,
    regions: phase.regions,
    region: region || phase.regions.find((r) => r.isHomeRegion)?.regionName || '',
    setRegion: (next) => {
      saveRegion(next);
      setRegionState(next);
    },
    signOut: () => {
      saveSession(null);
      setPhase({ kind: 'signed-out' });
      navigate('/signin?reason=signed-out', { replace: true });
    },
  };

  let page;
  switch (location.page.startsWith('/resources') ? '/resources' : location.page) {
    case '/lake':
      page = <LakePage />;
      break;
    case '/dashboards':
      page = <DashboardsPage />;
      break;
    case '/insights':
      page = <InsightsPage />;
      break;
    case '/trails':
      page = <TrailsPage />;
      break;
    case '/resources':
      page = <ResourcesPage page={location.page} />;
      break;
    default:
      page = <HistoryPage />;
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell page={location.page}>
        {/* A region switch re-mounts the page: everything it shows belongs to one region. */}
        <Suspense key={session.region} fallback={<p role="status">Loading…</p>}>
          {page}
        </Suspense>
      </Shell>
    </SessionContext.Provider>
  );
}
