import { useEffect, useState } from 'react';

/** Client-side navigation: the server answers every app path with index.html. */
export function navigate(path: string) {
  if (path === location.pathname + location.search) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** The current path and query, following navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [state, setState] = useState(() => ({ path: location.pathname, search: location.search }));
  useEffect(() => {
    const update = () => setState({ path: location.pathname, search: location.search });
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return { path: state.path, query: new URLSearchParams(state.search) };
}

/** An in-app link: a real anchor (open in new tab works) that navigates without a reload. */
export function Link(props: { to: string; children: React.ReactNode; className?: string }) {
  return (
    <a
      href={props.to}
      className={props.className}
      aria-current={location.pathname === props.to ? 'page' : undefined}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}
