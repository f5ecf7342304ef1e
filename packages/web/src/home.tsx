import { useEffect, useState } from 'react';

type Health = 'checking' | 'ok' | 'down';

/** The landing page: is the platform up, and where its API and documents are. */
export function Home() {
  const [health, setHealth] = useState<Health>('checking');
  useEffect(() => {
    fetch('/healthz')
      .then((response) => setHealth(response.ok ? 'ok' : 'down'))
      .catch(() => setHealth('down'));
  }, []);
  return (
    <main
      style={{
        fontFamily: 'system-ui, sans-serif',
        maxWidth: 720,
        margin: '3rem auto',
        lineHeight: 1.5,
      }}
    >
      <h1>Quorum</h1>
      <p>
        An open, self-hostable data engine for AI: ground truth from models and people working
        together.
      </p>
      <p role="status">
        Platform status:{' '}
        {health === 'checking' ? 'checking…' : health === 'ok' ? 'running' : 'not reachable'}
      </p>
      <h2>API</h2>
      <ul>
        <li>
          <code>/v1</code> — Scale-compatible API (authenticate with your API key as the HTTP Basic
          user name)
        </li>
        <li>
          <code>/api/v1</code> — native API
        </li>
        <li>
          <a href="/openapi.json">OpenAPI description</a>
        </li>
      </ul>
    </main>
  );
}
