import { useState } from 'react';
import { api } from '../api';
import { Dialog } from '../ui/keys';
import { useLoad } from './projects';
import { payoutsHref, personPatch, skillsText, type PersonDraft } from './workforce-model';

interface Worker {
  id: string;
  email: string;
  name: string;
  roles: string[];
  pool: string;
  team: string | null;
  skills: Record<string, number>;
  languages: string[];
  clearance: number;
  status: string;
}

const ROLES = ['annotator', 'reviewer', 'manager', 'admin'];
const POOLS = ['internal', 'vendor', 'crowd'];

/** People: who they are, their roles; invite, edit, remove and reinstate; payouts. */
export function WorkforcePage() {
  const workers = useLoad<{ docs: Worker[] }>('/api/v1/workers?limit=500');
  const [editing, setEditing] = useState<Worker | undefined>();
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
            <th scope="col">Skills</th>
            <th scope="col">Languages</th>
            <th scope="col">Clearance</th>
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
              <td>{skillsText(worker.skills)}</td>
              <td>{worker.languages.join(', ')}</td>
              <td>{worker.clearance}</td>
              <td>{worker.status}</td>
              <td>
                {worker.roles.includes('owner') ? null : (
                  <button
                    type="button"
                    onClick={() => setEditing(worker)}
                    aria-label={`Edit ${worker.email}`}
                  >
                    Edit
                  </button>
                )}{' '}
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
      {editing ? (
        <EditPerson
          worker={editing}
          onClose={() => setEditing(undefined)}
          onSaved={() => {
            setMessage(`Saved ${editing.email}`);
            setEditing(undefined);
            workers.reload();
          }}
        />
      ) : null}
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
            setMessage(caught instanceof Error ? caught.message : String(caught));
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
      <Payouts />
    </section>
  );
}

/** A person's roles, pool, team, skills, languages and clearance; a new password if typed. */
function EditPerson(props: { worker: Worker; onClose: () => void; onSaved: () => void }) {
  const { worker } = props;
  const [draft, setDraft] = useState<PersonDraft>({
    name: worker.name,
    roles: worker.roles,
    pool: worker.pool,
    team: worker.team ?? '',
    skills: skillsText(worker.skills),
    languages: worker.languages.join(', '),
    clearance: String(worker.clearance),
    password: '',
  });
  const [problem, setProblem] = useState<string | undefined>();
  const set = (change: Partial<PersonDraft>) => setDraft({ ...draft, ...change });
  return (
    <Dialog label={`Edit ${worker.email}`} onClose={props.onClose}>
      <form
        aria-label={`Edit ${worker.email}`}
        onSubmit={async (event) => {
          event.preventDefault();
          const body = personPatch(draft);
          if (typeof body === 'string') return setProblem(body);
          try {
            await api.patch(`/api/v1/workers/${worker.id}`, body);
            props.onSaved();
          } catch (caught) {
            setProblem(caught instanceof Error ? caught.message : String(caught));
          }
        }}
      >
        <h2>{worker.email}</h2>
        <label className="field">
          Name
          <input value={draft.name} onChange={(e) => set({ name: e.target.value })} required />
        </label>
        <fieldset>
          <legend>Roles</legend>
          {ROLES.map((role) => (
            <label key={role}>
              <input
                type="checkbox"
                checked={draft.roles.includes(role)}
                onChange={(e) =>
                  set({
                    roles: e.target.checked
                      ? [...draft.roles, role]
                      : draft.roles.filter((r) => r !== role),
                  })
                }
              />{' '}
              {role}
            </label>
          ))}
        </fieldset>
        <label className="field">
          Pool
          <select value={draft.pool} onChange={(e) => set({ pool: e.target.value })}>
            {POOLS.map((pool) => (
              <option key={pool}>{pool}</option>
            ))}
          </select>
        </label>
        <label className="field">
          Team
          <input value={draft.team} onChange={(e) => set({ team: e.target.value })} />
        </label>
        <label className="field">
          Skills (skill:level, 0-10)
          <input value={draft.skills} onChange={(e) => set({ skills: e.target.value })} />
        </label>
        <label className="field">
          Languages (BCP 47 tags)
          <input value={draft.languages} onChange={(e) => set({ languages: e.target.value })} />
        </label>
        <label className="field">
          Clearance
          <input
            type="number"
            min={0}
            max={10}
            value={draft.clearance}
            onChange={(e) => set({ clearance: e.target.value })}
          />
        </label>
        <label className="field">
          New password (optional)
          <input
            type="password"
            autoComplete="new-password"
            value={draft.password}
            onChange={(e) => set({ password: e.target.value })}
          />
        </label>
        {problem ? <p role="alert">{problem}</p> : null}
        <button type="submit" className="primary">
          Save
        </button>{' '}
        <button type="button" onClick={props.onClose}>
          Cancel
        </button>
      </form>
    </Dialog>
  );
}

/** The payouts CSV for whole UTC days, optionally of one project. */
function Payouts() {
  const projects = useLoad<Array<{ name: string }>>('/v1/projects');
  const [from, setFrom] = useState('');
  const [through, setThrough] = useState('');
  const [project, setProject] = useState('');
  return (
    <section aria-label="Payouts">
      <h2>Payouts</h2>
      <p>
        Pay settled from the first day through the last (UTC), per worker and currency. A task's pay
        settles when it concludes, so each amount falls in exactly one window.
      </p>
      <div className="inline-form">
        <label className="field">
          From
          <input type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="field">
          Through
          <input type="date" value={through} onChange={(e) => setThrough(e.target.value)} />
        </label>
        <label className="field">
          Project
          <select value={project} onChange={(e) => setProject(e.target.value)}>
            <option value="">All projects</option>
            {(projects.data ?? []).map((item) => (
              <option key={item.name}>{item.name}</option>
            ))}
          </select>
        </label>
        <a href={payoutsHref(from, through, project)} download>
          Download payouts CSV
        </a>
      </div>
    </section>
  );
}
