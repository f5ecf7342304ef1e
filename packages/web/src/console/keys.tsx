import { useState } from 'react';
import { api, ApiError } from '../api';
import { useLoad } from './projects';

interface ApiKey {
  id: string;
  name: string;
  environment: 'live' | 'test';
  hint: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** API keys: make one (its secret is shown once), see when each was last used, revoke. */
export function KeysPage() {
  const keys = useLoad<{ docs: ApiKey[] }>('/api/v1/keys');
  const [name, setName] = useState('');
  const [environment, setEnvironment] = useState<'live' | 'test'>('live');
  const [secret, setSecret] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  return (
    <section>
      <h1>API keys</h1>
      {keys.error ? <p role="alert">{keys.error}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Environment</th>
            <th scope="col">Key</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {(keys.data?.docs ?? []).map((key) => (
            <tr key={key.id}>
              <th scope="row">{key.name}</th>
              <td>{key.environment}</td>
              <td>
                <code>{key.hint}</code>
              </td>
              <td>{key.last_used_at ? new Date(key.last_used_at).toLocaleString() : 'never'}</td>
              <td>
                {key.revoked_at ? (
                  `revoked ${new Date(key.revoked_at).toLocaleString()}`
                ) : (
                  <button
                    type="button"
                    aria-label={`Revoke ${key.name}`}
                    onClick={async () => {
                      if (!confirm(`Revoke the key “${key.name}”? Clients using it stop working.`))
                        return;
                      await api
                        .delete(`/api/v1/keys/${key.id}`)
                        .catch((e: Error) => setError(e.message));
                      keys.reload();
                    }}
                  >
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="inline-form"
        aria-label="New API key"
        onSubmit={async (event) => {
          event.preventDefault();
          setError(undefined);
          try {
            const created = await api.post<{ key: string }>('/api/v1/keys', { name, environment });
            setSecret(created.key);
            setName('');
            keys.reload();
          } catch (caught) {
            setError(caught instanceof ApiError ? caught.message : String(caught));
          }
        }}
      >
        <h2>New key</h2>
        <label className="field">
          Key name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label className="field">
          Environment
          <select
            value={environment}
            onChange={(e) => setEnvironment(e.target.value as 'live' | 'test')}
          >
            <option value="live">live</option>
            <option value="test">test</option>
          </select>
        </label>
        <button type="submit" className="primary">
          Create key
        </button>
        {secret ? (
          <p role="status">
            The new key (shown this once): <code>{secret}</code>
          </p>
        ) : null}
        {error ? <p role="alert">{error}</p> : null}
      </form>
    </section>
  );
}
