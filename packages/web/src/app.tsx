import { useEffect, useState } from 'react';
import { api, ApiError, setCsrfToken } from './api';
import { Link, navigate, useLocation } from './router';
import { hasRole, SessionContext, type Session } from './session';
import { ChangePassword, SignIn } from './pages/sign-in';
import { Workbench } from './pages/workbench';
import { MyEarnings } from './pages/me';
import { lazy, Suspense } from 'react';

// The console is loaded when an operator first opens it.
const ProjectsPage = lazy(() =>
  import('./console/projects').then((m) => ({ default: m.ProjectsPage })),
);
const ProjectPage = lazy(() =>
  import('./console/projects').then((m) => ({ default: m.ProjectPage })),
);
const WorkforcePage = lazy(() =>
  import('./console/workforce').then((m) => ({ default: m.WorkforcePage })),
);
const KeysPage = lazy(() => import('./console/keys').then((m) => ({ default: m.KeysPage })));
const GenerationsPage = lazy(() =>
  import('./console/generations').then((m) => ({ default: m.GenerationsPage })),
);
const GenerationPage = lazy(() =>
  import('./console/generations').then((m) => ({ default: m.GenerationPage })),
);
const RedTeamPage = lazy(() =>
  import('./console/redteam').then((m) => ({ default: m.RedTeamPage })),
);
const CampaignPage = lazy(() =>
  import('./console/redteam').then((m) => ({ default: m.CampaignPage })),
);
const DeliveriesPage = lazy(() =>
  import('./console/deliveries').then((m) => ({ default: m.DeliveriesPage })),
);

/** The app: who is signed in decides what shows; paths pick the page. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  useEffect(() => {
    api.get<Session>('/api/v1/sessions/current').then(
      (current) => {
        setCsrfToken(current.csrfToken);
        setSession(current);
      },
      (error) => {
        if (error instanceof ApiError && (error.status === 401 || error.status === 403))
          setSession(null);
        else setSession(null);
      },
    );
  }, []);
  const signedIn = (next: Session) => {
    setCsrfToken(next.csrfToken);
    setSession(next);
  };
  if (session === undefined) return <p role="status">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={signedIn} />;
  if (session.worker.password_change_required)
    return <ChangePassword required onChanged={signedIn} />;
  const signOut = async () => {
    await api.delete('/api/v1/sessions/current').catch(() => undefined);
    setCsrfToken(null);
    setSession(null);
    navigate('/');
  };
  return (
    <SessionContext.Provider value={{ session, signOut, refresh: signedIn }}>
      <Shell session={session} signOut={signOut} />
    </SessionContext.Provider>
  );
}

function Shell({ session, signOut }: { session: Session; signOut: () => Promise<void> }) {
  const { path } = useLocation();
  const operator = hasRole(session.worker, 'manager');
  const admin = hasRole(session.worker, 'admin');
  return (
    <div className="shell">
      <nav aria-label="Main">
        <strong className="brand">Quorum</strong>
        <Link to="/">Labeling</Link>
        <Link to="/me">My earnings</Link>
        {operator ? (
          <>
            <Link to="/console/projects">Projects</Link>
            <Link to="/console/workforce">Workforce</Link>
            <Link to="/console/redteam">Red teaming</Link>
            {admin ? (
              <>
                <Link to="/console/generations">Generations</Link>
                <Link to="/console/keys">API keys</Link>
                <Link to="/console/deliveries">Deliveries</Link>
              </>
            ) : null}
          </>
        ) : null}
        <span className="spacer" />
        <span>{session.worker.email}</span>
        <button type="button" onClick={() => void signOut()}>
          Sign out
        </button>
      </nav>
      <main>
        <Suspense fallback={<p role="status">Loading…</p>}>{page(path, operator, admin)}</Suspense>
      </main>
    </div>
  );
}

function page(path: string, operator: boolean, admin: boolean) {
  if (path === '/' || path === '/label') return <Workbench />;
  if (path === '/me') return <MyEarnings />;
  if (operator && path === '/console/projects') return <ProjectsPage />;
  const project = /^\/console\/projects\/([^/]+)$/.exec(path);
  if (operator && project)
    return <ProjectPage key={project[1]} name={decodeURIComponent(project[1]!)} />;
  if (operator && path === '/console/workforce') return <WorkforcePage />;
  if (operator && path === '/console/redteam') return <RedTeamPage />;
  const campaign = /^\/console\/redteam\/([^/]+)$/.exec(path);
  if (operator && campaign)
    return <CampaignPage key={campaign[1]} id={decodeURIComponent(campaign[1]!)} />;
  if (admin && path === '/console/generations') return <GenerationsPage />;
  const generation = /^\/console\/generations\/([^/]+)$/.exec(path);
  if (admin && generation)
    return <GenerationPage key={generation[1]} id={decodeURIComponent(generation[1]!)} />;
  if (admin && path === '/console/keys') return <KeysPage />;
  if (admin && path === '/console/deliveries') return <DeliveriesPage />;
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page at this address. <Link to="/">Back to labeling</Link>
      </p>
    </section>
  );
}
