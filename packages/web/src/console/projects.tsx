import { useEffect, useState } from 'react';
import { api, ApiError, postNdjson, seg } from '../api';
import { Link } from '../router';
import { money } from '../pages/me';
import { Dialog } from '../ui/keys';

interface Project {
  id: string;
  name: string;
  type: string;
  created_at: string;
}

function useLoad<T>(path: string, deps: unknown[] = []) {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    api.get<T>(path).then(
      (value) => live && setData(value),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [path, tick, ...deps]);
  return { data, error, reload: () => setTick((t) => t + 1) };
}

const TASK_TYPES = [
  'imageannotation',
  'namedentityrecognition',
  'categorization',
  'comparison',
  'textcollection',
  'chat',
];

/** Every project, and a form to make one. */
export function ProjectsPage() {
  const projects = useLoad<Project[]>('/v1/projects');
  const [name, setName] = useState('');
  const [type, setType] = useState(TASK_TYPES[0]!);
  const [error, setError] = useState<string | undefined>();
  return (
    <section>
      <h1>Projects</h1>
      {projects.error ? <p role="alert">{projects.error}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {(projects.data ?? []).map((project) => (
            <tr key={project.id}>
              <th scope="row">
                <Link to={`/console/projects/${seg(project.name)}`}>{project.name}</Link>
              </th>
              <td>{project.type}</td>
              <td>{new Date(project.created_at).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="inline-form"
        aria-label="New project"
        onSubmit={async (event) => {
          event.preventDefault();
          setError(undefined);
          try {
            await api.post('/v1/projects', { type, name });
            setName('');
            projects.reload();
          } catch (caught) {
            setError(caught instanceof ApiError ? caught.message : String(caught));
          }
        }}
      >
        <h2>New project</h2>
        <label className="field">
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label className="field">
          Task type
          <select value={type} onChange={(e) => setType(e.target.value)}>
            {TASK_TYPES.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        <button type="submit" className="primary">
          Create project
        </button>
        {error ? <p role="alert">{error}</p> : null}
      </form>
    </section>
  );
}

interface Batch {
  name: string;
  status: string;
}

interface BatchReport {
  tasks: { total: number; completed: number; pending: number; inReview: number };
  cost: { currency: string; base: number; bonus: number };
  costs: Array<{ currency: string; base: number; bonus: number }>;
  throughputPerHour: number | null;
  eta: string | null;
}

interface Quality {
  tasks: number;
  answers: number;
  annotators: number;
  method: string;
  agreement: { krippendorff_alpha: number | null; units: number };
  workers: Array<{
    worker: string;
    answers: number;
    agreement_with_consensus: number | null;
    reliability: number | null;
    gold: { answers: number; mean_score: number } | null;
    confusion: Record<string, Record<string, number>>;
  }>;
  classes: Record<string, Record<string, number>>;
  disputed: Array<{ task_id: string; confidence: number; answers: number }>;
}

const percent = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`;

/** One project: batches with progress, cost and ETA; the quality report; the settings. */
export function ProjectPage({ name }: { name: string }) {
  const batches = useLoad<{ docs: Batch[] }>(`/v1/batches?project=${seg(name)}&limit=100`);
  const quality = useLoad<Quality>(`/api/v1/projects/${seg(name)}/quality`);
  const people = useLoad<{ docs: Array<{ id: string; email: string }> }>(
    '/api/v1/workers?limit=500',
  );
  const names = new Map((people.data?.docs ?? []).map((worker) => [worker.id, worker.email]));
  return (
    <section>
      <h1>Project {name}</h1>
      <h2>Batches</h2>
      {batches.error ? <p role="alert">{batches.error}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Batch</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Throughput</th>
            <th scope="col">Cost</th>
            <th scope="col">ETA</th>
          </tr>
        </thead>
        <tbody>
          {(batches.data?.docs ?? []).map((batch) => (
            <BatchRow key={batch.name} batch={batch} />
          ))}
        </tbody>
      </table>
      <h2>Quality</h2>
      {quality.error ? <p role="alert">{quality.error}</p> : null}
      {quality.data ? <QualityReport report={quality.data} names={names} /> : null}
      <Members project={name} />
      <Releases project={name} />
      <AddTasks project={name} onAdded={() => batches.reload()} />
      <SettingsForm project={name} />
    </section>
  );
}

function BatchRow({ batch }: { batch: Batch }) {
  const report = useLoad<BatchReport>(`/api/v1/batches/${seg(batch.name)}/workforce`);
  const r = report.data;
  const share = r && r.tasks.total > 0 ? r.tasks.completed / r.tasks.total : 0;
  return (
    <tr>
      <th scope="row">{batch.name}</th>
      <td>{batch.status}</td>
      <td>
        <progress max={1} value={share} aria-label={`Progress of ${batch.name}`} />{' '}
        {r ? `${r.tasks.completed}/${r.tasks.total}` : ''}
      </td>
      <td>{r?.throughputPerHour == null ? '—' : `${r.throughputPerHour.toFixed(1)}/h`}</td>
      <td>
        {r
          ? (r.costs.length > 0 ? r.costs : [r.cost])
              .map((cost) => money(cost.base + cost.bonus, cost.currency))
              .join(' + ')
          : ''}
      </td>
      <td>{r?.eta ? new Date(r.eta).toLocaleString() : '—'}</td>
    </tr>
  );
}

/** A confusion matrix as a table: rows the consensus label, columns the label given. */
function Confusion({ matrix }: { matrix: Record<string, Record<string, number>> }) {
  const truths = Object.keys(matrix);
  const given = [
    ...new Set([...truths, ...Object.values(matrix).flatMap((row) => Object.keys(row))]),
  ];
  const max = Math.max(1, ...Object.values(matrix).flatMap((row) => Object.values(row)));
  return (
    <table className="confusion">
      <thead>
        <tr>
          <th scope="col">Consensus</th>
          {given.map((label) => (
            <th key={label} scope="col">
              {label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {truths.map((truth) => (
          <tr key={truth}>
            <th scope="row">{truth}</th>
            {given.map((label) => {
              const count = matrix[truth]?.[label] ?? 0;
              return (
                <td
                  key={label}
                  className={`heat heat-${Math.round((count / max) * 4)}${truth === label ? ' diagonal' : ''}`}
                >
                  {count}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Horizontal bars for shares in [0, 1], drawn as SVG (no script, no inline style). */
function BarChart({
  label,
  bars,
}: {
  label: string;
  bars: Array<{ name: string; value: number }>;
}) {
  const row = 22;
  const width = 480;
  const labelWidth = 160;
  return (
    <svg
      className="chart"
      role="img"
      aria-label={label}
      width={width}
      height={bars.length * row + 4}
      viewBox={`0 0 ${width} ${bars.length * row + 4}`}
    >
      {bars.map((bar, index) => (
        <g key={bar.name} transform={`translate(0 ${index * row + 2})`}>
          <text x={0} y={15} fontSize={12}>
            {bar.name.length > 22 ? `${bar.name.slice(0, 21)}…` : bar.name}
          </text>
          <rect
            x={labelWidth}
            y={3}
            height={14}
            width={Math.max(0, Math.min(1, bar.value)) * (width - labelWidth - 50)}
            fill="#2f5bea"
          />
          <text
            x={labelWidth + Math.max(0, Math.min(1, bar.value)) * (width - labelWidth - 50) + 4}
            y={15}
            fontSize={12}
          >
            {(bar.value * 100).toFixed(0)}%
          </text>
        </g>
      ))}
    </svg>
  );
}

function QualityReport({ report, names }: { report: Quality; names: Map<string, string> }) {
  const who = (id: string) => names.get(id) ?? id;
  return (
    <div className="quality">
      <dl className="figures">
        <dt>Tasks</dt>
        <dd>{report.tasks}</dd>
        <dt>Answers</dt>
        <dd>{report.answers}</dd>
        <dt>Annotators</dt>
        <dd>{report.annotators}</dd>
        <dt>Krippendorff’s alpha</dt>
        <dd>
          {report.agreement.krippendorff_alpha === null
            ? '—'
            : report.agreement.krippendorff_alpha.toFixed(3)}
        </dd>
        <dt>Method</dt>
        <dd>{report.method}</dd>
      </dl>
      <h3>Annotators</h3>
      <BarChart
        label="Agreement with the consensus per annotator"
        bars={report.workers.map((worker) => ({
          name: who(worker.worker),
          value: worker.agreement_with_consensus ?? 0,
        }))}
      />
      <table>
        <thead>
          <tr>
            <th scope="col">Worker</th>
            <th scope="col">Answers</th>
            <th scope="col">Agreement with consensus</th>
            <th scope="col">Reliability</th>
            <th scope="col">Gold score</th>
            <th scope="col">Confusion</th>
          </tr>
        </thead>
        <tbody>
          {report.workers.map((worker) => (
            <tr key={worker.worker}>
              <th scope="row">{who(worker.worker)}</th>
              <td>{worker.answers}</td>
              <td>
                <meter
                  min={0}
                  max={1}
                  value={worker.agreement_with_consensus ?? 0}
                  aria-label={`Agreement of ${who(worker.worker)}`}
                />{' '}
                {percent(worker.agreement_with_consensus)}
              </td>
              <td>{percent(worker.reliability)}</td>
              <td>
                {worker.gold ? `${percent(worker.gold.mean_score)} (${worker.gold.answers})` : '—'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {Object.keys(report.classes).length > 0 ? (
        <>
          <h3>Confusion (consensus → given)</h3>
          <Confusion matrix={report.classes} />
        </>
      ) : null}
      <h3>Most disputed tasks</h3>
      <ol>
        {report.disputed.map((item) => (
          <li key={item.task_id}>
            {item.task_id}: confidence {percent(item.confidence)} over {item.answers} answers
          </li>
        ))}
      </ol>
    </div>
  );
}

interface Settings {
  consensus: { min: number; max: number; confidence: number };
  review: { stage: boolean; auditRate: number };
  gold: { rate: number; qualifyCount: number; qualifyThreshold: number; pauseBelow: number };
  leaseSeconds: number;
  maxOpenClaims: number;
  clearance: number;
}

/** The routing and quality knobs the issue names; the rest stays as set through the API. */
function SettingsForm({ project }: { project: string }) {
  const loaded = useLoad<Settings>(`/api/v1/projects/${seg(project)}/settings`);
  const [draft, setDraft] = useState<Settings | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  useEffect(() => setDraft(loaded.data), [loaded.data]);
  if (!draft) return loaded.error ? <p role="alert">{loaded.error}</p> : null;
  const number = (label: string, value: number, set: (value: number) => Settings, step = 1) => (
    <label className="field">
      {label}
      <input
        type="number"
        step={step}
        value={value}
        onChange={(e) => setDraft(set(Number(e.target.value)))}
      />
    </label>
  );
  return (
    <form
      aria-label="Project settings"
      onSubmit={async (event) => {
        event.preventDefault();
        try {
          const { consensus, review, gold, leaseSeconds, maxOpenClaims, clearance } = draft;
          setDraft(
            await api.patch<Settings>(`/api/v1/projects/${seg(project)}/settings`, {
              consensus,
              review,
              gold,
              leaseSeconds,
              maxOpenClaims,
              clearance,
            }),
          );
          setMessage('Settings saved');
        } catch (caught) {
          setMessage(caught instanceof ApiError ? caught.message : String(caught));
        }
      }}
    >
      <h2>Settings</h2>
      <fieldset>
        <legend>Consensus</legend>
        {number('Fewest annotators', draft.consensus.min, (v) => ({
          ...draft,
          consensus: { ...draft.consensus, min: v },
        }))}
        {number('Most annotators', draft.consensus.max, (v) => ({
          ...draft,
          consensus: { ...draft.consensus, max: v },
        }))}
        {number(
          'Confidence target',
          draft.consensus.confidence,
          (v) => ({ ...draft, consensus: { ...draft.consensus, confidence: v } }),
          0.01,
        )}
      </fieldset>
      <fieldset>
        <legend>Review</legend>
        <label className="choice">
          <input
            type="checkbox"
            checked={draft.review.stage}
            onChange={(e) =>
              setDraft({ ...draft, review: { ...draft.review, stage: e.target.checked } })
            }
          />
          Review stage
        </label>
        {number(
          'Audit rate',
          draft.review.auditRate,
          (v) => ({ ...draft, review: { ...draft.review, auditRate: v } }),
          0.01,
        )}
      </fieldset>
      <fieldset>
        <legend>Gold and qualification</legend>
        {number(
          'Gold rate',
          draft.gold.rate,
          (v) => ({ ...draft, gold: { ...draft.gold, rate: v } }),
          0.01,
        )}
        {number('Qualification tasks', draft.gold.qualifyCount, (v) => ({
          ...draft,
          gold: { ...draft.gold, qualifyCount: v },
        }))}
        {number(
          'Qualification threshold',
          draft.gold.qualifyThreshold,
          (v) => ({ ...draft, gold: { ...draft.gold, qualifyThreshold: v } }),
          0.01,
        )}
        {number(
          'Pause below accuracy',
          draft.gold.pauseBelow,
          (v) => ({ ...draft, gold: { ...draft.gold, pauseBelow: v } }),
          0.01,
        )}
      </fieldset>
      <fieldset>
        <legend>Leases</legend>
        {number('Lease seconds', draft.leaseSeconds, (v) => ({ ...draft, leaseSeconds: v }))}
        {number('Open claims per annotator', draft.maxOpenClaims, (v) => ({
          ...draft,
          maxOpenClaims: v,
        }))}
        {number('Clearance required', draft.clearance, (v) => ({ ...draft, clearance: v }))}
      </fieldset>
      <button type="submit" className="primary">
        Save settings
      </button>
      {message ? <p role="status">{message}</p> : null}
    </form>
  );
}

export { useLoad };

interface Member {
  worker: string;
  email: string;
  name: string;
  status: string;
  reason: string | null;
  qualification: { answers: number; meanScore: number | null };
  gold: { answers: number; accuracy: number };
}

/** The steps before work that an operator may let a member skip, by the member's status. */
const SKIPPABLE = new Map([
  ['training', 'training'],
  ['qualifying', 'qualification'],
]);

/** Who works on the project and their standing: qualification, gold accuracy, pause. */
function Members({ project }: { project: string }) {
  const members = useLoad<{ docs: Member[] }>(`/api/v1/projects/${seg(project)}/workers`);
  const [message, setMessage] = useState<string | undefined>();
  const [pausing, setPausing] = useState<Member | undefined>();
  const [reason, setReason] = useState('');
  const change = async (member: Member, status: string, why?: string) => {
    try {
      await api.patch(`/api/v1/projects/${seg(project)}/workers/${member.worker}`, {
        status,
        ...(why ? { reason: why } : {}),
      });
      setPausing(undefined);
      members.reload();
    } catch (caught) {
      setMessage(caught instanceof Error ? caught.message : String(caught));
    }
  };
  return (
    <>
      <h2>Annotators on this project</h2>
      {members.error ? <p role="alert">{members.error}</p> : null}
      {message ? <p role="status">{message}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Annotator</th>
            <th scope="col">Standing</th>
            <th scope="col">Qualification</th>
            <th scope="col">Gold accuracy</th>
            <th scope="col">Action</th>
          </tr>
        </thead>
        <tbody>
          {(members.data?.docs ?? []).map((member) => (
            <tr key={member.worker}>
              <th scope="row">{member.email}</th>
              <td>
                {member.status}
                {member.reason ? ` (${member.reason})` : ''}
              </td>
              <td>
                {member.qualification.answers > 0
                  ? `${member.qualification.answers} answered, mean ${percent(member.qualification.meanScore)}`
                  : '—'}
              </td>
              <td>
                {member.gold.answers > 0
                  ? `${percent(member.gold.accuracy)} over ${member.gold.answers}`
                  : '—'}
              </td>
              <td>
                {member.status === 'active' ? (
                  <button
                    type="button"
                    aria-label={`Pause ${member.email}`}
                    onClick={() => {
                      setReason('');
                      setPausing(member);
                    }}
                  >
                    Pause
                  </button>
                ) : SKIPPABLE.has(member.status) ? (
                  <button
                    type="button"
                    aria-label={`Skip ${SKIPPABLE.get(member.status)} for ${member.email}`}
                    onClick={() => void change(member, 'active')}
                  >
                    Skip {SKIPPABLE.get(member.status)}
                  </button>
                ) : (
                  <button
                    type="button"
                    aria-label={`Reinstate ${member.email}`}
                    onClick={() => void change(member, 'active')}
                  >
                    Reinstate
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pausing ? (
        <Dialog label={`Pause ${pausing.email}`} onClose={() => setPausing(undefined)}>
          <form
            onSubmit={(event) => {
              event.preventDefault();
              void change(pausing, 'paused', reason.trim() || 'Paused from the console');
            }}
          >
            <h2>Pause {pausing.email}</h2>
            <p>
              Their claims on this project go back to the queue now, and they are told the reason
              when they next ask for work here.
            </p>
            <label className="field">
              Reason
              <input value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
            </label>
            <button type="submit" className="primary">
              Pause
            </button>{' '}
            <button type="button" onClick={() => setPausing(undefined)}>
              Cancel
            </button>
          </form>
        </Dialog>
      ) : null}
    </>
  );
}

interface Release {
  assignment: string;
  task: string;
  email: string;
  stage: string;
  reason: string | null;
  releasedAt: string;
}

/** Claims given back, newest first: why annotators skip tasks, and what pauses released. */
function Releases({ project }: { project: string }) {
  const [pages, setPages] = useState<string[]>([]);
  const after = pages[pages.length - 1];
  const releases = useLoad<{ docs: Release[]; next: string | null }>(
    `/api/v1/projects/${seg(project)}/releases?limit=25${after ? `&after=${seg(after)}` : ''}`,
  );
  const docs = releases.data?.docs ?? [];
  return (
    <section aria-label="Skipped and given back">
      <h2>Skipped and given back</h2>
      {releases.error ? <p role="alert">{releases.error}</p> : null}
      {releases.data && docs.length === 0 && pages.length === 0 ? (
        <p>Nothing was skipped or given back on this project.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Annotator</th>
              <th scope="col">Task</th>
              <th scope="col">Stage</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {docs.map((release) => (
              <tr key={release.assignment}>
                <td>{new Date(release.releasedAt).toLocaleString()}</td>
                <th scope="row">{release.email}</th>
                <td>
                  <code>{release.task}</code>
                </td>
                <td>{release.stage}</td>
                <td>{release.reason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pages.length > 0 ? (
        <button type="button" onClick={() => setPages(pages.slice(0, -1))}>
          Newer
        </button>
      ) : null}{' '}
      {releases.data?.next ? (
        <button type="button" onClick={() => setPages([...pages, releases.data!.next!])}>
          Older
        </button>
      ) : null}
    </section>
  );
}

/** Tasks pasted as JSON lines (each a task's params), created all or nothing. */
function AddTasks({ project, onAdded }: { project: string; onAdded: () => void }) {
  const [lines, setLines] = useState('');
  const [message, setMessage] = useState<string | undefined>();
  const projectType = useLoad<Project>(`/v1/projects/${seg(project)}`).data?.type;
  return (
    <form
      aria-label="Add tasks"
      className="inline-form"
      onSubmit={async (event) => {
        event.preventDefault();
        setMessage(undefined);
        const rows = lines.split('\n').filter((line) => line.trim() !== '');
        let body: string;
        try {
          body = rows
            .map((line, index) => {
              let value: unknown;
              try {
                value = JSON.parse(line);
              } catch {
                throw new Error(`Line ${index + 1} is not JSON`);
              }
              if (!value || typeof value !== 'object' || Array.isArray(value))
                throw new Error(`Line ${index + 1} must be a JSON object`);
              return JSON.stringify({ project, ...(value as object) });
            })
            .join('\n');
        } catch (caught) {
          setMessage((caught as Error).message);
          return;
        }
        try {
          const created = await postNdjson<{ created: number }>(
            `/api/v1/tasks/bulk?type=${seg(projectType ?? '')}`,
            body,
          );
          setMessage(`${created.created} tasks created`);
          setLines('');
          onAdded();
        } catch (caught) {
          setMessage(caught instanceof ApiError ? caught.message : String(caught));
        }
      }}
    >
      <h2>Add tasks</h2>
      <label className="field">
        Tasks, one JSON object per line ({projectType ?? '…'} params)
        <textarea rows={6} value={lines} onChange={(e) => setLines(e.target.value)} required />
      </label>
      <button type="submit" className="primary" disabled={!projectType}>
        Create tasks
      </button>
      {message ? <p role="status">{message}</p> : null}
    </form>
  );
}
