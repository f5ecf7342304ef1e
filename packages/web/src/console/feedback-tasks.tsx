import { useState } from 'react';
import { HAZARD_TAXONOMY, type GenerationRatings } from '@quorum/core';
import { api, ApiError, seg } from '../api';
import { feedbackTasksBody, parseCriteria } from './feedback-model';
import { useLoad } from './projects';

const MODES = [
  ['pairs', 'Pairwise preferences'],
  ['ranking', 'Ranking of all responses'],
  ['ratings', 'Likert ratings of each response'],
] as const;

/** Makes human feedback tasks from a generation for a project's workforce. */
export function FeedbackTasksForm({ id, onCreated }: { id: string; onCreated: () => void }) {
  const projects = useLoad<Array<{ name: string; type: string }>>('/v1/projects');
  const [project, setProject] = useState('');
  const [mode, setMode] = useState<'pairs' | 'ranking' | 'ratings'>('pairs');
  const [criteria, setCriteria] = useState('');
  const [strength, setStrength] = useState('');
  const [ties, setTies] = useState(true);
  const [flags, setFlags] = useState(false);
  const [rewrite, setRewrite] = useState(false);
  const [rationale, setRationale] = useState(true);
  const [message, setMessage] = useState<{ text: string; error: boolean } | undefined>();
  // Ratings are chat tasks; pairs and rankings are comparisons.
  const wanted = mode === 'ratings' ? 'chat' : 'comparison';
  const fitting = (projects.data ?? []).filter((candidate) => candidate.type === wanted);

  async function create() {
    const parsed = parseCriteria(criteria);
    if (typeof parsed === 'string') return setMessage({ text: parsed, error: true });
    if (!project) return setMessage({ text: `Choose a ${wanted} project.`, error: true });
    try {
      const result = await api.post<{ created: number; skipped: number }>(
        `/api/v1/generations/${seg(id)}/comparisons`,
        feedbackTasksBody({
          project,
          mode,
          criteria: parsed,
          ties,
          strength,
          flags: flags ? HAZARD_TAXONOMY.map((category) => category.id) : undefined,
          rewrite,
          rationale,
        }),
      );
      setMessage({
        text: `${result.created} tasks created${result.skipped ? `, ${result.skipped} skipped (a model did not answer)` : ''}.`,
        error: false,
      });
      onCreated();
    } catch (error) {
      setMessage({ text: error instanceof ApiError ? error.message : String(error), error: true });
    }
  }

  return (
    <form
      className="stack"
      aria-label="Human feedback tasks"
      onSubmit={(event) => {
        event.preventDefault();
        void create();
      }}
    >
      <label>
        Kind
        <select value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
          {MODES.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        Project ({wanted})
        <select value={project} onChange={(e) => setProject(e.target.value)}>
          <option value="">Choose…</option>
          {fitting.map((candidate) => (
            <option key={candidate.name} value={candidate.name}>
              {candidate.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Rubric criteria{mode === 'ratings' ? ' (required)' : ''}
        <input
          value={criteria}
          placeholder="helpful:1-7, honest:1-7"
          onChange={(e) => setCriteria(e.target.value)}
        />
      </label>
      {mode === 'pairs' ? (
        <>
          <label className="choice">
            <input type="checkbox" checked={ties} onChange={(e) => setTies(e.target.checked)} />
            Ties allowed
          </label>
          <label>
            Strength labels, weakest first
            <input
              value={strength}
              placeholder="slightly, clearly, much"
              onChange={(e) => setStrength(e.target.value)}
            />
          </label>
        </>
      ) : null}
      <label className="choice">
        <input type="checkbox" checked={flags} onChange={(e) => setFlags(e.target.checked)} />
        Safety flags (the hazard taxonomy)
      </label>
      <label className="choice">
        <input type="checkbox" checked={rewrite} onChange={(e) => setRewrite(e.target.checked)} />
        Rewrites of the ideal answer
      </label>
      {mode !== 'ratings' ? (
        <label className="choice">
          <input
            type="checkbox"
            checked={rationale}
            onChange={(e) => setRationale(e.target.checked)}
          />
          Ask for a rationale
        </label>
      ) : null}
      <button type="submit">Create tasks</button>
      {message ? <p role={message.error ? 'alert' : 'status'}>{message.text}</p> : null}
    </form>
  );
}

/** Rubric means with intervals, safety flags and rewrites per model. */
export function RatingsSummary({ id, version }: { id: string; version: number }) {
  const summary = useLoad<GenerationRatings>(`/api/v1/generations/${seg(id)}/ratings`, [version]);
  const data = summary.data;
  if (!data || (data.criteria.length === 0 && data.flags.length === 0)) return null;
  return (
    <>
      <h2>Ratings, flags and rewrites</h2>
      {data.criteria.map((criterion) => (
        <table key={criterion.criterion}>
          <caption>
            {criterion.criterion} ({criterion.min} to {criterion.max})
          </caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Mean</th>
              <th scope="col">95% interval</th>
              <th scope="col">Ratings</th>
            </tr>
          </thead>
          <tbody>
            {criterion.models.map((row) => (
              <tr key={row.model}>
                <th scope="row">{row.model}</th>
                <td>{row.mean.toFixed(2)}</td>
                <td>
                  {row.lower.toFixed(2)} – {row.upper.toFixed(2)}
                </td>
                <td>{row.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
      {data.flags.length > 0 ? (
        <table>
          <caption>Safety flags</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Category</th>
              <th scope="col">Flags</th>
              <th scope="col">Responses shown</th>
            </tr>
          </thead>
          <tbody>
            {data.flags.map((row) => (
              <tr key={`${row.model}|${row.category}`}>
                <th scope="row">{row.model}</th>
                <td>
                  {HAZARD_TAXONOMY.find((category) => category.id === row.category)?.name ??
                    row.category}
                </td>
                <td>{row.count}</td>
                <td>{row.shown}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data.rewrites.length > 0 ? (
        <p>
          Rewrites: {data.rewrites.map((row) => `${row.model} ${row.count}`).join(', ')} (exported
          as SFT demonstrations).
        </p>
      ) : null}
    </>
  );
}
