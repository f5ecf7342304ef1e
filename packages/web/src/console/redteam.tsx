import { useEffect, useState } from 'react';
import {
  DEFAULT_SEVERITIES,
  HAZARD_TAXONOMY,
  type Campaign,
  type CampaignReport,
  type HazardCategory,
} from '@quorum/core';
import { api, ApiError, seg } from '../api';
import { Link, navigate } from '../router';
import { useLoad } from './projects';
import {
  addCategory,
  campaignBody,
  editCategory,
  removeCategory,
  severitiesFromText,
  startDraft,
  toggleAttack,
  toggleEndpoint,
  type CampaignDraft,
} from './redteam-model';

interface ModelEndpoint {
  id: string;
  name: string;
  model: string;
}

const percent = (value: number) => `${(value * 100).toFixed(0)}%`;

/** Red-team campaigns with their progress, and the form that starts one. */
export function RedTeamPage() {
  const campaigns = useLoad<{ campaigns: Campaign[] }>('/api/v1/redteam/campaigns');
  return (
    <section>
      <h1>Red teaming</h1>
      <p className="note">
        A campaign has people try to make the chosen models produce harm in each category of a
        hazard taxonomy, in live chats. Each attempt records whether it worked, how severe it was
        and a safe rewrite of the harmful reply, which become preference pairs for training.
      </p>
      <h2>Campaigns</h2>
      {campaigns.error ? <p role="alert">{campaigns.error}</p> : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col">Target models</th>
            <th scope="col">Categories</th>
            <th scope="col">Attempts done</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {(campaigns.data?.campaigns ?? []).map((campaign) => (
            <tr key={campaign.id}>
              <th scope="row">
                <Link to={`/console/redteam/${seg(campaign.id)}`}>{campaign.name}</Link>
              </th>
              <td>{campaign.endpoints.map((endpoint) => endpoint.name).join(', ')}</td>
              <td>{campaign.categories.length}</td>
              <td>
                <progress
                  max={Math.max(1, campaign.tasks.total)}
                  value={campaign.tasks.completed}
                  aria-label={`Progress of ${campaign.name}`}
                />{' '}
                {campaign.tasks.completed}/{campaign.tasks.total}
              </td>
              <td>{new Date(campaign.created_at).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <CampaignForm />
    </section>
  );
}

/** The new-campaign form: target models, the taxonomy (editable), what to attack, how much. */
function CampaignForm() {
  const models = useLoad<{ docs: ModelEndpoint[] }>('/api/v1/models');
  const taxonomy = useLoad<{ categories: HazardCategory[]; severities: string[] }>(
    '/api/v1/redteam/taxonomy',
  );
  const [draft, setDraft] = useState<CampaignDraft>(() =>
    startDraft(HAZARD_TAXONOMY, DEFAULT_SEVERITIES),
  );
  const [touched, setTouched] = useState(false);
  const [endpointText, setEndpointText] = useState('');
  const [severityText, setSeverityText] = useState(DEFAULT_SEVERITIES.join(', '));
  const [adding, setAdding] = useState({ name: '', description: '', id: '' });
  const [message, setMessage] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  // The server's built-in taxonomy, unless the form was already changed.
  useEffect(() => {
    const loaded = taxonomy.data;
    if (!loaded || touched) return;
    setDraft((current) => ({
      ...startDraft(loaded.categories, loaded.severities),
      name: current.name,
      endpoints: current.endpoints,
    }));
    setSeverityText(loaded.severities.join(', '));
  }, [taxonomy.data]);

  const update = (next: CampaignDraft) => {
    setTouched(true);
    setDraft(next);
  };
  // Without the endpoint list (it needs the admin role) the target models are typed by name.
  const typed = models.error !== undefined;
  const endpoints = typed
    ? endpointText
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean)
    : draft.endpoints;

  return (
    <form
      className="inline-form wide"
      aria-label="New campaign"
      onSubmit={async (event) => {
        event.preventDefault();
        setMessage(undefined);
        const built = campaignBody({
          ...draft,
          endpoints,
          severities: severitiesFromText(severityText),
        });
        if ('problem' in built) {
          setMessage(built.problem);
          return;
        }
        setBusy(true);
        try {
          const created = await api.post<Campaign>('/api/v1/redteam/campaigns', built.body);
          navigate(`/console/redteam/${seg(created.id)}`);
        } catch (caught) {
          setMessage(caught instanceof ApiError ? caught.message : String(caught));
        } finally {
          setBusy(false);
        }
      }}
    >
      <h2>New campaign</h2>
      <label className="field">
        Campaign name
        <input
          value={draft.name}
          onChange={(event) => setDraft({ ...draft, name: event.target.value })}
          required
        />
      </label>
      {typed ? (
        <label className="field">
          Target models (endpoint names, comma-separated)
          <input value={endpointText} onChange={(event) => setEndpointText(event.target.value)} />
        </label>
      ) : (
        <fieldset>
          <legend>Target models</legend>
          {(models.data?.docs ?? []).length === 0 ? (
            <p className="note">
              No model endpoints are registered yet; an admin registers them through the models API.
            </p>
          ) : null}
          {(models.data?.docs ?? []).map((endpoint) => (
            <label key={endpoint.id} className="choice">
              <input
                type="checkbox"
                checked={draft.endpoints.includes(endpoint.name)}
                onChange={() => setDraft(toggleEndpoint(draft, endpoint.name))}
              />
              {endpoint.name} ({endpoint.model})
            </label>
          ))}
        </fieldset>
      )}
      <fieldset>
        <legend>Hazard taxonomy ({draft.attack.length} attacked)</legend>
        <table className="taxonomy">
          <thead>
            <tr>
              <th scope="col">Attack</th>
              <th scope="col">Id</th>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {draft.taxonomy.map((category) => (
              <tr key={category.id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Attack ${category.name}`}
                    checked={draft.attack.includes(category.id)}
                    onChange={() => update(toggleAttack(draft, category.id))}
                  />
                </td>
                <td>
                  <code>{category.id}</code>
                </td>
                <td>
                  <input
                    aria-label={`Name of ${category.id}`}
                    value={category.name}
                    onChange={(event) =>
                      update(editCategory(draft, category.id, { name: event.target.value }))
                    }
                  />
                </td>
                <td>
                  <textarea
                    rows={2}
                    aria-label={`Description of ${category.id}`}
                    value={category.description}
                    onChange={(event) =>
                      update(editCategory(draft, category.id, { description: event.target.value }))
                    }
                  />
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Remove ${category.name}`}
                    onClick={() => update(removeCategory(draft, category.id))}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="toolbar">
          <input
            aria-label="New category name"
            placeholder="New category name"
            value={adding.name}
            onChange={(event) => setAdding({ ...adding, name: event.target.value })}
          />
          <input
            aria-label="New category description"
            placeholder="Description"
            value={adding.description}
            onChange={(event) => setAdding({ ...adding, description: event.target.value })}
          />
          <input
            aria-label="New category id (optional)"
            placeholder="Id (optional)"
            value={adding.id}
            onChange={(event) => setAdding({ ...adding, id: event.target.value })}
          />
          <button
            type="button"
            onClick={() => {
              const added = addCategory(draft, adding);
              if ('problem' in added) {
                setMessage(added.problem);
                return;
              }
              setMessage(undefined);
              update(added.draft);
              setAdding({ name: '', description: '', id: '' });
            }}
          >
            Add category
          </button>
          <button
            type="button"
            onClick={() => {
              const source = taxonomy.data;
              setTouched(false);
              setDraft({
                ...startDraft(
                  source?.categories ?? HAZARD_TAXONOMY,
                  source?.severities ?? DEFAULT_SEVERITIES,
                ),
                name: draft.name,
                endpoints: draft.endpoints,
              });
            }}
          >
            Reset to the built-in taxonomy
          </button>
        </div>
      </fieldset>
      <label className="field">
        Severities, least to most severe (comma-separated)
        <input value={severityText} onChange={(event) => setSeverityText(event.target.value)} />
      </label>
      <label className="field">
        Attempts per category
        <input
          type="number"
          min={1}
          max={1000}
          value={draft.attemptsPerCategory}
          onChange={(event) =>
            setDraft({ ...draft, attemptsPerCategory: Number(event.target.value) })
          }
        />
      </label>
      <label className="field">
        Most turns per attempt
        <input
          type="number"
          min={1}
          max={100}
          value={draft.maxTurns}
          onChange={(event) => setDraft({ ...draft, maxTurns: Number(event.target.value) })}
        />
      </label>
      <label className="choice">
        <input
          type="checkbox"
          checked={draft.review}
          onChange={(event) => setDraft({ ...draft, review: event.target.checked })}
        />
        Review every attempt before it counts
      </label>
      <label className="field">
        Instructions for the red-teamers (optional, Markdown)
        <textarea
          rows={4}
          value={draft.instruction}
          onChange={(event) => setDraft({ ...draft, instruction: event.target.value })}
        />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Start campaign
      </button>
      {message ? <p role="alert">{message}</p> : null}
    </form>
  );
}

/** One campaign: progress, attack success rates with their intervals, severities, exports. */
export function CampaignPage({ id }: { id: string }) {
  const campaign = useLoad<Campaign>(`/api/v1/redteam/campaigns/${seg(id)}`);
  const report = useLoad<CampaignReport>(`/api/v1/redteam/campaigns/${seg(id)}/report`);
  const c = campaign.data;
  const r = report.data;
  const names = new Map((c?.taxonomy ?? []).map((category) => [category.id, category.name]));
  return (
    <section>
      <h1>Campaign {c?.name ?? id}</h1>
      {campaign.error ? <p role="alert">{campaign.error}</p> : null}
      {c ? (
        <>
          <p>
            <progress
              max={Math.max(1, c.tasks.total)}
              value={c.tasks.completed}
              aria-label={`Progress of ${c.name}`}
            />{' '}
            {c.tasks.completed} of {c.tasks.total} attempts done. Attempts are tasks of the project{' '}
            <Link to={`/console/projects/${seg(c.project)}`}>{c.project}</Link>.{' '}
            <button
              type="button"
              onClick={() => {
                campaign.reload();
                report.reload();
              }}
            >
              Refresh
            </button>
          </p>
          <dl className="figures">
            <dt>Target models</dt>
            <dd>
              {c.endpoints.map((endpoint) => `${endpoint.name} (${endpoint.model})`).join(', ')}
            </dd>
            <dt>Categories attacked</dt>
            <dd>{c.categories.map((category) => names.get(category) ?? category).join(', ')}</dd>
            <dt>Attempts per category</dt>
            <dd>{c.attemptsPerCategory}</dd>
            <dt>Most turns per attempt</dt>
            <dd>{c.maxTurns}</dd>
            <dt>Severities</dt>
            <dd>{c.severities.join(', ')}</dd>
          </dl>
        </>
      ) : null}
      <h2>Report</h2>
      {report.error ? <p role="alert">{report.error}</p> : null}
      {r ? <Report report={r} severities={c?.severities ?? []} /> : null}
      <h2>Export</h2>
      <p className="note">
        Each successful attack with a safe rewrite is a preference pair: the safe rewrite chosen,
        the harmful reply rejected.
      </p>
      <ul>
        {(
          [
            ['trl', 'TRL preference pairs (prompt, chosen, rejected)'],
            ['trl-conversational', 'TRL preference pairs, conversational'],
          ] as const
        ).map(([format, label]) => (
          <li key={format}>
            <a href={`/api/v1/redteam/campaigns/${seg(id)}/export?format=${format}`} download>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface Rate {
  attempts: number;
  successes: number;
  rate: number;
  lower: number;
  upper: number;
}

const interval = (rate: Rate) => `${percent(rate.lower)} – ${percent(rate.upper)}`;

function Report({ report, severities }: { report: CampaignReport; severities: string[] }) {
  if (report.completed === 0)
    return (
      <p role="status">
        No attempt has been completed yet: the report fills in as attempts are done (and reviewed,
        when the campaign reviews them).
      </p>
    );
  const models = [...new Set(report.cells.map((cell) => cell.model))];
  const categories = report.byCategory.map((row) => row.category);
  const cell = (model: string, category: string) =>
    report.cells.find((c) => c.model === model && c.category === category);
  const severityOrder = [
    ...severities,
    ...new Set(report.severities.map((row) => row.severity).filter((s) => !severities.includes(s))),
  ];
  return (
    <div className="report">
      <dl className="figures">
        <dt>Attempts counted</dt>
        <dd>{report.completed}</dd>
        <dt>Attack success rate</dt>
        <dd>
          {percent(report.overall.rate)} ({report.overall.successes} of {report.overall.attempts};
          95% interval {interval(report.overall)})
        </dd>
        <dt>Preference pairs</dt>
        <dd>{report.pairs}</dd>
      </dl>
      {report.completed < 30 ? (
        <p className="note">
          Few attempts: the intervals are wide. Compare models only where their intervals do not
          overlap.
        </p>
      ) : null}
      <h3>By model</h3>
      <RateChart
        title="Attack success rate with 95% intervals, by model"
        rows={report.byModel.map((row) => ({ ...row, label: row.model }))}
      />
      <RateTable head="Model" rows={report.byModel.map((row) => ({ ...row, label: row.model }))} />
      <h3>By category</h3>
      <RateChart
        title="Attack success rate with 95% intervals, by category"
        rows={report.byCategory.map((row) => ({ ...row, label: row.name }))}
      />
      <RateTable
        head="Category"
        rows={report.byCategory.map((row) => ({ ...row, label: row.name }))}
      />
      <h3>Model × category</h3>
      <table className="confusion">
        <caption>Successful attacks of the attempts, per model and category</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            {report.byCategory.map((row) => (
              <th key={row.category} scope="col">
                {row.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {models.map((model) => (
            <tr key={model}>
              <th scope="row">{model}</th>
              {categories.map((category) => {
                const found = cell(model, category);
                return (
                  <td
                    key={category}
                    className={found?.attempts ? `heat heat-${Math.round(found.rate * 4)}` : ''}
                    title={found?.attempts ? `95% interval ${interval(found)}` : undefined}
                  >
                    {found?.attempts ? `${found.successes}/${found.attempts}` : '—'}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {report.severities.length > 0 ? (
        <>
          <h3>Severity of successful attacks</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">Model</th>
                {severityOrder.map((severity) => (
                  <th key={severity} scope="col">
                    {severity}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...new Set(report.severities.map((row) => row.model))].map((model) => (
                <tr key={model}>
                  <th scope="row">{model}</th>
                  {severityOrder.map((severity) => (
                    <td key={severity}>
                      {report.severities.find(
                        (row) => row.model === model && row.severity === severity,
                      )?.count ?? 0}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}

function RateTable({ head, rows }: { head: string; rows: Array<Rate & { label: string }> }) {
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{head}</th>
          <th scope="col">Attempts</th>
          <th scope="col">Successful</th>
          <th scope="col">Attack success rate</th>
          <th scope="col">95% interval</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.label}>
            <th scope="row">{row.label}</th>
            <td>{row.attempts}</td>
            <td>{row.successes}</td>
            <td>{percent(row.rate)}</td>
            <td>{interval(row)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Bars of attack success rate on a 0–100% axis, with the Wilson interval as whiskers. */
function RateChart({ title, rows }: { title: string; rows: Array<Rate & { label: string }> }) {
  const width = 560;
  const left = 180;
  const right = 50;
  const row = 24;
  const top = 4;
  const height = rows.length * row + top + 20;
  const x = (share: number) => left + Math.max(0, Math.min(1, share)) * (width - left - right);
  return (
    <svg
      className="chart"
      role="img"
      aria-label={title}
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
    >
      {rows.map((item, index) => (
        <g key={item.label} transform={`translate(0 ${index * row + top})`}>
          <text x={0} y={15} fontSize={12}>
            {item.label.length > 26 ? `${item.label.slice(0, 25)}…` : item.label}
          </text>
          <rect x={left} y={4} height={14} width={x(item.rate) - left} fill="#d9534f" />
          <line className="whisker" x1={x(item.lower)} x2={x(item.upper)} y1={11} y2={11} />
          <line className="whisker" x1={x(item.lower)} x2={x(item.lower)} y1={6} y2={16} />
          <line className="whisker" x1={x(item.upper)} x2={x(item.upper)} y1={6} y2={16} />
          <text x={x(item.upper) + 4} y={15} fontSize={11}>
            {percent(item.rate)}
          </text>
        </g>
      ))}
      {[0, 0.25, 0.5, 0.75, 1].map((tick) => (
        <text
          key={tick}
          x={x(tick)}
          y={rows.length * row + top + 14}
          fontSize={10}
          textAnchor="middle"
        >
          {percent(tick)}
        </text>
      ))}
    </svg>
  );
}
