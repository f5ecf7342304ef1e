import { useState } from 'react';
import { api, ApiError } from '../api';
import { useLoad } from './projects';

interface Worker {
  id: string;
  email: string;
  name: string;
  roles: string[];
  pool: string;
  status: string;
}

const ROLES = ['annotator', 'reviewer', 'manager', 'admin'];

/** People: who they are, their roles; invite, pause (remove) and reinstate. */
export function WorkforcePage() {
  const workers = useLoad<{ docs: Worker[] }>('/api/v1/workers?limit=500');
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('annotator');
  const [message, setMessage] = useState<string | undefined>();
  const setStatus = async (worker: Worker, status: string) => {
    try {
      await api.patch(`/api/v1/workers/${worker.id}`, { status });
      workers.reload();
    } catch (caught) {
      setMessage(caught instanceof Error ? caught.message : String(caught));
    }
  };
  return (
    <section>
      <h1>Workforce</h1>
      {workers.error ? <p role="alert">{workers.error}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Roles</th>
            <th scope="col">Pool</th>
            <th scope="col">Status</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {(workers.data?.docs ?? []).map((worker) => (
            <tr key={worker.id}>
              <th scope="row">{worker.name}</th>
              <td>{worker.email}</td>
              <td>{worker.roles.join(', ')}</td>
              <td>{worker.pool}</td>
              <td>{worker.status}</td>
              <td>
                {worker.roles.includes('owner') ? null : worker.status === 'active' ? (
                  <button
                    type="button"
                    onClick={() => void setStatus(worker, 'removed')}
                    aria-label={`Remove ${worker.email}`}
                  >
                    Remove
                  </button>
                ) : (
                  <button
                    type="button"
                    onClick={() => void setStatus(worker, 'active')}
                    aria-label={`Reinstate ${worker.email}`}
                  >
                    Reinstate
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        aria-label="Invite a worker"
        className="inline-form"
        onSubmit={async (event) => {
          event.preventDefault();
          try {
            const created = await api.post<{ token: string }>('/api/v1/workers', {
              email,
              name,
              roles: [role],
              ...(password ? { password } : {}),
            });
            setMessage(`Invited ${email}. Their personal token (shown once): ${created.token}`);
            setEmail('');
            setName('');
            setPassword('');
            workers.reload();
          } catch (caught) {
            setMessage(caught instanceof ApiError ? caught.message : String(caught));
          }
        }}
      >
        <h2>Invite</h2>
        <label className="field">
          Email
          <input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </label>
        <label className="field">
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label className="field">
          Role
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label className="field">
          Password (optional)
          <input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <button type="submit" className="primary">
          Invite
        </button>
      </form>
      {message ? <p role="status">{message}</p> : null}
    </section>
  );
}
